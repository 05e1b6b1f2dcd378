/**
 * The lookup index over the vocabulary: folded phrase key → the terms it names. Keys come from each
 * term's id, label and synonyms (explicit) and from their plural and feminine forms (derived); an
 * explicit key outranks a derived one. One key may name terms of several categories ("headwrap"
 * is a garment and an accessory, "short" a length in English and shorts in French).
 */
import { FASHION_VOCABULARY } from './fashion-vocabulary';
import { phraseForms } from './inflections';
import { NON_ATTRIBUTE_PHRASES } from './non-attribute-phrases';
import { phraseKey } from './text-tokens';
import { VOCABULARY_CATEGORIES, type FashionVocabulary, type VocabularyCategory, type VocabularyLanguage, type VocabularyTerm } from './vocabulary-types';

export interface IndexEntry {
  readonly category: VocabularyCategory;
  readonly term: VocabularyTerm;
  /** The synonym lists the key came from (ids and labels count as English). */
  readonly languages: ReadonlySet<VocabularyLanguage>;
  /** Listed in the vocabulary, rather than derived. */
  readonly explicit: boolean;
}

export interface TermIndex {
  readonly entries: ReadonlyMap<string, readonly IndexEntry[]>;
  /** Phrases that name no attribute (see non-attribute-phrases.ts), with their derived forms. */
  readonly nonAttributePhrases: ReadonlySet<string>;
  /** The most tokens any key has: the longest phrase the parser needs to try. */
  readonly maxPhraseTokens: number;
}

interface MutableEntry {
  category: VocabularyCategory;
  term: VocabularyTerm;
  languages: Set<VocabularyLanguage>;
  explicit: boolean;
}

/** French adjectives agree in gender and number; only colours and lengths are adjectives here. */
const ADJECTIVE_CATEGORIES: ReadonlySet<VocabularyCategory> = new Set(['colour', 'length']);

export function buildTermIndex(vocabulary: FashionVocabulary): TermIndex {
  const entries = new Map<string, MutableEntry[]>();
  let maxPhraseTokens = 1;
  const add = (key: string, category: VocabularyCategory, term: VocabularyTerm, language: VocabularyLanguage, explicit: boolean): void => {
    if (key === '') return;
    maxPhraseTokens = Math.max(maxPhraseTokens, key.split(' ').length);
    const list = entries.get(key) ?? [];
    if (list.length === 0) entries.set(key, list);
    const existing = list.find((entry) => entry.category === category && entry.term === term);
    if (existing === undefined) list.push({ category, term, languages: new Set([language]), explicit });
    else {
      existing.languages.add(language);
      existing.explicit ||= explicit;
    }
  };
  for (const category of VOCABULARY_CATEGORIES) {
    for (const term of vocabulary[category]) {
      const sources: Array<[string, VocabularyLanguage]> = [
        [term.id, 'en'],
        [term.label, 'en'],
        ...term.synonyms.en.map((synonym): [string, VocabularyLanguage] => [synonym, 'en']),
        ...term.synonyms.fr.map((synonym): [string, VocabularyLanguage] => [synonym, 'fr']),
      ];
      for (const [synonym, language] of sources) {
        const key = phraseKey(synonym);
        add(key, category, term, language, true);
        const adjective = language === 'fr' && ADJECTIVE_CATEGORIES.has(category);
        for (const form of phraseForms(key, adjective)) add(form, category, term, language, false);
      }
    }
  }
  const nonAttributePhrases = new Set<string>();
  for (const phrase of NON_ATTRIBUTE_PHRASES) {
    const key = phraseKey(phrase);
    nonAttributePhrases.add(key);
    for (const form of phraseForms(key, true)) nonAttributePhrases.add(form);
    maxPhraseTokens = Math.max(maxPhraseTokens, key.split(' ').length);
  }
  return { entries, nonAttributePhrases, maxPhraseTokens };
}

/** Explicit entries when there are any, else the derived ones. */
export function strongestEntries(entries: readonly IndexEntry[]): readonly IndexEntry[] {
  const explicit = entries.filter((entry) => entry.explicit);
  return explicit.length > 0 ? explicit : entries;
}

/**
 * Keys that name two different terms of one category at the same strength: the vocabulary is
 * ambiguous there. Empty for a sound vocabulary (a spec holds it to that).
 */
export function findVocabularyConflicts(index: TermIndex): string[] {
  const conflicts: string[] = [];
  for (const [key, entries] of index.entries) {
    for (const category of VOCABULARY_CATEGORIES) {
      const ids = strongestEntries(entries.filter((entry) => entry.category === category)).map((entry) => entry.term.id);
      if (ids.length > 1) conflicts.push(`${category} "${key}": ${ids.join(', ')}`);
    }
  }
  return conflicts;
}

export const TERM_INDEX: TermIndex = buildTermIndex(FASHION_VOCABULARY);

/** The term of `category` that `value` names (an id, label or synonym, in either language, any form), or undefined. */
export function resolveTerm(category: VocabularyCategory, value: string, index: TermIndex = TERM_INDEX): VocabularyTerm | undefined {
  const entries = index.entries.get(phraseKey(value));
  if (entries === undefined) return undefined;
  return strongestEntries(entries.filter((entry) => entry.category === category))[0]?.term;
}

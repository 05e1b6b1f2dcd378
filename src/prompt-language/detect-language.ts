/**
 * English or French? Each folded token that belongs to one language only (a function word or a
 * vocabulary word: "the", "pour", "dress", "robe") is a vote; words both languages use ("wax",
 * "kente", "long", "or") do not vote. More votes wins; a tie is 'unknown'.
 */
import { ENGLISH_STOPWORDS, FRENCH_STOPWORDS } from './stopwords';
import { TERM_INDEX, type TermIndex } from './term-index';
import type { VocabularyLanguage } from './vocabulary-types';

export type PromptLanguage = VocabularyLanguage | 'unknown';

export function buildLanguageVotes(index: TermIndex): ReadonlyMap<string, VocabularyLanguage> {
  const languages = new Map<string, Set<VocabularyLanguage>>();
  const add = (word: string, language: VocabularyLanguage): void => {
    const set = languages.get(word) ?? new Set<VocabularyLanguage>();
    set.add(language);
    languages.set(word, set);
  };
  for (const word of ENGLISH_STOPWORDS) add(word, 'en');
  for (const word of FRENCH_STOPWORDS) add(word, 'fr');
  for (const [key, entries] of index.entries) {
    for (const word of key.split(' ')) for (const entry of entries) for (const language of entry.languages) add(word, language);
  }
  const votes = new Map<string, VocabularyLanguage>();
  for (const [word, set] of languages) if (set.size === 1) votes.set(word, [...set][0]);
  return votes;
}

const LANGUAGE_VOTES = buildLanguageVotes(TERM_INDEX);

export function detectLanguage(tokenKeys: readonly string[], votes: ReadonlyMap<string, VocabularyLanguage> = LANGUAGE_VOTES): PromptLanguage {
  let english = 0;
  let french = 0;
  for (const key of tokenKeys) {
    const vote = votes.get(key);
    if (vote === 'en') english++;
    else if (vote === 'fr') french++;
  }
  if (english === french) return 'unknown';
  return english > french ? 'en' : 'fr';
}

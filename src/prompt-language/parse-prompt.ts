/**
 * Free text → attributes and the standardised prompt (POST /v1/prompts/parse). Product titles and
 * descriptions in English or French ("Robe longue en wax rouge et jaune pour femme") are folded
 * into tokens, then read left to right taking the longest vocabulary phrase at each token (a phrase
 * never spans punctuation). Words it does not know, and phrases it recognises but cannot use (a
 * second garment, "manches longues"), come back in `unplaced` as written; function words of
 * either language, and words every prompt implies ("african", "fabric"), do not.
 *
 * Deterministic and linear: the text is capped, and each token tries at most as many phrase
 * lengths as the longest vocabulary phrase has tokens.
 */
import { AttributeDraft, type Placement } from './attribute-draft';
import { resolveTemplate, renderPrompt, type PromptTemplateOption } from './build-prompt';
import { detectLanguage, type PromptLanguage } from './detect-language';
import type { AttributeField, PromptAttributes } from './prompt-attributes';
import { PromptInputError, describeValue } from './prompt-errors';
import { ENGLISH_STOPWORDS, FRENCH_STOPWORDS, IMPLIED_WORDS, WITH_WORDS, isStopword } from './stopwords';
import { TERM_INDEX, type IndexEntry } from './term-index';
import { tokenise, type TextToken } from './text-tokens';

export const MAX_PARSE_TEXT_LENGTH = 2000;

export interface PlacedPhrase {
  /** As written in the text. */
  readonly text: string;
  readonly field: AttributeField;
  /** Canonical id. */
  readonly value: string;
}

export interface ParsedPrompt {
  readonly attributes: PromptAttributes;
  readonly prompt: string;
  /** Unknown words, and recognised phrases no attribute took, as written, each once, first occurrence first. */
  readonly unplaced: readonly string[];
  readonly language: PromptLanguage;
  /** What each recognised phrase became, in text order. */
  readonly placed: readonly PlacedPhrase[];
}

export interface ParseOptions extends PromptTemplateOption {
  /** Longest text accepted, in UTF-16 code units; at most (and by default) MAX_PARSE_TEXT_LENGTH. */
  readonly maxLength?: number;
}

type Match = { readonly tokens: number; readonly entries: readonly IndexEntry[] | null };

export function parsePrompt(text: unknown, options: ParseOptions = {}): ParsedPrompt {
  const wanted = options.maxLength;
  const maxLength = wanted !== undefined && Number.isInteger(wanted) && wanted >= 0 ? Math.min(wanted, MAX_PARSE_TEXT_LENGTH) : MAX_PARSE_TEXT_LENGTH;
  if (typeof text !== 'string') throw new PromptInputError('text', `must be a string, got ${describeValue(text)}`);
  if (text.length > maxLength) throw new PromptInputError('text', `must be at most ${maxLength} characters, got ${text.length}`);
  if (text.trim() === '') throw new PromptInputError('text', 'must not be empty');
  const template = resolveTemplate(options.template);

  const tokens = tokenise(text);
  const language = detectLanguage(tokens.map((token) => token.key));
  const draft = new AttributeDraft();
  const placed: PlacedPhrase[] = [];
  const unplaced = new UnplacedPhrases(text, tokens);
  let withClause = false;

  for (let i = 0; i < tokens.length; ) {
    if (tokens[i].boundaryBefore) withClause = false;
    const match = longestMatch(tokens, i);
    if (match === null || (match.tokens === 1 && isLanguageStopword(tokens[i].key, language))) {
      const key = tokens[i].key;
      if (isStopword(key)) withClause ||= WITH_WORDS.has(key);
      else unplaced.add(i, i);
      i++;
      continue;
    }
    const last = i + match.tokens - 1;
    const placements: Placement[] | null = match.entries === null ? null : draft.place(match.entries, language, withClause);
    if (placements === null) unplaced.add(i, last);
    else {
      const quoted = text.slice(tokens[i].start, tokens[last].end);
      for (const placement of placements) placed.push({ text: quoted, ...placement });
    }
    i = last + 1;
  }

  const attributes = draft.toAttributes();
  return { attributes, prompt: renderPrompt(attributes, template), unplaced: unplaced.phrases(), language, placed };
}

/** The longest vocabulary phrase (or non-attribute phrase, entries null) starting at token `start`, not crossing punctuation. */
function longestMatch(tokens: readonly TextToken[], start: number): Match | null {
  let limit = 1;
  while (limit < TERM_INDEX.maxPhraseTokens && start + limit < tokens.length && !tokens[start + limit].boundaryBefore) limit++;
  const keys: string[] = [];
  for (let n = 0; n < limit; n++) keys.push(n === 0 ? tokens[start].key : `${keys[n - 1]} ${tokens[start + n].key}`);
  for (let n = limit; n >= 1; n--) {
    const key = keys[n - 1];
    if (TERM_INDEX.nonAttributePhrases.has(key)) return { tokens: n, entries: null };
    const entries = TERM_INDEX.entries.get(key);
    if (entries !== undefined) return { tokens: n, entries };
  }
  return null;
}

/** A word that is a vocabulary term in one language and a function word in the other ("or": gold in French). */
function isLanguageStopword(key: string, language: PromptLanguage): boolean {
  if (IMPLIED_WORDS.has(key)) return true;
  if (language === 'en') return ENGLISH_STOPWORDS.has(key);
  if (language === 'fr') return FRENCH_STOPWORDS.has(key);
  return ENGLISH_STOPWORDS.has(key) || FRENCH_STOPWORDS.has(key);
}

/** Unplaced words and phrases, quoted from the text, each once (by folded form), first occurrence first. */
class UnplacedPhrases {
  private readonly seen = new Set<string>();
  private readonly quoted: string[] = [];

  constructor(
    private readonly text: string,
    private readonly tokens: readonly TextToken[],
  ) {}

  add(first: number, last: number): void {
    const key = this.tokens
      .slice(first, last + 1)
      .map((token) => token.key)
      .join(' ');
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.quoted.push(this.text.slice(this.tokens[first].start, this.tokens[last].end));
  }

  phrases(): string[] {
    return [...this.quoted];
  }
}

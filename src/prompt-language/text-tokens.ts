/**
 * Text → matching tokens: lowercase, accents folded ("doré" → "dore", "œ" → "oe"), split on
 * anything that is not a letter or a digit ("aso-oke" → aso, oke; "d'oreilles" → d, oreilles).
 * One pass over the text; every token keeps its place in the original so callers can quote it.
 */

export interface TextToken {
  /** Folded form, used for matching. */
  readonly key: string;
  /** Offsets of the token in the original text. */
  readonly start: number;
  readonly end: number;
  /** Punctuation other than spaces, hyphens and apostrophes separates this token from the previous one (true for the first). */
  readonly boundaryBefore: boolean;
}

const WORD = /[\p{L}\p{N}\p{M}]+/gu;
/** What may sit between two tokens of one phrase: spaces, hyphens, apostrophes, underscores. */
const JOINING_GAP = /^[\s\-\u2010\u2011'\u2019\u02bc\u2018`_]*$/u;
const MARKS = /\p{M}/gu;
const NOT_WORD = /[^\p{L}\p{N}]/gu;
const LIGATURES: Readonly<Record<string, string>> = { œ: 'oe', æ: 'ae', ß: 'ss', ø: 'o', đ: 'd', ł: 'l' };
const LIGATURE = /[œæßøđł]/g;

/** Lowercase, fold accents and ligatures, drop anything that is not a letter or a digit. */
export function foldWord(word: string): string {
  return word
    .toLowerCase()
    .replace(LIGATURE, (letter) => LIGATURES[letter] ?? letter)
    .normalize('NFKD')
    .replace(MARKS, '')
    .replace(NOT_WORD, '');
}

export function tokenise(text: string): TextToken[] {
  const tokens: TextToken[] = [];
  let previousEnd = 0;
  for (const match of text.matchAll(WORD)) {
    const key = foldWord(match[0]);
    if (key === '') continue;
    const start = match.index;
    const end = start + match[0].length;
    const boundaryBefore = tokens.length === 0 || !JOINING_GAP.test(text.slice(previousEnd, start));
    tokens.push({ key, start, end, boundaryBefore });
    previousEnd = end;
  }
  return tokens;
}

/** The matching key of a phrase: its folded tokens joined by single spaces ("Mid-Length" → "mid length"). */
export function phraseKey(phrase: string): string {
  return tokenise(phrase)
    .map((token) => token.key)
    .join(' ');
}

/**
 * Finishing a filled template: choose "a" or "an", drop articles and connecting words left with
 * nothing to connect ("a woman in , african fashion" → "a woman, african fashion"; "in with" →
 * "with"), collapse repeated punctuation and spaces. Linear in the text.
 */

/** Marks where the garment's article goes; resolved here. A private-use character, which templates may not contain. */
export const ARTICLE_MARK = '\ue000';

const TOKEN = /\ue000|[,;:.!?|]|[^\s,;:.!?|\ue000]+/g;
const BOUNDARY = /^[,;:.!?|]$/;
const CONNECTORS: ReadonlySet<string> = new Set(['and', 'with', 'in', 'wearing', 'of', 'on', 'for', 'featuring', 'or', 'by', 'at', 'to', 'from', 'plus']);
const ARTICLES: ReadonlySet<string> = new Set(['a', 'an']);
/** Vowel letters that sound like a consonant, and silent h's: "a unisex", "an hour". */
const A_BEFORE = /^(uni|use|usu|eu|ewe|one|once)/;
const AN_BEFORE = /^(hour|honest|heir|honou?r)/;

const isBoundary = (token: string): boolean => BOUNDARY.test(token);
const isConnector = (token: string): boolean => CONNECTORS.has(token.toLowerCase());
const isArticle = (token: string): boolean => token === ARTICLE_MARK || ARTICLES.has(token.toLowerCase());

export function indefiniteArticle(nextWord: string): 'a' | 'an' {
  const word = nextWord.toLowerCase();
  if (AN_BEFORE.test(word)) return 'an';
  if (A_BEFORE.test(word)) return 'a';
  return /^[aeiou]/.test(word) ? 'an' : 'a';
}

export function tidyPrompt(filled: string): string {
  const tokens = filled.match(TOKEN) ?? [];
  // Articles: agree with the next word, or go when no noun phrase follows.
  const words: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (!isArticle(token)) {
      words.push(token);
      continue;
    }
    const next = tokens[i + 1];
    if (next === undefined || isBoundary(next) || isConnector(next) || isArticle(next)) continue;
    const article = indefiniteArticle(next);
    words.push(token !== ARTICLE_MARK && token[0] === 'A' ? article.toUpperCase()[0] + article.slice(1) : article);
  }
  // Connectors and punctuation: nothing dangling at either end of a clause, nothing doubled.
  const kept: string[] = [];
  const popDangling = (): void => {
    while (kept.length > 0 && isConnector(kept[kept.length - 1])) kept.pop();
  };
  for (const word of words) {
    const last = kept[kept.length - 1];
    if (isBoundary(word)) {
      popDangling();
      if (kept.length > 0 && !isBoundary(kept[kept.length - 1])) kept.push(word);
    } else if (isConnector(word)) {
      if (last === undefined || isBoundary(last)) continue;
      if (isConnector(last)) kept.pop();
      kept.push(word);
    } else {
      kept.push(word);
    }
  }
  popDangling();
  while (kept.length > 0 && isBoundary(kept[kept.length - 1])) {
    kept.pop();
    popDangling();
  }
  let out = '';
  for (const word of kept) out += out === '' || isBoundary(word) ? word : ` ${word}`;
  return out;
}

/**
 * The text clean-up CLIP runs before tokenising (`basic_clean`, `whitespace_clean`, `lower`).
 */
import { htmlUnescape } from './html-unescape';

/**
 * CLIP trims with Python's `str.strip()` (the characters of `str.isspace()`) and collapses runs of
 * the `regex` module's `\s` (Unicode White_Space, which lacks U+001C..U+001F). Both are spelled out:
 * JavaScript's `\s` differs from each (it takes U+FEFF and leaves U+001C..U+001F and U+0085).
 */
const WHITE_SPACE = '\\t\\n\\v\\f\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const WHITESPACE_RUN = new RegExp(`[${WHITE_SPACE}]+`, 'g');
const PYTHON_SPACE = new RegExp(`^[${WHITE_SPACE}\\x1c-\\x1f]$`);

/** Python's `strip()`, by scanning: a `\s+$` regular expression is quadratic on long space runs. */
function strip(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && PYTHON_SPACE.test(text[start] as string)) start++;
  while (end > start && PYTHON_SPACE.test(text[end - 1] as string)) end--;
  return text.slice(start, end);
}

/**
 * CLIP's clean-up: HTML references decoded twice (so `&amp;lt;` becomes `<`), Unicode NFC (the
 * normalisation ftfy and the Hugging Face fast tokenizer apply), ends trimmed, white-space runs
 * collapsed to one space, lower case.
 *
 * ftfy's other repairs (mojibake, curly quotes, ligatures, full-width forms) are not applied.
 */
export function cleanText(text: string): string {
  const unescaped = htmlUnescape(htmlUnescape(text)).normalize('NFC');
  // Trimmed first: collapsing keeps U+001C..U+001F, which strip() would otherwise leave at the ends.
  return strip(unescaped).replace(WHITESPACE_RUN, ' ').toLowerCase();
}

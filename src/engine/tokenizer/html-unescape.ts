/**
 * HTML character-reference decoding with the rules of Python's `html.unescape`, which CLIP's
 * `basic_clean` applies to every prompt: named references (longest legacy name wins when the
 * semicolon is missing), decimal and hexadecimal references with or without the semicolon, and the
 * HTML 5 repairs for code points a reference may not name.
 *
 * Named references cover the table in `html-entities.ts` (HTML 4 and the common aliases), not all
 * 2,231 names of HTML 5; an unknown name is left as written.
 */
import { HTML_ENTITIES } from './html-entities';

const CHARACTER_REFERENCE = /&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)/gu;

/** Numeric references to C1 controls are read as Windows-1252, as browsers do (0x80 .. 0x9f). */
const WINDOWS_1252_C1 =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

/** Code points a numeric reference may not produce; Python drops them. */
function isDroppedCodePoint(cp: number): boolean {
  return (
    (cp >= 0x01 && cp <= 0x08) ||
    cp === 0x0b ||
    (cp >= 0x0e && cp <= 0x1f) ||
    (cp >= 0x7f && cp <= 0x9f) ||
    (cp >= 0xfdd0 && cp <= 0xfdef) ||
    (cp & 0xfffe) === 0xfffe // U+xFFFE and U+xFFFF of every plane
  );
}

function numericReference(ref: string): string {
  const hex = ref[1] === 'x' || ref[1] === 'X';
  const digits = ref.slice(hex ? 2 : 1).replace(/;$/, '');
  const cp = parseInt(digits, hex ? 16 : 10); // a huge reference reads as a huge number or Infinity
  if (cp === 0) return '\ufffd';
  if (cp === 0x0d) return '\r';
  if (cp >= 0x80 && cp <= 0x9f) return WINDOWS_1252_C1[cp - 0x80] as string;
  if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return '\ufffd';
  if (isDroppedCodePoint(cp)) return '';
  return String.fromCodePoint(cp);
}

function namedReference(name: string): string {
  const whole = HTML_ENTITIES.get(name);
  if (whole !== undefined) return whole;
  // Without a match, the longest prefix that is a legacy name (such as `amp` in `&ampx`) is decoded.
  for (let length = name.length - 1; length > 1; length--) {
    const value = HTML_ENTITIES.get(name.slice(0, length));
    if (value !== undefined) return value + name.slice(length);
  }
  return `&${name}`;
}

/** `text` with its HTML character references decoded, once. */
export function htmlUnescape(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(CHARACTER_REFERENCE, (_match, ref: string) =>
    ref.startsWith('#') ? numericReference(ref) : namedReference(ref),
  );
}

/**
 * The reversible byte → printable-character table of GPT-2 / CLIP byte-level BPE.
 *
 * Printable Latin-1 bytes map to themselves; the other 68 bytes (controls, space, soft hyphen...)
 * map to code points from 256 upward, in byte order. Vocabularies store tokens in this alphabet.
 */
const PRINTABLE_RANGES: ReadonlyArray<readonly [number, number]> = [
  [0x21, 0x7e], // '!' .. '~'
  [0xa1, 0xac], // '¡' .. '¬'
  [0xae, 0xff], // '®' .. 'ÿ'
];

function buildByteToUnicode(): string[] {
  const table = new Array<string>(256);
  const printable = new Set<number>();
  for (const [from, to] of PRINTABLE_RANGES) {
    for (let b = from; b <= to; b++) printable.add(b);
  }
  let next = 256;
  for (let b = 0; b < 256; b++) {
    table[b] = String.fromCodePoint(printable.has(b) ? b : next++);
  }
  return table;
}

/** `BYTE_TO_UNICODE[b]` is the one-character symbol for byte `b`. */
export const BYTE_TO_UNICODE: readonly string[] = buildByteToUnicode();

/**
 * The 256 symbols in the order CLIP's vocabulary lists them (ids 0..255): by code point, so the
 * printable bytes come first and the remapped ones after.
 */
export const CLIP_BASE_SYMBOLS: readonly string[] = [...BYTE_TO_UNICODE].sort(
  (a, b) => (a.codePointAt(0) as number) - (b.codePointAt(0) as number),
);

/** Inverse of {@link BYTE_TO_UNICODE}. */
export const UNICODE_TO_BYTE: ReadonlyMap<string, number> = new Map(
  BYTE_TO_UNICODE.map((symbol, byte) => [symbol, byte] as const),
);

/** The UTF-8 bytes of `text`, each replaced by its symbol. */
export function textToByteSymbols(text: string): string[] {
  return Array.from(Buffer.from(text, 'utf8'), (b) => BYTE_TO_UNICODE[b] as string);
}

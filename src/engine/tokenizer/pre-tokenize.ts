/**
 * CLIP's pre-tokenisation: the words BPE then splits, found by CLIP's pattern (case-insensitive):
 * the two special tokens written out, English contractions, letter runs, single digits, and runs of
 * other non-space characters. Spaces separate words and are dropped.
 */
const CLIP_PATTERN =
  /<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|\p{L}+|\p{N}|[^ \p{L}\p{N}]+/giu;

/**
 * The words of cleaned text (see `cleanText`), lazily, so a caller can stop early.
 * CLIP's `[^\s\p{L}\p{N}]+` is written `[^ \p{L}\p{N}]+`: after cleaning, U+0020 is the only
 * character Python's `\s` matches, while JavaScript's `\s` would also swallow U+FEFF.
 */
export function* preTokenize(cleanedText: string): Generator<string, void, undefined> {
  for (const match of cleanedText.matchAll(CLIP_PATTERN)) yield match[0];
}

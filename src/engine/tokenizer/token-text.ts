/** Turns vocabulary tokens back into text, as CLIP's and Hugging Face's decode do. */
import { END_OF_WORD } from './bpe';
import { UNICODE_TO_BYTE } from './byte-unicode';

/**
 * The text of `tokens`: byte symbols back to bytes, each `</w>` to a space, UTF-8 decoded
 * (a broken sequence, such as a character cut by truncation, becomes U+FFFD), ends trimmed.
 * A character outside the byte alphabet (only a custom vocabulary has one) stands for itself.
 */
export function tokensToText(tokens: Iterable<string>): string {
  const bytes: number[] = [];
  for (const token of tokens) {
    const endsWord = token.endsWith(END_OF_WORD);
    const body = endsWord ? token.slice(0, -END_OF_WORD.length) : token;
    for (const symbol of body) {
      const byte = UNICODE_TO_BYTE.get(symbol);
      if (byte !== undefined) bytes.push(byte);
      else bytes.push(...Buffer.from(symbol, 'utf8'));
    }
    if (endsWord) bytes.push(0x20);
  }
  return Buffer.from(bytes).toString('utf8').replace(/^ +| +$/g, '');
}

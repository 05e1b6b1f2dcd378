/**
 * AUTOMATIC1111's attention syntax (its `parse_prompt_attention` before 1.8, which diffusers'
 * long-prompt-weighting pipeline copies): text → fragments, each with the weight its tokens get.
 *
 *   (text)      × 1.1              [text]      ÷ 1.1
 *   (text:1.4)  × 1.4              ((text))    × 1.21 (nesting multiplies)
 *   \( \) \[ \] \\   literal characters (a lone backslash is dropped, as A1111 does); an unclosed bracket applies to the end of the text;
 *   a stray `)` or `]`, or a `:` not followed by a number and `)`, is literal text.
 *
 * Adjacent fragments of equal weight merge, so a prompt without brackets is one fragment of weight
 * 1 holding the text unchanged (and is tokenised exactly as before weighting existed).
 * `BREAK` (A1111's forced chunk end) is not supported: it is plain text here, as in diffusers' LPW.
 * Unlike LPW, and like A1111 1.x, spaces are allowed around the number: `(text: 1.4 )`.
 */

export interface WeightedFragment {
  readonly text: string;
  readonly weight: number;
}

/** A1111's factor for one pair of round brackets; square brackets divide by it. */
export const ATTENTION_MULTIPLIER = 1.1;

/**
 * One token of the syntax per match. The number of `(text:w)` is group 1; only a well-formed
 * decimal counts (`1`, `1.5`, `.5`, `-0.3`), so `(a:1.2.3)` is text, never a parse failure.
 */
const SYNTAX = /\\[()[\]\\]|\\|\(|\[|:\s*([+-]?(?:\d+\.?\d*|\.\d+))\s*\)|\)|\]|[^\\()[\]:]+|:/g;

export function parsePromptAttention(text: string): WeightedFragment[] {
  const fragments: { text: string; weight: number }[] = [];
  const round: number[] = [];
  const square: number[] = [];
  const multiplyFrom = (start: number, factor: number): void => {
    for (let i = start; i < fragments.length; i++) (fragments[i] as { weight: number }).weight *= factor;
  };
  for (const match of text.matchAll(SYNTAX)) {
    const token = match[0];
    const weight = match[1];
    if (token.startsWith('\\')) fragments.push({ text: token.slice(1), weight: 1 }); // a lone `\` vanishes, as in A1111
    else if (token === '(') round.push(fragments.length);
    else if (token === '[') square.push(fragments.length);
    else if (weight !== undefined && round.length > 0) multiplyFrom(round.pop() as number, Number(weight));
    else if (token === ')' && round.length > 0) multiplyFrom(round.pop() as number, ATTENTION_MULTIPLIER);
    else if (token === ']' && square.length > 0) multiplyFrom(square.pop() as number, 1 / ATTENTION_MULTIPLIER);
    else fragments.push({ text: token, weight: 1 });
  }
  // Unclosed brackets apply to the end, in the order A1111 applies them (round first, then square).
  for (const start of round) multiplyFrom(start, ATTENTION_MULTIPLIER);
  for (const start of square) multiplyFrom(start, 1 / ATTENTION_MULTIPLIER);

  if (fragments.length === 0) return [{ text: '', weight: 1 }];
  const merged = [fragments[0] as { text: string; weight: number }];
  for (const next of fragments.slice(1)) {
    const last = merged[merged.length - 1] as { text: string; weight: number };
    if (last.weight === next.weight) last.text += next.text;
    else merged.push(next);
  }
  return merged;
}

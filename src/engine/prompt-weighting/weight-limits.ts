/**
 * A bound on weights, checked when a request is validated: `((((…))))` nested a few hundred deep,
 * or `(a:1e300)`-like numbers, would reach Infinity and turn the UNet's context into NaN. A1111 sets
 * no bound; 100 is far past any useful emphasis (weights above ~2 already wreck an image).
 */
import { parsePromptAttention } from './parse-prompt-attention';

export const MAX_TOKEN_WEIGHT = 100;

/** The rule a prompt's weights break, or undefined when every weight is within ±MAX_TOKEN_WEIGHT. */
export function promptWeightProblem(text: string): string | undefined {
  for (const { text: fragment, weight } of parsePromptAttention(text)) {
    if (Math.abs(weight) <= MAX_TOKEN_WEIGHT) continue;
    const shown = fragment.length > 40 ? `${fragment.slice(0, 40)}…` : fragment;
    return `attention weights must be between -${MAX_TOKEN_WEIGHT} and ${MAX_TOKEN_WEIGHT}, got ${weight} for ${JSON.stringify(shown)}`;
  }
  return undefined;
}

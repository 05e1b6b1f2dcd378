/**
 * Applying token weights to text-encoder states, AUTOMATIC1111's two emphasis modes:
 *
 * - `original` (A1111's "Original", diffusers LPW's default): E × w, then scaled back to the mean E
 *   had: m0 = mean(E), E' = E × w, E' × (m0 / mean(E')). Like LPW, once per prompt over all its chunks
 *   (A1111 rescales each 77-token chunk, over the batch of prompts encoded together).
 * - `no-norm` (A1111's "No norm"): E × w only.
 */

export const EMPHASIS_MODES = ['original', 'no-norm'] as const;
export type EmphasisMode = (typeof EMPHASIS_MODES)[number];
export const DEFAULT_EMPHASIS: EmphasisMode = 'original';

/**
 * The rescale is skipped when |m0| or |m1| is below this share of the mean absolute value. A text
 * encoder whose final LayerNorm has no bias (an untrained or seeded export, as the reference
 * models) gives every token's states mean 0, so m0 and m1 are float32 rounding residue (~1e-8 of
 * values of size ~0.8, relative 1e-8): their ratio is arbitrary (torch got −0.67 on the reference,
 * flipping the prompt's sign) and the result would be noise. Rounding alone cannot bring a mean
 * above ~1e-5 of the values' size even in a long float32 sum, while a trained CLIP's learned bias
 * keeps it far above 1e-3, so 1e-3 separates the two with margin on both sides.
 */
export const RESCALE_GUARD = 1e-3;

export interface EmphasisResult {
  /** The weighted states (the input array itself when every weight is 1). */
  readonly states: Float32Array;
  /** The factor m0 / m1 that was applied; 1 when none was (no-norm, all weights 1, or the guard held). */
  readonly rescale: number;
  /** True when `original` skipped the rescale because a mean was too close to zero. */
  readonly rescaleSkipped: boolean;
}

/**
 * `states`: [positions × width] for one prompt (all its chunks); `weights`: one per position.
 * Float32 products as torch makes them; means summed in float64, so the factor does not depend on
 * the order of a float32 summation.
 */
export function applyEmphasis(states: Float32Array, weights: Float32Array, width: number, mode: EmphasisMode): EmphasisResult {
  if (states.length !== weights.length * width) throw new RangeError(`states hold ${states.length} values, ${weights.length} positions × ${width} need ${weights.length * width}`);
  if (weights.every((w) => w === 1)) return { states, rescale: 1, rescaleSkipped: false };
  const out = new Float32Array(states.length);
  for (let p = 0; p < weights.length; p++) {
    const w = weights[p] as number;
    for (let i = p * width; i < (p + 1) * width; i++) out[i] = (states[i] as number) * w;
  }
  if (mode === 'no-norm') return { states: out, rescale: 1, rescaleSkipped: false };
  const before = moments(states);
  const after = moments(out);
  if (Math.abs(before.mean) <= RESCALE_GUARD * before.meanAbs || Math.abs(after.mean) <= RESCALE_GUARD * after.meanAbs) {
    return { states: out, rescale: 1, rescaleSkipped: true };
  }
  const rescale = Math.fround(before.mean / after.mean);
  for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) * rescale;
  return { states: out, rescale, rescaleSkipped: false };
}

function moments(values: Float32Array): { mean: number; meanAbs: number } {
  let sum = 0;
  let abs = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    sum += v;
    abs += Math.abs(v);
  }
  return { mean: sum / values.length, meanAbs: abs / values.length };
}

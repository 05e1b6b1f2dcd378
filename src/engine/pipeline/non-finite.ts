/**
 * Non-finite model outputs. A corrupt weight (random bytes, a NaN or an Inf) does not make
 * onnxruntime fail: it makes a component return NaN or ±Inf, which the pixel mapping then turns
 * into a black image that looks like a success. Each model output is therefore scanned once (one
 * pass, no allocation) per image or prompt, so the rows of a healthy request batched with a broken
 * one are kept and only the broken one fails. The scan reads values and never changes them.
 */
import { ModelFailedError } from '../errors';

/** Index of the first NaN or ±Inf in `values[start, end)`, or -1 when all are finite. */
export function firstNonFinite(values: Float32Array, start = 0, end = values.length): number {
  for (let i = start; i < end; i++) {
    const v = values[i] as number;
    // v - v is 0 for every finite number and NaN for NaN and ±Inf: one compare per value.
    if (v - v !== 0) return i;
  }
  return -1;
}

/** A component's output for one image or prompt held NaN or ±Inf; `where` says when (`at step 3 of 20`). */
export class NonFiniteOutputError extends ModelFailedError {
  constructor(
    component: string,
    readonly value: number,
    where: string,
  ) {
    super(component, `produced non-finite values (${value}) ${where}`);
    this.message = `${component} produced non-finite values (${value}) ${where}`;
    this.name = 'NonFiniteOutputError';
  }
}

/** The error for `values[start, end)` when it holds a non-finite value, else undefined. */
export function checkFinite(values: Float32Array, start: number, end: number, component: string, where: string): NonFiniteOutputError | undefined {
  const at = firstNonFinite(values, start, end);
  return at < 0 ? undefined : new NonFiniteOutputError(component, values[at] as number, where);
}

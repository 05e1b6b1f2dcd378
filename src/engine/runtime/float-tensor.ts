/**
 * The engine computes in float32; float16 models take and give half-precision bits. These convert
 * at the model boundary so scheduler and guidance math never runs in float16.
 */
import { fromFloat16Array, toFloat16Array } from './float16';
import { tensor, type Tensor } from './tensor';

export type FloatType = 'float32' | 'float16';

export function floatTensor(values: Float32Array, dims: readonly number[], type: FloatType): Tensor {
  return type === 'float16' ? tensor('float16', toFloat16Array(values), dims) : tensor('float32', values, dims);
}

export function readFloats(t: Tensor | undefined, what: string): Float32Array {
  if (!t) throw new Error(`${what} is missing from the model's outputs`);
  if (t.type === 'float32') return t.data as Float32Array;
  if (t.type === 'float16') return fromFloat16Array(t.data as Uint16Array);
  throw new Error(`${what} is ${t.type}, expected float32 or float16`);
}

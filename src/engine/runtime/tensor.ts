/**
 * The engine's tensor: element type, dimensions and a typed array, with no runtime attached, so it
 * can cross worker threads as a transferable buffer. float16 data is kept as raw IEEE half bits.
 */
export type TensorType = 'float32' | 'float16' | 'int32' | 'int64';

export interface TensorDataOf {
  float32: Float32Array;
  float16: Uint16Array;
  int32: Int32Array;
  int64: BigInt64Array;
}

export interface Tensor<T extends TensorType = TensorType> {
  readonly type: T;
  readonly dims: readonly number[];
  readonly data: TensorDataOf[T];
}

export function elementCount(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

/** Builds a tensor after checking that the data length matches the dimensions. */
export function tensor<T extends TensorType>(type: T, data: TensorDataOf[T], dims: readonly number[]): Tensor<T> {
  if (dims.some((d) => !Number.isInteger(d) || d < 0)) throw new RangeError(`invalid dimensions [${dims.join(', ')}]`);
  if (data.length !== elementCount(dims)) {
    throw new RangeError(`${type} tensor [${dims.join(', ')}] needs ${elementCount(dims)} elements, got ${data.length}`);
  }
  return { type, dims: [...dims], data };
}

/** ONNX `TensorProto.DataType` codes as names, with element sizes. */

const NAMES: Readonly<Record<number, string>> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  8: 'string',
  9: 'bool',
  10: 'float16',
  11: 'float64',
  12: 'uint32',
  13: 'uint64',
  14: 'complex64',
  15: 'complex128',
  16: 'bfloat16',
};

const BYTES: Readonly<Record<string, number>> = {
  float32: 4,
  uint8: 1,
  int8: 1,
  uint16: 2,
  int16: 2,
  int32: 4,
  int64: 8,
  bool: 1,
  float16: 2,
  float64: 8,
  uint32: 4,
  uint64: 8,
  complex64: 8,
  complex128: 16,
  bfloat16: 2,
};

/** `float32`, `int64`...; `unknown` for 0 (undefined) and `type<N>` for codes this table lacks. */
export function dtypeName(code: number | undefined): string {
  if (code === undefined || code === 0) return 'unknown';
  return NAMES[code] ?? `type${code}`;
}

/** Bytes per element, or undefined for strings and unknown types. */
export function bytesPerElement(dtype: string): number | undefined {
  return BYTES[dtype];
}

export function isFloatDtype(dtype: string): dtype is 'float32' | 'float16' {
  return dtype === 'float32' || dtype === 'float16';
}

/** Element types the generator writes, with their ONNX codes and byte sizes. */
import { OnnxDataType } from './onnx-proto';

export type ElementType = 'float32' | 'float16' | 'int32' | 'int64' | 'bool';

export const ONNX_TYPE_OF: Readonly<Record<ElementType, OnnxDataType>> = {
  float32: OnnxDataType.FLOAT,
  float16: OnnxDataType.FLOAT16,
  int32: OnnxDataType.INT32,
  int64: OnnxDataType.INT64,
  bool: OnnxDataType.BOOL,
};

export const ELEMENT_TYPE_OF_ONNX: Readonly<Record<number, ElementType>> = {
  [OnnxDataType.FLOAT]: 'float32',
  [OnnxDataType.FLOAT16]: 'float16',
  [OnnxDataType.INT32]: 'int32',
  [OnnxDataType.INT64]: 'int64',
  [OnnxDataType.BOOL]: 'bool',
};

export const BYTES_PER_ELEMENT: Readonly<Record<ElementType, number>> = {
  float32: 4,
  float16: 2,
  int32: 4,
  int64: 8,
  bool: 1,
};

export { float16BitsToFloat32, float32ToFloat16Bits, fromFloat16Array, toFloat16Array } from '../../engine/runtime/float16';

/** Little-endian bytes of typed-array data (ONNX raw_data is little-endian; so is every host we run on). */
export function bytesOf(data: ArrayBufferView): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

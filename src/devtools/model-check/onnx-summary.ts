/**
 * Reads one model.onnx with protobuf decoding only (no runtime, no weights loaded into a session)
 * and keeps what the checks need: the graph's signature, the opset and each initializer's size
 * and external data reference.
 */
import { readFileSync } from 'node:fs';
import {
  decodeModel,
  int64ToNumber,
  type DimensionMessage,
  type ModelMessage,
  type TensorMessage,
  type ValueInfoMessage,
} from '../../model-generator/onnx/onnx-proto';
import { errorMessage } from './error-text';
import { bytesPerElement, dtypeName } from './onnx-dtypes';
import type { DimSummary, TensorSignature } from './inspection-report';

/** protobuf's hard limit on one message; a larger model.onnx cannot be valid. */
const PROTOBUF_LIMIT_BYTES = 2 ** 31 - 1;
/** ONNX `TensorProto.DataLocation.EXTERNAL`. */
const EXTERNAL = 1;

export interface ExternalReference {
  /** The `location` entry, undefined when absent. */
  readonly location: string | undefined;
  /** NaN when the entry is not a non-negative integer. */
  readonly offset: number;
  /** The `length` entry, undefined when absent; NaN when not a non-negative integer. */
  readonly length: number | undefined;
}

export interface InitializerInfo {
  readonly name: string;
  readonly dtype: string;
  readonly dims: readonly number[];
  /** Bytes the shape needs (undefined for strings and unknown types). */
  readonly shapeBytes: number | undefined;
  /** Bytes stored inline in raw_data (0 when the data lives elsewhere). */
  readonly rawBytes: number;
  readonly external?: ExternalReference;
}

export interface OnnxSummary {
  readonly irVersion: number;
  readonly opset: number | null;
  readonly producer: string;
  readonly inputs: readonly TensorSignature[];
  readonly outputs: readonly TensorSignature[];
  readonly initializers: readonly InitializerInfo[];
}

export type ReadResult = { readonly ok: true; readonly summary: OnnxSummary } | { readonly ok: false; readonly reason: string };

/** Decodes `path` (whose size the caller has already taken); never throws. */
export function readOnnxSummary(path: string, size: number): ReadResult {
  if (size === 0) return { ok: false, reason: 'the file is empty' };
  if (size > PROTOBUF_LIMIT_BYTES) {
    return { ok: false, reason: `the file is ${size} bytes, over protobuf's 2 GiB limit for one model (weights belong in external data)` };
  }
  let model: ModelMessage;
  try {
    model = decodeModel(readFileSync(path));
  } catch (error) {
    const detail = errorMessage(error);
    if (/index out of range/i.test(detail)) {
      return { ok: false, reason: `the file ends in the middle of a protobuf field: truncated or not an ONNX model (${detail})` };
    }
    return { ok: false, reason: `not an ONNX model: ${detail}` };
  }
  if (!model.graph) return { ok: false, reason: 'the file decodes but holds no graph (truncated before the graph, or not an ONNX model)' };
  return { ok: true, summary: summarizeModel(model) };
}

export function summarizeModel(model: ModelMessage): OnnxSummary {
  const graph = model.graph;
  const initializers = (graph?.initializer ?? []).map(initializerInfo);
  // Old exports (keep_initializers_as_inputs) also list every weight as a graph input.
  const weightNames = new Set(initializers.map((t) => t.name));
  const defaultOpset = (model.opset_import ?? []).find((o) => !o.domain || o.domain === 'ai.onnx');
  return {
    irVersion: int64ToNumber(model.ir_version),
    opset: defaultOpset ? int64ToNumber(defaultOpset.version) : null,
    producer: [model.producer_name, model.producer_version].filter((s) => s).join(' '),
    inputs: (graph?.input ?? []).filter((v) => !weightNames.has(v.name)).map(signature),
    outputs: (graph?.output ?? []).map(signature),
    initializers,
  };
}

function signature(value: ValueInfoMessage): TensorSignature {
  const tensor = value.type?.tensor_type;
  const shape = tensor?.shape;
  return {
    name: value.name,
    dtype: dtypeName(tensor?.elem_type),
    shape: shape ? (shape.dim ?? []).map(dimension) : null,
  };
}

function dimension(dim: DimensionMessage): DimSummary {
  // dim_value and dim_param are a oneof: only the one present on the wire is an own property.
  if (Object.prototype.hasOwnProperty.call(dim, 'dim_value')) return int64ToNumber(dim.dim_value);
  if (Object.prototype.hasOwnProperty.call(dim, 'dim_param') && dim.dim_param) return dim.dim_param;
  return null;
}

function initializerInfo(tensor: TensorMessage): InitializerInfo {
  const dtype = dtypeName(tensor.data_type);
  const dims = (tensor.dims ?? []).map((d) => int64ToNumber(d));
  const elementBytes = bytesPerElement(dtype);
  const shapeBytes = elementBytes === undefined ? undefined : dims.reduce((a, b) => a * b, 1) * elementBytes;
  const info = { name: tensor.name, dtype, dims, shapeBytes, rawBytes: tensor.raw_data?.length ?? 0 };
  const entries = tensor.external_data ?? [];
  if (tensor.data_location !== EXTERNAL && entries.length === 0) return info;
  const entry = (key: string): string | undefined => entries.find((e) => e.key === key)?.value;
  const length = entry('length');
  return {
    ...info,
    external: { location: entry('location'), offset: parseCount(entry('offset') ?? '0'), length: length === undefined ? undefined : parseCount(length) },
  };
}

function parseCount(text: string): number {
  return /^\d+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
}

/**
 * The part of ONNX's `onnx.proto` (IR version 8) that model files need, parsed once with protobufjs.
 *
 * Field numbers follow the ONNX specification, so files written here load in any ONNX runtime and
 * files exported by PyTorch/optimum decode here. Field names keep ONNX's snake_case.
 */
import * as protobuf from 'protobufjs';
import type Long from 'long';

const ONNX_PROTO_SUBSET = `
syntax = "proto3";
package onnx;
message AttributeProto {
  string name = 1; string ref_attr_name = 21; string doc_string = 13; int32 type = 20;
  float f = 2; int64 i = 3; bytes s = 4; TensorProto t = 5; GraphProto g = 6;
  repeated float floats = 7; repeated int64 ints = 8; repeated bytes strings = 9;
  repeated TensorProto tensors = 10; repeated GraphProto graphs = 11;
}
message ValueInfoProto { string name = 1; TypeProto type = 2; string doc_string = 3; }
message NodeProto {
  repeated string input = 1; repeated string output = 2; string name = 3; string op_type = 4;
  string domain = 7; repeated AttributeProto attribute = 5; string doc_string = 6;
}
message StringStringEntryProto { string key = 1; string value = 2; }
message OperatorSetIdProto { string domain = 1; int64 version = 2; }
message ModelProto {
  int64 ir_version = 1; repeated OperatorSetIdProto opset_import = 8; string producer_name = 2;
  string producer_version = 3; string domain = 4; int64 model_version = 5; string doc_string = 6;
  GraphProto graph = 7; repeated StringStringEntryProto metadata_props = 14;
}
message GraphProto {
  repeated NodeProto node = 1; string name = 2; repeated TensorProto initializer = 5;
  string doc_string = 10; repeated ValueInfoProto input = 11; repeated ValueInfoProto output = 12;
  repeated ValueInfoProto value_info = 13;
}
message TensorProto {
  repeated int64 dims = 1; int32 data_type = 2;
  repeated float float_data = 4 [packed = true]; repeated int32 int32_data = 5 [packed = true];
  repeated bytes string_data = 6; repeated int64 int64_data = 7 [packed = true];
  string name = 8; string doc_string = 12; bytes raw_data = 9;
  repeated StringStringEntryProto external_data = 13; int32 data_location = 14;
  repeated double double_data = 10 [packed = true]; repeated uint64 uint64_data = 11 [packed = true];
}
message TensorShapeProto {
  message Dimension { oneof value { int64 dim_value = 1; string dim_param = 2; } string denotation = 3; }
  repeated Dimension dim = 1;
}
message TypeProto {
  message Tensor { int32 elem_type = 1; TensorShapeProto shape = 2; }
  oneof value { Tensor tensor_type = 1; }
  string denotation = 6;
}
`;

const root = protobuf.parse(ONNX_PROTO_SUBSET, { keepCase: true }).root;
export const ModelProtoType = root.lookupType('onnx.ModelProto');

/** ONNX `TensorProto.DataType` values used by Stable Diffusion exports. */
export enum OnnxDataType {
  FLOAT = 1,
  UINT8 = 2,
  INT8 = 3,
  INT32 = 6,
  INT64 = 7,
  BOOL = 9,
  FLOAT16 = 10,
  DOUBLE = 11,
}

/** ONNX `AttributeProto.AttributeType` values. */
export enum OnnxAttributeType {
  FLOAT = 1,
  INT = 2,
  STRING = 3,
  TENSOR = 4,
  FLOATS = 6,
  INTS = 7,
}

/** int64 fields decode as Long (or number when small); both are accepted when encoding. */
export type Int64 = number | Long;

export interface StringStringEntry {
  key: string;
  value: string;
}

export interface TensorMessage {
  name: string;
  dims: Int64[];
  data_type: number;
  raw_data?: Uint8Array;
  float_data?: number[];
  int32_data?: number[];
  int64_data?: Int64[];
  external_data?: StringStringEntry[];
  data_location?: number;
}

export interface DimensionMessage {
  dim_value?: Int64;
  dim_param?: string;
}

export interface ValueInfoMessage {
  name: string;
  type?: { tensor_type?: { elem_type: number; shape?: { dim?: DimensionMessage[] } } };
}

export interface AttributeMessage {
  name: string;
  type: number;
  f?: number;
  i?: Int64;
  s?: Uint8Array;
  t?: TensorMessage;
  floats?: number[];
  ints?: Int64[];
}

export interface NodeMessage {
  name: string;
  op_type: string;
  domain?: string;
  input: string[];
  output: string[];
  attribute?: AttributeMessage[];
}

export interface GraphMessage {
  name: string;
  node: NodeMessage[];
  initializer: TensorMessage[];
  input: ValueInfoMessage[];
  output: ValueInfoMessage[];
  value_info?: ValueInfoMessage[];
}

export interface ModelMessage {
  ir_version: Int64;
  opset_import: { domain: string; version: Int64 }[];
  producer_name: string;
  producer_version: string;
  graph?: GraphMessage;
  metadata_props?: StringStringEntry[];
}

export function int64ToNumber(value: Int64 | undefined): number {
  if (value === undefined) return 0;
  return typeof value === 'number' ? value : value.toNumber();
}

export function encodeModel(model: ModelMessage): Uint8Array {
  return ModelProtoType.encode(model as unknown as protobuf.Message).finish();
}

/** Decodes a model file's bytes; throws protobufjs' error on truncated or foreign data. */
export function decodeModel(bytes: Uint8Array): ModelMessage {
  return ModelProtoType.decode(bytes) as unknown as ModelMessage;
}

/**
 * Builds one ONNX graph node by node. Every value carries its element type and a symbolic shape
 * (see dims.ts), and each operator helper in ops/ checks its inputs and computes its output shape,
 * so a wiring mistake fails at build time with the node's name instead of at session creation.
 */
import { formatShape, toShape, type DimLike, type Shape } from './dims';
import {
  OnnxAttributeType,
  type AttributeMessage,
  type ModelMessage,
  type NodeMessage,
  type TensorMessage,
  type ValueInfoMessage,
} from './onnx-proto';
import { BYTES_PER_ELEMENT, ONNX_TYPE_OF, bytesOf, toFloat16Array, type ElementType } from './tensor-data';
import { InlineWeightSink, type WeightSink } from './weight-sink';

export interface Value {
  readonly name: string;
  readonly type: ElementType;
  readonly shape: Shape;
}

export type Attribute =
  | { readonly int: number }
  | { readonly float: number }
  | { readonly ints: readonly number[] }
  | { readonly floats: readonly number[] }
  | { readonly string: string };

export type TensorData = Float32Array | Int32Array | BigInt64Array | Uint8Array;

/** The opset real Stable Diffusion exports use (optimum's default for SD is 14). */
export const OPSET_VERSION = 14;
const IR_VERSION = 8;

export class GraphBuilder {
  private readonly nodes: NodeMessage[] = [];
  private readonly initializers: TensorMessage[] = [];
  private readonly inputs: ValueInfoMessage[] = [];
  private readonly outputs: ValueInfoMessage[] = [];
  private readonly usedNames = new Set<string>();
  private readonly nodeNames = new Set<string>();
  private readonly constantCache = new Map<string, Value>();
  private readonly scopes: string[] = [];

  constructor(
    readonly graphName: string,
    private readonly weights: WeightSink = new InlineWeightSink(),
  ) {}

  /** Runs `build` with node and weight names prefixed by `scope` (e.g. `down_blocks.0.resnets.1`). */
  scoped<T>(scope: string, build: () => T): T {
    this.scopes.push(scope);
    try {
      return build();
    } finally {
      this.scopes.pop();
    }
  }

  qualified(name: string): string {
    return [...this.scopes, name].join('.');
  }

  input(name: string, type: ElementType, dims: readonly DimLike[]): Value {
    const value = this.claim({ name, type, shape: toShape(dims) });
    this.inputs.push(valueInfo(value));
    return value;
  }

  /** Declares `value` as a graph output named `name` (an Identity node renames it if needed). */
  output(value: Value, name: string): Value {
    const named = value.name === name ? value : this.node('Identity', [value], {}, [{ type: value.type, shape: value.shape }], name)[0];
    if (!named) throw new Error(`output ${name} was not produced`);
    this.outputs.push(valueInfo(named));
    return named;
  }

  /** A weight. float16 initializers take float32 data and are converted here. */
  initializer(name: string, type: ElementType, dims: readonly number[], data: TensorData): Value {
    const count = dims.reduce((a, b) => a * b, 1);
    const stored = type === 'float16' && data instanceof Float32Array ? toFloat16Array(data) : data;
    if (stored.byteLength !== count * BYTES_PER_ELEMENT[type]) {
      throw new Error(`initializer ${name}: ${stored.byteLength} bytes for ${type} [${dims.join(', ')}]`);
    }
    const value = this.claim({ name: this.qualified(name), type, shape: toShape(dims) });
    const tensor: TensorMessage = { name: value.name, dims: [...dims], data_type: ONNX_TYPE_OF[type] };
    this.initializers.push(this.weights.place(tensor, bytesOf(stored)));
    return value;
  }

  /** An int64 vector constant (shapes, axes), shared between nodes that use the same values. */
  int64s(values: readonly number[]): Value {
    return this.constant('int64', values, () => BigInt64Array.from(values.map(BigInt)));
  }

  /** A float scalar-like constant of shape [values.length] (or [] when `scalar`). */
  floats(type: ElementType, values: readonly number[], scalar = false): Value {
    return this.constant(type, values, () => Float32Array.from(values), scalar);
  }

  private constant(type: ElementType, values: readonly number[], data: () => TensorData, scalar = false): Value {
    const key = `${type}:${scalar}:${values.join(',')}`;
    const cached = this.constantCache.get(key);
    if (cached) return cached;
    const name = this.uniqueName(`const_${type}_${this.constantCache.size}`, this.usedNames);
    const dims = scalar ? [] : [values.length];
    const value = this.claim({ name, type, shape: toShape(dims) });
    const tensor: TensorMessage = { name, dims, data_type: ONNX_TYPE_OF[type] };
    const raw = data();
    const stored = type === 'float16' && raw instanceof Float32Array ? toFloat16Array(raw) : raw;
    this.initializers.push({ ...tensor, raw_data: bytesOf(stored) });
    this.constantCache.set(key, value);
    return value;
  }

  /**
   * Adds a node. Callers (the helpers in ops/) have already checked the inputs and computed the
   * outputs' types and shapes. An empty-string input marks an omitted optional input.
   */
  node(
    opType: string,
    inputs: ReadonlyArray<Value | ''>,
    attributes: Readonly<Record<string, Attribute>>,
    outputs: ReadonlyArray<{ type: ElementType; shape: Shape }>,
    outputName?: string,
  ): Value[] {
    const nodeName = this.uniqueName(this.qualified(opType), this.nodeNames);
    this.nodeNames.add(nodeName);
    const produced = outputs.map((spec, i) =>
      this.claim({ name: outputName && i === 0 ? outputName : `${nodeName}_output_${i}`, ...spec }),
    );
    this.nodes.push({
      name: nodeName,
      op_type: opType,
      domain: '',
      input: inputs.map((v) => (v === '' ? '' : v.name)),
      output: produced.map((v) => v.name),
      attribute: Object.entries(attributes).map(([name, value]) => attributeMessage(name, value)),
    });
    return produced;
  }

  build(metadata: Readonly<Record<string, string>> = {}): ModelMessage {
    this.weights.close();
    return {
      ir_version: IR_VERSION,
      opset_import: [{ domain: '', version: OPSET_VERSION }],
      producer_name: 'afro-fashion-diffusion model generator',
      producer_version: '1',
      graph: {
        name: this.graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
      metadata_props: Object.entries(metadata).map(([key, value]) => ({ key, value })),
    };
  }

  private claim(value: Value): Value {
    if (this.usedNames.has(value.name)) throw new Error(`value name ${value.name} is used twice`);
    this.usedNames.add(value.name);
    return value;
  }

  private uniqueName(base: string, taken: ReadonlySet<string>): string {
    let name = base;
    for (let i = 1; taken.has(name); i++) name = `${base}_${i}`;
    return name;
  }
}

function attributeMessage(name: string, value: Attribute): AttributeMessage {
  if ('int' in value) return { name, type: OnnxAttributeType.INT, i: value.int };
  if ('float' in value) return { name, type: OnnxAttributeType.FLOAT, f: value.float };
  if ('ints' in value) return { name, type: OnnxAttributeType.INTS, ints: [...value.ints] };
  if ('floats' in value) return { name, type: OnnxAttributeType.FLOATS, floats: [...value.floats] };
  return { name, type: OnnxAttributeType.STRING, s: Buffer.from(value.string, 'utf8') };
}

function valueInfo(value: Value): ValueInfoMessage {
  return {
    name: value.name,
    type: {
      tensor_type: {
        elem_type: ONNX_TYPE_OF[value.type],
        shape: {
          dim: value.shape.map((d) =>
            d.symbols.length === 0 ? { dim_value: d.coefficient } : { dim_param: formatShape([d]).slice(1, -1) },
          ),
        },
      },
    },
  };
}

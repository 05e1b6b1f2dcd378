/**
 * Attention one head at a time, by rewriting the graph at load time (nothing is written to the
 * model directory).
 *
 * Exported UNets and VAE decoders compute attention as `MatMul(q, kᵀ) → scale → Softmax → MatMul(·, v)`
 * over every head at once, so their largest activations are the scores: heads × n² floats per row
 * of the batch (n = latent pixels at that level). At 512 × 512 with guidance that is 1 GB for one
 * score tensor of Stable Diffusion 1.x's UNet, and the softmax needs a second one; at 1024 × 1024,
 * 17 GB. Each such pattern becomes an ONNX `Scan` over the heads axis whose body is the same
 * operators on one head's slice, so only one head's scores exist at a time (diffusers'
 * `enable_attention_slicing`, at the graph level). The arithmetic per head is unchanged, so the
 * outputs are the same values (tested bit for bit on the project's presets and diffusers' export).
 *
 * What is recognised, from each Softmax:
 * - before it, back to a MatMul: Cast/Identity, and Mul/Div/Add/Sub whose other operand is a
 *   scalar constant; and `Add(scores, Mul(x, 0))` — how torch exports `baddbmm(empty, q, kᵀ,
 *   beta=0)` (diffusers' attention before PyTorch 2): the zero term is dropped (adding zero), which
 *   also drops the export's scores-sized `empty` tensor;
 * - after it, through Cast/Identity, a MatMul taking the probabilities as its first operand;
 * - the rank, from the Transpose or Reshape that makes kᵀ: 3 (`[batch·heads, n, d]`, scanned on
 *   axis 0) or 4 (`[batch, heads, n, d]`, scanned on axis 1).
 * Anything else is left as it was, so a graph this does not understand loads unchanged.
 */
import { onnx } from 'onnx-proto';

const PASS_THROUGH = new Set(['Cast', 'Identity']);
const SCALAR_OPS = new Set(['Mul', 'Div', 'Add', 'Sub']);
const { AttributeType } = onnx.AttributeProto;

interface AttentionPattern {
  readonly scores: onnx.INodeProto;
  /** Between the scores MatMul and the Softmax, in order; a dropped zero term's Add is listed with `dropped`. */
  readonly chain: readonly { readonly node: onnx.INodeProto; readonly chainInput: number; readonly dropped: boolean }[];
  readonly softmax: onnx.INodeProto;
  readonly tail: readonly onnx.INodeProto[];
  readonly attended: onnx.INodeProto;
  readonly scanAxis: number;
}

/** Rewrites every recognised attention of the model in place; answers how many were rewritten. */
export function sliceAttentionByHead(model: onnx.IModelProto): number {
  const graph = model.graph;
  if (!graph) return 0;
  const index = new GraphIndex(graph);
  const elemType = floatElemType(graph);
  if (elemType === undefined) return 0;
  const patterns: AttentionPattern[] = [];
  for (const node of graph.node ?? []) {
    if (node.opType !== 'Softmax') continue;
    const pattern = matchAttention(node, index);
    if (pattern) patterns.push(pattern);
  }
  if (patterns.length === 0) return 0;
  const removed = new Set<onnx.INodeProto>();
  const replacement = new Map<onnx.INodeProto, onnx.INodeProto>();
  patterns.forEach((pattern, i) => {
    for (const n of [pattern.scores, ...pattern.chain.map((c) => c.node), pattern.softmax, ...pattern.tail]) removed.add(n);
    replacement.set(pattern.attended, scanNode(pattern, `afd_sliced_attention_${i}`, elemType));
  });
  graph.node = (graph.node ?? []).filter((n) => !removed.has(n)).map((n) => replacement.get(n) ?? n);
  removeDeadNodes(graph);
  return patterns.length;
}

class GraphIndex {
  readonly producer = new Map<string, onnx.INodeProto>();
  readonly consumers = new Map<string, onnx.INodeProto[]>();
  readonly initializers = new Map<string, onnx.ITensorProto>();
  readonly outputs: ReadonlySet<string>;

  constructor(graph: onnx.IGraphProto) {
    for (const n of graph.node ?? []) {
      for (const o of n.output ?? []) this.producer.set(o, n);
      for (const i of n.input ?? []) this.consumers.set(i, [...(this.consumers.get(i) ?? []), n]);
    }
    for (const t of graph.initializer ?? []) this.initializers.set(t.name ?? '', t);
    this.outputs = new Set((graph.output ?? []).map((o) => o.name ?? ''));
  }

  /** The only consumer of a tensor that is not a graph output, or undefined. */
  soleConsumer(tensor: string): onnx.INodeProto | undefined {
    const users = this.consumers.get(tensor) ?? [];
    return users.length === 1 && !this.outputs.has(tensor) ? users[0] : undefined;
  }

  /** A constant's tensor: an initializer or a Constant node's value. */
  constant(tensor: string): onnx.ITensorProto | undefined {
    const init = this.initializers.get(tensor);
    if (init) return init;
    const node = this.producer.get(tensor);
    if (node?.opType !== 'Constant') return undefined;
    return node.attribute?.find((a) => a.name === 'value')?.t ?? undefined;
  }

  isScalarConstant(tensor: string): boolean {
    const t = this.constant(tensor);
    if (!t) return false;
    const dims = (t.dims ?? []).map(Number);
    return dims.length <= 1 && dims.reduce((a, b) => a * b, 1) === 1;
  }

  /** `Mul(x, 0)` or `Mul(0, x)` with a zero scalar constant. */
  isZeroTerm(tensor: string): boolean {
    const node = this.producer.get(tensor);
    if (node?.opType !== 'Mul' || node.input?.length !== 2) return false;
    return node.input.some((i) => this.isScalarConstant(i) && scalarValue(this.constant(i) as onnx.ITensorProto) === 0);
  }

  /** The rank of a tensor made by a Transpose (its perm) or a Reshape to a constant shape. */
  rank(tensor: string): number | undefined {
    const node = this.producer.get(tensor);
    if (node?.opType === 'Transpose') {
      const perm = node.attribute?.find((a) => a.name === 'perm')?.ints;
      return perm && perm.length > 0 ? perm.length : undefined;
    }
    if (node?.opType === 'Reshape') {
      const shape = this.constant(node.input?.[1] ?? '');
      const dims = shape?.dims?.map(Number);
      return dims?.length === 1 ? dims[0] : undefined;
    }
    return undefined;
  }
}

function matchAttention(softmax: onnx.INodeProto, index: GraphIndex): AttentionPattern | undefined {
  const chain: { node: onnx.INodeProto; chainInput: number; dropped: boolean }[] = [];
  let tensor = softmax.input?.[0] ?? '';
  let node = index.producer.get(tensor);
  while (node && node.opType !== 'MatMul') {
    if (index.soleConsumer(tensor) === undefined) return undefined;
    const inputs = node.input ?? [];
    if (PASS_THROUGH.has(node.opType ?? '') && inputs.length === 1) {
      chain.unshift({ node, chainInput: 0, dropped: false });
    } else if (SCALAR_OPS.has(node.opType ?? '') && inputs.length === 2) {
      const constantAt = inputs.findIndex((i) => index.isScalarConstant(i));
      const zeroAt = node.opType === 'Add' ? inputs.findIndex((i) => index.isZeroTerm(i)) : -1;
      // Sub and Div only with the constant second: x - c, x / c.
      const other = zeroAt >= 0 ? zeroAt : constantAt;
      if (other < 0 || ((node.opType === 'Sub' || node.opType === 'Div') && other !== 1)) return undefined;
      chain.unshift({ node, chainInput: 1 - other, dropped: zeroAt >= 0 });
    } else {
      return undefined;
    }
    tensor = inputs[chain[0]?.chainInput ?? 0] ?? '';
    node = index.producer.get(tensor);
  }
  const scores = node;
  if (!scores || index.soleConsumer(tensor) === undefined || scores.input?.length !== 2) return undefined;
  const rank = index.rank(scores.input[1] ?? '') ?? index.rank(scores.input[0] ?? '');
  if (rank !== 3 && rank !== 4) return undefined;
  const axis = Number(softmax.attribute?.find((a) => a.name === 'axis')?.i ?? -1);
  if (axis !== -1 && axis !== rank - 1) return undefined;
  const tail: onnx.INodeProto[] = [];
  let probabilities = softmax.output?.[0] ?? '';
  let next = index.soleConsumer(probabilities);
  while (next && PASS_THROUGH.has(next.opType ?? '')) {
    tail.push(next);
    probabilities = next.output?.[0] ?? '';
    next = index.soleConsumer(probabilities);
  }
  if (next?.opType !== 'MatMul' || next.input?.[0] !== probabilities || next.input.length !== 2) return undefined;
  return { scores, chain, softmax, tail, attended: next, scanAxis: rank === 3 ? 0 : 1 };
}

/** The Scan that runs one pattern head by head, writing the pattern's output tensor. */
function scanNode(p: AttentionPattern, prefix: string, elemType: number): onnx.INodeProto {
  const name = (s: string): string => `${prefix}/${s}`;
  const [q, kT] = p.scores.input as [string, string];
  const v = p.attended.input?.[1] as string;
  const nodes: onnx.INodeProto[] = [];
  let current = name('scores');
  nodes.push(onnx.NodeProto.create({ opType: 'MatMul', name: name('MatMul_scores'), input: [name('q'), name('k_t')], output: [current] }));
  p.chain.forEach(({ node, chainInput, dropped }, i) => {
    if (dropped) return;
    const input = [...(node.input ?? [])];
    input[chainInput] = current;
    current = name(`chain_${i}`);
    nodes.push(onnx.NodeProto.create({ ...node, name: name(node.name || `chain_${i}`), input, output: [current] }));
  });
  const softmaxOut = name('probabilities');
  const axis = onnx.AttributeProto.create({ name: 'axis', type: AttributeType.INT, i: -1 });
  nodes.push(onnx.NodeProto.create({ opType: 'Softmax', name: name('Softmax'), input: [current], output: [softmaxOut], attribute: [axis] }));
  current = softmaxOut;
  p.tail.forEach((node, i) => {
    const out = name(`tail_${i}`);
    nodes.push(onnx.NodeProto.create({ ...node, name: name(node.name || `tail_${i}`), input: [current], output: [out] }));
    current = out;
  });
  nodes.push(onnx.NodeProto.create({ opType: 'MatMul', name: name('MatMul_attended'), input: [current, name('v')], output: [name('attended')] }));
  const typed = (n: string): onnx.IValueInfoProto => onnx.ValueInfoProto.create({ name: name(n), type: { tensorType: { elemType } } });
  const body = onnx.GraphProto.create({ name: name('body'), node: nodes, input: [typed('q'), typed('k_t'), typed('v')], output: [typed('attended')] });
  const ints = (n: string, values: number[]): onnx.IAttributeProto => onnx.AttributeProto.create({ name: n, type: AttributeType.INTS, ints: values });
  return onnx.NodeProto.create({
    opType: 'Scan',
    name: name('Scan'),
    input: [q, kT, v],
    output: [p.attended.output?.[0] as string],
    attribute: [
      onnx.AttributeProto.create({ name: 'body', type: AttributeType.GRAPH, g: body }),
      onnx.AttributeProto.create({ name: 'num_scan_inputs', type: AttributeType.INT, i: 3 }),
      ints('scan_input_axes', [p.scanAxis, p.scanAxis, p.scanAxis]),
      ints('scan_output_axes', [p.scanAxis]),
    ],
  });
}

/** Drops nodes whose outputs nothing uses (the zero terms' `empty` tensors), repeatedly. */
function removeDeadNodes(graph: onnx.IGraphProto): void {
  const outputs = new Set((graph.output ?? []).map((o) => o.name ?? ''));
  for (;;) {
    const used = new Set<string>(outputs);
    for (const n of graph.node ?? []) {
      for (const i of n.input ?? []) used.add(i);
      for (const a of n.attribute ?? []) if (a.g) for (const i of subgraphInputsUsed(a.g)) used.add(i);
    }
    const before = graph.node?.length ?? 0;
    graph.node = (graph.node ?? []).filter((n) => (n.output ?? []).some((o) => used.has(o)));
    if (graph.node.length === before) return;
  }
}

/** Names a subgraph's nodes read (some from the outer scope). */
function subgraphInputsUsed(graph: onnx.IGraphProto): string[] {
  return (graph.node ?? []).flatMap((n) => [...(n.input ?? []), ...(n.attribute ?? []).flatMap((a) => (a.g ? subgraphInputsUsed(a.g) : []))]);
}

/** The float type attention runs in: that of the graph's first float input. */
function floatElemType(graph: onnx.IGraphProto): number | undefined {
  const { FLOAT, FLOAT16 } = onnx.TensorProto.DataType;
  for (const input of graph.input ?? []) {
    const elem = input.type?.tensorType?.elemType;
    if (elem === FLOAT || elem === FLOAT16) return elem;
  }
  return undefined;
}

function scalarValue(t: onnx.ITensorProto): number | undefined {
  const { FLOAT, FLOAT16, DOUBLE } = onnx.TensorProto.DataType;
  if (t.floatData && t.floatData.length > 0) return t.floatData[0];
  if (t.doubleData && t.doubleData.length > 0) return t.doubleData[0];
  const raw = t.rawData;
  if (!raw || raw.length === 0) return undefined;
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  if (t.dataType === FLOAT && raw.length >= 4) return view.getFloat32(0, true);
  if (t.dataType === DOUBLE && raw.length >= 8) return view.getFloat64(0, true);
  if (t.dataType === FLOAT16 && raw.length >= 2) return view.getUint16(0, true) & 0x7fff ? 1 : 0;
  return undefined;
}

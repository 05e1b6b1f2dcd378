/**
 * The VAE encoder of a model directory, made deterministic at load time.
 *
 * diffusers' exporter traces `vae.encode(x).latent_dist.sample()`, so a real export's graph ends in
 * `latent_sample = mean + std · Cast(RandomNormalLike(…))`: onnxruntime's own unseeded generator,
 * which no request seed controls. Image to image must draw that noise from the request's generator
 * (diffusers draws it first), so the graph is cut, in memory, at the distribution: the random tail
 * is dropped and `mean` and `std` become the outputs (`latent_dist_mean`, `latent_dist_std`, as in
 * the reference fixture's `vae_encoder_dist/`). Nothing is written to the model directory.
 *
 * Encoders that already output the moments (optimum's `latent_parameters`: mean ‖ logvar on 8
 * channels, as the project's generated models) are used as they are.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, normalize, sep } from 'node:path';
import { onnx } from 'onnx-proto';

export const MEAN_OUTPUT = 'latent_dist_mean';
export const STD_OUTPUT = 'latent_dist_std';

/** How to get the latent distribution out of a usable encoder. */
export type VaeEncoderGraph =
  /** The sampling tail was cut: the model (bytes) outputs MEAN_OUTPUT and STD_OUTPUT. */
  | { readonly kind: 'distribution'; readonly model: Uint8Array }
  /** The graph file outputs the moments [B, 2C, h, w] (mean ‖ logvar) under `output`. */
  | { readonly kind: 'moments'; readonly path: string; readonly output: string };

/** Thrown when a vae_encoder graph is neither a sampling export nor a moments export. */
export class VaeEncoderGraphError extends Error {
  constructor(readonly problem: string) {
    super(problem);
    this.name = 'VaeEncoderGraphError';
  }
}

const RANDOM_OPS = new Set(['RandomNormalLike', 'RandomNormal']);
/** Ops that pass the noise through unchanged in value between the generator and the multiply. */
const PASS_THROUGH = new Set(['Cast', 'Identity']);

/** Reads `path` (a vae_encoder/model.onnx) and makes it deterministic; throws VaeEncoderGraphError when it cannot. */
export function prepareVaeEncoderGraph(path: string): VaeEncoderGraph {
  const model = decode(path);
  const graph = model.graph as onnx.IGraphProto;
  const moments = momentsOutput(graph);
  if (moments !== null) return { kind: 'moments', path, output: moments };
  const { mean, std } = findDistribution(graph);
  cutAt(graph, mean, std);
  inlineExternalData(graph, dirname(path));
  return { kind: 'distribution', model: onnx.ModelProto.encode(model).finish() };
}

/**
 * Whether image to image can use this encoder: the reason it cannot, or null when it can. Reads
 * the graph's structure only (no session), for a checkpoint catalog to answer before any load.
 */
export function checkVaeEncoder(path: string | null): string | null {
  if (path === null) return 'the checkpoint has no vae_encoder component';
  try {
    const graph = decode(path).graph as onnx.IGraphProto;
    if (momentsOutput(graph) === null) findDistribution(graph);
    return null;
  } catch (error) {
    if (error instanceof VaeEncoderGraphError) return `its vae_encoder/model.onnx ${error.problem}`;
    return `its vae_encoder/model.onnx cannot be read (${error instanceof Error ? error.message : String(error)})`;
  }
}

function decode(path: string): onnx.ModelProto {
  let model: onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(readFileSync(path));
  } catch (error) {
    throw new VaeEncoderGraphError(`is not an ONNX model (${error instanceof Error ? error.message : String(error)})`);
  }
  if (!model.graph) throw new VaeEncoderGraphError('has no graph');
  return model;
}

/** The moments output of a graph that does not sample, or null for a sampling graph. */
function momentsOutput(graph: onnx.IGraphProto): string | null {
  if ((graph.node ?? []).some((n) => RANDOM_OPS.has(n.opType ?? ''))) return null;
  const outputs = (graph.output ?? []).map((o) => o.name ?? '');
  if (outputs.length !== 1) throw new VaeEncoderGraphError(`has outputs ${outputs.join(', ')}: expected one moments output (mean ‖ logvar) or a graph that samples`);
  return outputs[0] as string;
}

/** Finds `Add(mean, Mul(std, Cast(RandomNormalLike(…))))` (either operand order) and answers the mean and std tensors. */
function findDistribution(graph: onnx.IGraphProto): { mean: string; std: string } {
  const nodes = graph.node ?? [];
  const consumers = (tensor: string): onnx.INodeProto[] => nodes.filter((n) => (n.input ?? []).includes(tensor));
  const found: { mean: string; std: string }[] = [];
  for (const random of nodes.filter((n) => RANDOM_OPS.has(n.opType ?? ''))) {
    let noise = random.output?.[0] ?? '';
    for (;;) {
      const next = consumers(noise);
      const pass = next.length === 1 && PASS_THROUGH.has(next[0]?.opType ?? '') ? next[0] : undefined;
      if (!pass) break;
      noise = pass.output?.[0] ?? '';
    }
    for (const mul of consumers(noise).filter((n) => n.opType === 'Mul' && n.input?.length === 2)) {
      const std = mul.input?.find((i) => i !== noise);
      const scaled = mul.output?.[0] ?? '';
      for (const add of consumers(scaled).filter((n) => n.opType === 'Add' && n.input?.length === 2)) {
        const mean = add.input?.find((i) => i !== scaled);
        if (std && mean) found.push({ mean, std });
      }
    }
  }
  if (found.length !== 1) {
    throw new VaeEncoderGraphError(`samples in the graph but ${found.length === 0 ? 'no' : found.length} Add(mean, Mul(std, RandomNormalLike)) pattern was found; expected exactly one`);
  }
  return found[0] as { mean: string; std: string };
}

/** Keeps only what mean and std need, and makes them the graph's outputs. */
function cutAt(graph: onnx.IGraphProto, mean: string, std: string): void {
  const nodes = graph.node ?? [];
  const producer = new Map<string, onnx.INodeProto>();
  for (const n of nodes) for (const o of n.output ?? []) producer.set(o, n);
  const needed = new Set<string>();
  const kept = new Set<onnx.INodeProto>();
  const stack = [mean, std];
  while (stack.length > 0) {
    const tensor = stack.pop() as string;
    if (needed.has(tensor)) continue;
    needed.add(tensor);
    const node = producer.get(tensor);
    if (!node || kept.has(node)) continue;
    if (RANDOM_OPS.has(node.opType ?? '')) throw new VaeEncoderGraphError('the distribution itself depends on the random generator');
    kept.add(node);
    for (const input of node.input ?? []) if (input !== '') stack.push(input);
  }
  const original = graph.output?.[0];
  const outputType = original?.type ?? { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT } };
  graph.node = [
    ...nodes.filter((n) => kept.has(n)),
    onnx.NodeProto.create({ opType: 'Identity', name: `${MEAN_OUTPUT}_identity`, input: [mean], output: [MEAN_OUTPUT] }),
    onnx.NodeProto.create({ opType: 'Identity', name: `${STD_OUTPUT}_identity`, input: [std], output: [STD_OUTPUT] }),
  ];
  graph.output = [MEAN_OUTPUT, STD_OUTPUT].map((name) => onnx.ValueInfoProto.create({ name, type: outputType }));
  graph.initializer = (graph.initializer ?? []).filter((t) => needed.has(t.name ?? ''));
  graph.valueInfo = (graph.valueInfo ?? []).filter((v) => needed.has(v.name ?? ''));
}

/**
 * A model held in memory cannot point at weight files beside it (onnxruntime resolves them
 * relative to a model path), so weights stored externally are read into the tensors.
 */
function inlineExternalData(graph: onnx.IGraphProto, dir: string): void {
  const files = new Map<string, Buffer>();
  for (const tensor of graph.initializer ?? []) {
    if (tensor.dataLocation !== onnx.TensorProto.DataLocation.EXTERNAL) continue;
    const entry = (key: string): string | undefined => tensor.externalData?.find((e) => e.key === key)?.value ?? undefined;
    const location = entry('location');
    if (!location) throw new VaeEncoderGraphError(`tensor ${tensor.name} is stored externally without a location`);
    const file = normalize(join(dir, location));
    if (!file.startsWith(dir + sep)) throw new VaeEncoderGraphError(`tensor ${tensor.name} points outside the component folder (${location})`);
    let data = files.get(file);
    if (!data) {
      data = readFileSync(file);
      files.set(file, data);
    }
    const offset = Number(entry('offset') ?? 0);
    const length = entry('length') === undefined ? data.length - offset : Number(entry('length'));
    if (!(offset >= 0 && length >= 0 && offset + length <= data.length)) throw new VaeEncoderGraphError(`tensor ${tensor.name}'s external data lies outside ${location}`);
    tensor.rawData = data.subarray(offset, offset + length);
    tensor.dataLocation = onnx.TensorProto.DataLocation.DEFAULT;
    tensor.externalData = [];
  }
}

/**
 * The one module that imports onnxruntime-node. Everything else asks it for sessions and speaks
 * engine tensors (tensor.ts), so swapping or upgrading the runtime touches this file only.
 *
 * `session.run()` blocks the calling thread for the whole inference in onnxruntime-node; callers
 * that serve requests must run sessions inside worker threads.
 */
import * as ort from 'onnxruntime-node';
import { tensor, type Tensor, type TensorType } from './tensor';

/** `cpu`, or `cuda:N` for the CUDA execution provider on GPU N (needs the CUDA add-on installed). */
export type DeviceSpec = 'cpu' | `cuda:${number}`;
export type GraphOptimizationLevel = 'disabled' | 'basic' | 'extended' | 'all';

export interface RuntimeOptions {
  readonly device: DeviceSpec;
  /** Threads inside one operator; 0 lets onnxruntime choose (one per core). */
  readonly intraOpThreads?: number;
  readonly interOpThreads?: number;
  readonly graphOptimization?: GraphOptimizationLevel;
  /**
   * CPU only: onnxruntime's arena for activations (its default, on). Off, buffers go back to the
   * system after each run instead of staying reserved in the arena at their largest size.
   */
  readonly cpuArena?: boolean;
  /** Activation buffers planned once per input shape and kept between runs (onnxruntime's default, on). */
  readonly memoryPattern?: boolean;
  /** Intra-op threads busy-wait between operators (onnxruntime's default, on): faster hand-offs, a core kept hot. */
  readonly spinning?: boolean;
  /**
   * UNet and VAE decoder attention one head at a time (engine/model/sliced-attention.ts; default
   * on): the same values with a fraction of the memory. Read by the loader, not by onnxruntime.
   */
  readonly slicedAttention?: boolean;
  /**
   * Reuse graphs onnxruntime already optimised (engine/model/optimized-model-cache.ts): written on a
   * component's first load, next to it or under `fallbackDir` when its folder is read-only. Absent: off.
   */
  readonly optimizedModelCache?: { readonly fallbackDir: string };
}

/** Where a session's creation also writes its optimised graph: `modelPath`, its weights in `weightsFileName` beside it. */
export interface SaveOptimizedGraph {
  readonly modelPath: string;
  readonly weightsFileName: string;
}

/** The onnxruntime release in use (an optimised graph is reused only by the release that wrote it). */
export const ONNX_RUNTIME_VERSION: string = ort.env.versions.node ?? ort.env.versions.common;

export interface ValueInfo {
  readonly name: string;
  /** Element type as onnxruntime reports it (`float32`, `float16`, `int64`...), or `non-tensor`. */
  readonly type: string;
  /** Numbers for fixed dimensions, names for dynamic ones; empty for a scalar. */
  readonly shape: ReadonlyArray<number | string>;
}

const SUPPORTED_TYPES: ReadonlySet<string> = new Set<TensorType>(['float32', 'float16', 'int32', 'int64']);

/** How a model is read and what its loading also writes. */
export interface ModelSource {
  /** Where a model given as bytes finds the weight files it stores externally (its component folder). */
  readonly externalDataDir?: string;
  /** Also write the optimised graph there (the optimised-graph cache). */
  readonly save?: SaveOptimizedGraph;
}

/** Anything that runs a graph on named tensors: an OnnxSession, or a wrapper that times or traces one. */
export interface TensorRunner {
  run(feeds: Readonly<Record<string, Tensor>>): Promise<Record<string, Tensor>>;
}

export class OnnxSession implements TensorRunner {
  private released = false;

  private constructor(
    private readonly session: ort.InferenceSession,
    readonly inputs: readonly ValueInfo[],
    readonly outputs: readonly ValueInfo[],
  ) {}

  /**
   * Loads a model file (external data files are resolved relative to it) or a model held in memory
   * (its weights inside it, e.g. a graph rewritten at load time).
   */
  static async load(model: string | Uint8Array, options: RuntimeOptions, source: ModelSource = {}): Promise<OnnxSession> {
    const settings = source.save ? withSavedGraph(sessionOptions(options, source), source.save) : sessionOptions(options, source);
    const session = typeof model === 'string' ? await ort.InferenceSession.create(model, settings) : await ort.InferenceSession.create(model, settings);
    return new OnnxSession(session, session.inputMetadata.map(valueInfo), session.outputMetadata.map(valueInfo));
  }

  async run(feeds: Readonly<Record<string, Tensor>>): Promise<Record<string, Tensor>> {
    if (this.released) throw new Error('session was released');
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = new ort.Tensor(t.type, t.data, t.dims);
    const results = await this.session.run(ortFeeds);
    const out: Record<string, Tensor> = {};
    for (const [name, value] of Object.entries(results)) out[name] = fromOrt(name, value);
    return out;
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.session.release();
  }
}

function sessionOptions(options: RuntimeOptions, source: ModelSource): ort.InferenceSession.SessionOptions {
  const session: Record<string, unknown> = {};
  if (options.spinning !== undefined) session['intra_op'] = { allow_spinning: options.spinning ? '1' : '0' };
  if (source.externalDataDir !== undefined) session['model_external_initializers_file_folder_path'] = source.externalDataDir;
  const provider: ort.InferenceSession.ExecutionProviderConfig =
    options.device === 'cpu' ? 'cpu' : { name: 'cuda', deviceId: cudaDeviceId(options.device) };
  return {
    executionProviders: [provider],
    graphOptimizationLevel: options.graphOptimization ?? 'all',
    intraOpNumThreads: options.intraOpThreads ?? 0,
    interOpNumThreads: options.interOpThreads ?? 0,
    ...(options.cpuArena !== undefined ? { enableCpuMemArena: options.cpuArena } : {}),
    ...(options.memoryPattern !== undefined ? { enableMemPattern: options.memoryPattern } : {}),
    ...(Object.keys(session).length > 0 ? { extra: { session } } : {}),
    // Warnings about float16 nodes falling back to CPU kernels are expected; keep logs for errors.
    logSeverityLevel: 3,
  };
}

/**
 * onnxruntime writes the graph after optimising it; every initializer of 1 KiB or more goes to one
 * external file (a protobuf cannot exceed 2 GB; keys from onnxruntime_session_options_config_keys.h).
 */
function withSavedGraph(settings: ort.InferenceSession.SessionOptions, save: SaveOptimizedGraph): ort.InferenceSession.SessionOptions {
  const extra = settings.extra ?? {};
  const session = (extra['session'] ?? {}) as Record<string, unknown>;
  return {
    ...settings,
    optimizedModelFilePath: save.modelPath,
    extra: {
      ...extra,
      session: { ...session, optimized_model_external_initializers_file_name: save.weightsFileName, optimized_model_external_initializers_min_size_in_bytes: '1024' },
    },
  };
}

function cudaDeviceId(device: string): number {
  const id = Number(device.slice('cuda:'.length));
  if (!Number.isInteger(id) || id < 0) throw new Error(`device "${device}" is not cpu or cuda:N`);
  return id;
}

function valueInfo(meta: ort.InferenceSession.ValueMetadata): ValueInfo {
  if (!meta.isTensor) return { name: meta.name, type: 'non-tensor', shape: [] };
  return { name: meta.name, type: meta.type, shape: [...meta.shape] };
}

function fromOrt(name: string, value: ort.Tensor): Tensor {
  if (!SUPPORTED_TYPES.has(value.type)) throw new Error(`output ${name} has unsupported type ${value.type}`);
  const dims = [...value.dims];
  switch (value.type) {
    case 'float32':
      return tensor('float32', value.data as Float32Array, dims);
    case 'float16':
      // onnxruntime returns Uint16Array (or Float16Array where the platform has one): keep the bits.
      return tensor('float16', new Uint16Array((value.data as Uint16Array).buffer, (value.data as Uint16Array).byteOffset, value.size), dims);
    case 'int32':
      return tensor('int32', value.data as Int32Array, dims);
    default:
      return tensor('int64', value.data as BigInt64Array, dims);
  }
}

/** The VAE encoder as a session: the graph made deterministic (vae-encoder-graph.ts), then loaded. */
import { ModelDirectoryError } from '../errors';
import type { FloatType } from '../runtime/float-tensor';
import { OnnxSession, type RuntimeOptions, type TensorRunner } from '../runtime/onnx-runtime';
import type { ComponentFingerprint } from './file-fingerprints';
import { VAE_ENCODER_GRAPH } from './model-directory';
import { loadOptimizedSession } from './optimized-model-cache';
import { prepareVaeEncoderGraph, VaeEncoderGraphError } from './vae-encoder-graph';

/** A loaded encoder and how its outputs read (see vae-encoder-graph.ts). */
export interface VaeEncoder {
  readonly runner: TensorRunner;
  /** `distribution`: MEAN_OUTPUT and STD_OUTPUT; `moments`: `output` holds mean ‖ logvar. */
  readonly outputs: { readonly kind: 'distribution' } | { readonly kind: 'moments'; readonly output: string };
  /** The `sample` input's float type. */
  readonly dtype: FloatType;
}

export interface LoadedVaeEncoder {
  readonly encoder: VaeEncoder;
  readonly session: OnnxSession;
}

/**
 * Throws ModelDirectoryError naming vae_encoder/model.onnx when the graph is unusable or onnxruntime
 * rejects it. A graph used as it is goes through the optimised-graph cache (`source`: its fingerprint
 * when known); one rewritten in memory is optimised on every load (a VAE encoder is small).
 */
export async function loadVaeEncoder(dir: string, path: string, runtime: RuntimeOptions, source?: ComponentFingerprint): Promise<LoadedVaeEncoder> {
  let session: OnnxSession;
  let outputs: VaeEncoder['outputs'];
  try {
    const graph = prepareVaeEncoderGraph(path);
    session = graph.kind === 'distribution' ? await OnnxSession.load(graph.model, runtime) : (await loadOptimizedSession(graph.path, runtime, source)).session;
    outputs = graph.kind === 'distribution' ? { kind: 'distribution' } : { kind: 'moments', output: graph.output };
  } catch (error) {
    const problem = error instanceof VaeEncoderGraphError ? error.problem : `onnxruntime cannot load it (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`;
    throw new ModelDirectoryError(dir, VAE_ENCODER_GRAPH, problem);
  }
  const sample = session.inputs.find((i) => i.name === 'sample');
  if (!sample || (sample.type !== 'float32' && sample.type !== 'float16')) {
    await session.release();
    throw new ModelDirectoryError(dir, VAE_ENCODER_GRAPH, `needs a float32 or float16 input "sample", has ${session.inputs.map((i) => `${i.name} (${i.type})`).join(', ')}`);
  }
  return { encoder: { runner: session, outputs, dtype: sample.type }, session };
}

/**
 * A model directory with its three graphs loaded as onnxruntime sessions on one device, and its VAE
 * encoder (image to image) when it has a usable one.
 */
import { ModelDirectoryError } from '../errors';
import type { OnnxSession, RuntimeOptions } from '../runtime/onnx-runtime';
import { readSignature, type ModelSignature } from './component-signatures';
import { componentRuntime } from './component-runtime';
import { loadComponentSession } from './load-component-session';
import { loadVaeEncoder, type VaeEncoder } from './load-vae-encoder';
import { readModelDirectory, type ModelDirectory } from './model-directory';

export interface LoadedModel {
  readonly directory: ModelDirectory;
  readonly signature: ModelSignature;
  readonly textEncoder: OnnxSession;
  readonly unet: OnnxSession;
  readonly vaeDecoder: OnnxSession;
  /** Absent when the directory has no usable vae_encoder: image to image is then refused. */
  readonly vaeEncoder?: VaeEncoder;
  /** Why there is no vaeEncoder (for the refusal's message). */
  readonly vaeEncoderProblem?: string;
  release(): Promise<void>;
}

/**
 * Creates the sessions one after another: onnxruntime-node creates a session synchronously on the
 * calling thread, so starting them together would not overlap them (measured: README, "Cold start").
 */
export async function loadModel(dir: string, runtime: RuntimeOptions): Promise<LoadedModel> {
  const directory = readModelDirectory(dir);
  const load = async (component: keyof ModelDirectory['graphs']): Promise<OnnxSession> => {
    try {
      return (await loadComponentSession(directory.graphs[component], runtime, { kind: component })).session;
    } catch (error) {
      throw new ModelDirectoryError(dir, `${component}/model.onnx`, `onnxruntime cannot load it (${firstLine(error)})`);
    }
  };
  const sessions: OnnxSession[] = [];
  try {
    const textEncoder = await load('text_encoder');
    sessions.push(textEncoder);
    const unet = await load('unet');
    sessions.push(unet);
    const vaeDecoder = await load('vae_decoder');
    sessions.push(vaeDecoder);
    const signature = readSignature(dir, { textEncoder, unet, vaeDecoder });
    // Optional: a broken encoder only takes image to image away, with the reason kept for the refusal.
    let encoder: Pick<LoadedModel, 'vaeEncoder' | 'vaeEncoderProblem'> = { vaeEncoderProblem: 'the checkpoint has no vae_encoder component' };
    if (directory.vaeEncoderGraph !== null) {
      try {
        const loaded = await loadVaeEncoder(dir, directory.vaeEncoderGraph, componentRuntime('vae_encoder', runtime));
        sessions.push(loaded.session);
        encoder = { vaeEncoder: loaded.encoder };
      } catch (error) {
        if (!(error instanceof ModelDirectoryError)) throw error;
        encoder = { vaeEncoderProblem: error.problem };
      }
    }
    return {
      directory,
      signature,
      textEncoder,
      unet,
      vaeDecoder,
      ...encoder,
      release: async () => {
        await Promise.all(sessions.map((s) => s.release()));
      },
    };
  } catch (error) {
    await Promise.all(sessions.map((s) => s.release()));
    throw error;
  }
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0]?.slice(0, 300) ?? '';
}

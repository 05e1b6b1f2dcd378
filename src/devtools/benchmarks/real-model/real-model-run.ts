/**
 * One measured text-to-image generation on a model directory, phase by phase: each component's
 * session creation, the text encoder, every UNet step, the VAE decode and the PNG, each with its
 * time and its peak resident memory. Meant to run alone in its own process (`bench:real` spawns
 * one per size), so the figures are this generation's and nothing else's.
 */
import { createHash } from 'node:crypto';
import { statSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { encodeImage } from '../../../engine/image/encode-image';
import { readSignature } from '../../../engine/model/component-signatures';
import type { LoadedModel } from '../../../engine/model/loaded-model';
import { loadComponentSession } from '../../../engine/model/load-component-session';
import { COMPONENTS, readModelDirectory, type ComponentName } from '../../../engine/model/model-directory';
import { parseGenerationRequest } from '../../../engine/pipeline/generation-request';
import { DEFAULT_TILE_ABOVE_PIXELS } from '../../../engine/pipeline/vae-tiling';
import { StableDiffusionPipeline } from '../../../engine/pipeline/stable-diffusion-pipeline';
import type { OnnxSession, RuntimeOptions } from '../../../engine/runtime/onnx-runtime';
import { nowMs } from '../timing';
import { createMemoryProbe } from './peak-memory';
import type { PhaseFigure, RealRunReport } from './real-model-report';

export interface RealRunOptions {
  readonly modelDir: string;
  readonly size: number;
  readonly steps: number;
  readonly guidance: number;
  readonly runtime: RuntimeOptions;
  /** Per-component overrides of `runtime` (e.g. the arena off for the VAE decoder only). */
  readonly componentRuntime?: Partial<Record<ComponentName, Partial<RuntimeOptions>>>;
  /** Images above this many pixels decode in tiles (vae-tiling.ts; default its DEFAULT_TILE_ABOVE_PIXELS). */
  readonly tileAbovePixels?: number;
}

export const BENCH_PROMPT = 'a woman wearing a red and gold kente maxi dress with cowrie shell accessories, studio photo';
export const BENCH_NEGATIVE = 'blurry, low quality';

/** Bytes of a component's folder: its graph and any external weights beside it. */
export function componentBytes(graphPath: string): number {
  const dir = dirname(graphPath);
  return readdirSync(dir).reduce((total, name) => total + statSync(join(dir, name)).size, 0);
}

export async function runRealModel(options: RealRunOptions): Promise<RealRunReport> {
  const memory = createMemoryProbe();
  const phases: PhaseFigure[] = [];
  const measure = async <T>(phase: string, work: () => Promise<T>): Promise<T> => {
    memory.resetPeak();
    const started = nowMs();
    const result = await work();
    phases.push({ phase, ms: nowMs() - started, peakRssBytes: memory.peak(), endRssBytes: memory.rss() });
    return result;
  };

  const baselineRssBytes = memory.rss();
  const directory = readModelDirectory(options.modelDir);
  const sessions = {} as Record<ComponentName, OnnxSession>;
  const loadCache: Partial<Record<ComponentName, string>> = {};
  let weightBytes = 0;
  for (const component of COMPONENTS) {
    const runtime = { ...options.runtime, ...options.componentRuntime?.[component] };
    const graph = directory.graphs[component];
    let cache = '';
    sessions[component] = await measure(`load ${component}`, async () => {
      const loaded = await loadComponentSession(graph, runtime, { kind: component });
      cache = loaded.cache;
      return loaded.session;
    });
    loadCache[component] = cache;
    weightBytes += componentBytes(directory.graphs[component]);
  }
  const model: LoadedModel = {
    directory,
    signature: readSignature(options.modelDir, { textEncoder: sessions.text_encoder, unet: sessions.unet, vaeDecoder: sessions.vae_decoder }),
    textEncoder: sessions.text_encoder,
    unet: sessions.unet,
    vaeDecoder: sessions.vae_decoder,
    vaeEncoderProblem: 'not loaded by the benchmark',
    release: async () => {
      await Promise.all(Object.values(sessions).map((s) => s.release()));
    },
  };
  const tileAbovePixels = options.tileAbovePixels ?? DEFAULT_TILE_ABOVE_PIXELS;
  const pipeline = new StableDiffusionPipeline(model, { vaeDecode: { tileAbovePixels } });
  const request = parseGenerationRequest({
    prompt: BENCH_PROMPT,
    negativePrompt: BENCH_NEGATIVE,
    width: options.size,
    height: options.size,
    steps: options.steps,
    guidanceScale: options.guidance,
    scheduler: 'euler',
    seed: 42,
  });
  const embeddings = await measure('text encoder', () => pipeline.encodeRequest(request));
  const sequences = pipeline.createSequences(request, embeddings);
  const first = sequences[0];
  if (!first) throw new Error('no sequence');
  const unetStepMs: number[] = [];
  let stepPeak = 0;
  const stepsStarted = nowMs();
  memory.resetPeak();
  while (!first.done) {
    const started = nowMs();
    await pipeline.step(sequences);
    unetStepMs.push(nowMs() - started);
    stepPeak = Math.max(stepPeak, memory.peak());
  }
  phases.push({ phase: `UNet x${unetStepMs.length}`, ms: nowMs() - stepsStarted, peakRssBytes: stepPeak, endRssBytes: memory.rss() });
  const [image] = await measure('VAE decode', () => pipeline.decode(sequences));
  if (!image) throw new Error('no image');
  await measure('PNG', () => encodeImage(image, { format: 'png' }));
  await pipeline.release();
  const peakRssBytes = Math.max(...phases.map((p) => p.peakRssBytes));
  return {
    size: options.size,
    steps: options.steps,
    guidance: options.guidance,
    runtime: { ...options.runtime, ...(options.componentRuntime ? { perComponent: options.componentRuntime } : {}) },
    optimizedGraphCache: loadCache,
    vaeDecoding: model.signature.vaeTileable && options.size * options.size > tileAbovePixels ? 'tiled' : 'untiled',
    weightBytes,
    baselineRssBytes,
    phases,
    unetStepMs,
    peakRssBytes,
    peakRssPerWeight: peakRssBytes / weightBytes,
    peakResettable: memory.resettable,
    imageSha256: createHash('sha256').update(image.data).digest('hex'),
  };
}

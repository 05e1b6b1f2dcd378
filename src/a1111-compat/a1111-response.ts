/**
 * A finished generation as the web UI's answer: `images` (base64 PNGs, or none when send_images is
 * false), `parameters` (the request echoed, A1111's defaults filled) and `info`, a JSON string in
 * the shape of the web UI's `Processed.js()` whose `infotexts` are the images' own PNG
 * `parameters` text.
 */
import { readPngTextChunks } from '../engine/image/png-text-chunk';
import { samplerLabel } from '../engine/schedulers';
import type { GenerationRecord } from '../generation/generation-store';
import type { A1111Ask } from './a1111-request';

export interface A1111ImagesBody {
  readonly images: string[];
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly info: string;
}

/** What `info` says besides the request: the checkpoint's hash as the web UI shortens it. */
export interface A1111AnswerContext {
  readonly checkpointHash: string;
  readonly version: string;
}

/** With send_images the record must hold its images' bytes (Generations.withImageBytes). */
export function a1111ImagesResponse(record: GenerationRecord, ask: A1111Ask, context: A1111AnswerContext): A1111ImagesBody {
  const g = ask.generation;
  const seeds = record.images.map((i) => seedValue(i.seed));
  const count = record.images.length;
  const infotexts = record.images.map((i) => (i.bytes.length > 0 ? (readPngTextChunks(i.bytes).get('parameters') ?? '') : ''));
  const prompt = String(g['prompt']);
  const negative = String(g['negativePrompt']);
  const info = {
    prompt,
    all_prompts: Array<string>(count).fill(prompt),
    negative_prompt: negative,
    all_negative_prompts: Array<string>(count).fill(negative),
    seed: seeds[0] ?? -1,
    all_seeds: seeds,
    subseed: -1,
    all_subseeds: seeds.map(() => -1),
    subseed_strength: 0,
    width: g['width'],
    height: g['height'],
    sampler_name: samplerLabel(ask.scheduler),
    cfg_scale: g['guidanceScale'],
    steps: g['steps'],
    batch_size: ask.parameters['batch_size'] ?? 1,
    restore_faces: false,
    face_restoration_model: null,
    sd_model_name: record.checkpointId,
    sd_model_hash: context.checkpointHash.slice(0, 10),
    sd_vae_name: null,
    sd_vae_hash: null,
    seed_resize_from_w: -1,
    seed_resize_from_h: -1,
    denoising_strength: record.imageToImage?.strength ?? null,
    extra_generation_params: g['emphasis'] === 'no-norm' ? { Emphasis: 'No norm' } : {},
    index_of_first_image: 0,
    infotexts,
    styles: [],
    job_timestamp: timestamp(record.createdAt),
    clip_skip: 1,
    is_using_inpainting_conditioning: false,
    version: context.version,
  };
  return {
    images: ask.sendImages ? record.images.map((i) => i.bytes.toString('base64')) : [],
    parameters: ask.parameters,
    info: JSON.stringify(info),
  };
}

/** Seeds as JSON numbers, as the web UI sends them (random seeds here stay below 2^53); larger ones as strings, never rounded. */
function seedValue(seed: string): number | string {
  const n = Number(seed);
  return Number.isSafeInteger(n) ? n : seed;
}

/** The web UI's job timestamp: YYYYMMDDhhmmss (UTC here). */
function timestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

/**
 * The `parameters` text people know from the AUTOMATIC1111 web UI, so images from this API can be
 * read by the same tools:
 *
 *   a red kente dress
 *   Negative prompt: blurry
 *   Steps: 20, Sampler: Euler a, CFG scale: 7.5, Seed: 42, Size: 512x512, Model hash: 1a2b3c4d5e, Model: final
 *
 * Image to image adds `Denoising strength: 0.6` after the model, where the web UI's img2img puts it.
 */
import { SCHEDULER_NAMES, samplerLabel, type SchedulerName } from '../schedulers';

/** The web UI's sampler names for our schedulers (PNDM without PRK steps is its PLMS; see sampler-catalog.ts). */
export const SAMPLER_LABELS: Readonly<Record<SchedulerName, string>> = Object.fromEntries(SCHEDULER_NAMES.map((id) => [id, samplerLabel(id)])) as Record<SchedulerName, string>;

export interface GenerationParameters {
  readonly prompt: string;
  readonly negativePrompt: string;
  readonly steps: number;
  readonly scheduler: SchedulerName;
  readonly guidanceScale: number;
  readonly seed: bigint;
  readonly width: number;
  readonly height: number;
  readonly checkpointId: string;
  /** Content hash of the checkpoint (its UNet); the first 10 hex digits are shown, as the web UI does. */
  readonly checkpointHash: string;
  readonly noiseMode?: string;
  /** Written only when not the default, as the web UI writes `Emphasis: No norm`. */
  readonly emphasis?: string;
  /** Image to image: the strength it ran at. */
  readonly strength?: number;
}

export function formatGenerationParameters(p: GenerationParameters): string {
  const lines = [p.prompt];
  if (p.negativePrompt) lines.push(`Negative prompt: ${p.negativePrompt}`);
  const fields: Array<[string, string]> = [
    ['Steps', String(p.steps)],
    ['Sampler', SAMPLER_LABELS[p.scheduler]],
    ['CFG scale', String(p.guidanceScale)],
    ['Seed', p.seed.toString()],
    ['Size', `${p.width}x${p.height}`],
    ['Model hash', p.checkpointHash.slice(0, 10)],
    ['Model', p.checkpointId],
  ];
  if (p.strength !== undefined) fields.push(['Denoising strength', String(p.strength)]);
  if (p.noiseMode) fields.push(['RNG', p.noiseMode === 'torch' ? 'CPU' : p.noiseMode]);
  if (p.emphasis === 'no-norm') fields.push(['Emphasis', 'No norm']);
  lines.push(fields.map(([k, v]) => `${k}: ${quoteIfNeeded(v)}`).join(', '));
  return lines.join('\n');
}

/** The web UI quotes values containing its separators. */
function quoteIfNeeded(value: string): string {
  return /[,:\n"]/.test(value) ? JSON.stringify(value) : value;
}

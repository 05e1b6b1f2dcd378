/** A generation as REST's JSON shows it: state, progress and each image's URL (and, asked for, its bytes in base64). */
import { generationImageUrl } from '../common/result-urls';
import type { GenerationRecord } from './generation-store';

export interface GenerationView {
  readonly id: string;
  readonly status: string;
  readonly checkpoint: string;
  readonly progress: { step: number; totalSteps: number; etaMs: number };
  readonly images: ReadonlyArray<{ index: number; seed: string; mimeType: string; url: string; base64?: string }>;
  readonly error?: { code: string; message: string };
  readonly imageToImage?: { strength: number };
}

/** With `base64` the record must hold its images' bytes (Generations.withImageBytes). */
export function generationView(record: GenerationRecord, base64: boolean): GenerationView {
  return {
    id: record.id,
    status: record.status,
    checkpoint: record.checkpointId,
    progress: record.progress,
    images: record.images.map((i) => ({
      index: i.index,
      seed: i.seed,
      mimeType: i.mimeType,
      url: generationImageUrl(record.id, i.index),
      ...(base64 ? { base64: i.bytes.toString('base64') } : {}),
    })),
    ...(record.error ? { error: record.error } : {}),
    ...(record.imageToImage ? { imageToImage: { ...record.imageToImage } } : {}),
  };
}

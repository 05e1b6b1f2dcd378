/** A generation as every replica sees it, stored in Redis as JSON (image bytes live under their own keys). */
import type { GenerationRecord, GenerationStatus } from '../generation/generation-store';

export interface GenerationState {
  readonly id: string;
  readonly checkpointId: string;
  readonly createdAt: number;
  readonly clientId: string;
  status: GenerationStatus;
  progress: { step: number; totalSteps: number; etaMs: number };
  images: Array<{ index: number; seed: string; mimeType: string }>;
  error?: { code: string; message: string };
  /** The replica running (or last running) it. */
  replica?: string;
  attempts: number;
  /** Image to image: the strength it runs at. */
  imageToImage?: { readonly strength: number };
}

/** The state as the transports' record; image bytes empty until fetched. */
export function recordOf(state: GenerationState, bytes: ReadonlyMap<number, Buffer> = new Map()): GenerationRecord {
  return {
    id: state.id,
    checkpointId: state.checkpointId,
    createdAt: state.createdAt,
    status: state.status,
    progress: { ...state.progress },
    images: state.images.map((i) => ({ ...i, bytes: bytes.get(i.index) ?? Buffer.alloc(0) })),
    ...(state.error ? { error: { ...state.error } } : {}),
    ...(state.imageToImage ? { imageToImage: { ...state.imageToImage } } : {}),
  };
}

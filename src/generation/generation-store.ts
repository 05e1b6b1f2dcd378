/**
 * Generation records and their encoded images, kept for a configured time and total size (see
 * ExpiringStore). An expired or evicted id reads as 410 Gone rather than 404.
 */
import { ExpiringStore, type ExpiringStoreOptions } from './expiring-store';

export type GenerationStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface StoredImage {
  readonly index: number;
  readonly seed: string;
  readonly mimeType: string;
  readonly bytes: Buffer;
}

export interface GenerationRecord {
  readonly id: string;
  readonly checkpointId: string;
  readonly createdAt: number;
  status: GenerationStatus;
  progress: { step: number; totalSteps: number; etaMs: number };
  images: StoredImage[];
  error?: { code: string; message: string };
  /** Cancels the pool job while it runs. */
  cancel?: () => void;
  /** The client that asked for it: only it (and administrators) may see it. */
  ownerId?: string;
  /** Present when it started from an init image: the strength it ran at (the pixels are not kept). */
  imageToImage?: { readonly strength: number };
}

/** Who is reading: a client sees its own generations; an administrator sees all. */
export interface Viewer {
  readonly clientId: string;
  readonly admin: boolean;
}

/** Someone else's generation reads as one that does not exist (its id reveals nothing). */
export function canView(viewer: Viewer | undefined, ownerId: string | undefined): boolean {
  return viewer === undefined || viewer.admin || ownerId === undefined || ownerId === viewer.clientId;
}

/** Generation records: a running one is kept past the result time; its images are charged once they exist. */
export class GenerationStore extends ExpiringStore<GenerationRecord> {
  constructor(ttlMs: number, options: ExpiringStoreOptions = {}) {
    super('generation', ttlMs, options, (record) => record.status !== 'queued' && record.status !== 'running');
  }

  /** The finished images, charged to the byte budget (which may evict older results, or this one). */
  setImages(record: GenerationRecord, images: StoredImage[]): void {
    record.images = images;
    this.charge(record, images.reduce((n, i) => n + i.bytes.length, 0));
  }
}

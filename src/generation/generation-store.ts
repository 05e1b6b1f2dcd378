/**
 * Generation records and their encoded images, kept for a configured time and total size. An
 * expired or evicted id is remembered for a while so its readers get 410 Gone rather than 404.
 */
import { gone, notFound } from '../common/error-code';

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

const TOMBSTONES = 10_000;

export class GenerationStore {
  private readonly records = new Map<string, GenerationRecord>();
  private readonly expired = new Set<string>();
  private bytes = 0;

  constructor(
    /** How long a finished generation's results are kept. */
    readonly ttlMs: number,
    private readonly maxBytes: number,
    private readonly now: () => number = Date.now,
  ) {}

  add(record: GenerationRecord): void {
    this.sweep();
    this.records.set(record.id, record);
  }

  setImages(record: GenerationRecord, images: StoredImage[]): void {
    record.images = images;
    this.bytes += images.reduce((n, i) => n + i.bytes.length, 0);
    this.sweep();
  }

  /** Whether `id` is still kept (not expired, evicted or unknown). */
  has(id: string): boolean {
    this.sweep();
    return this.records.has(id);
  }

  get(id: string): GenerationRecord {
    this.sweep();
    const record = this.records.get(id);
    if (record) return record;
    if (this.expired.has(id)) throw gone('generation', id);
    throw notFound('generation', id);
  }

  /** Oldest first: past their time, or while over the size budget (finished records only). */
  private sweep(): void {
    const cutoff = this.now() - this.ttlMs;
    for (const record of this.records.values()) {
      const finished = record.status !== 'queued' && record.status !== 'running';
      if (!finished) continue;
      if (record.createdAt >= cutoff && this.bytes <= this.maxBytes) break;
      this.remove(record);
    }
  }

  private remove(record: GenerationRecord): void {
    this.records.delete(record.id);
    this.bytes -= record.images.reduce((n, i) => n + i.bytes.length, 0);
    this.expired.add(record.id);
    if (this.expired.size > TOMBSTONES) this.expired.delete(this.expired.values().next().value as string);
  }
}

/**
 * Generation records and their encoded images, kept for a configured time and total size. An
 * expired or evicted id is remembered for a while so its readers get 410 Gone rather than 404.
 */
import { gone } from '../common/error-code';
import { unknownResult } from '../common/unknown-result';
import { ResultBudget } from './result-budget';

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

export interface GenerationStoreOptions {
  /** The budget shared with the other result stores; a number gives this store its own. */
  readonly budget?: ResultBudget | number;
  readonly now?: () => number;
  /** When this process started: unknown ids minted before it answer 410 (lost at a restart). */
  readonly startedAt?: number;
}

export class GenerationStore {
  private readonly records = new Map<string, GenerationRecord>();
  private readonly expired = new Set<string>();
  private readonly removedListeners: Array<(id: string) => void> = [];
  private readonly budget: ResultBudget;
  private readonly now: () => number;
  private readonly startedAt: number;

  constructor(
    /** How long a finished generation's results are kept. */
    readonly ttlMs: number,
    options: GenerationStoreOptions = {},
  ) {
    const budget = options.budget ?? Number.MAX_SAFE_INTEGER;
    this.budget = typeof budget === 'number' ? new ResultBudget(budget) : budget;
    this.now = options.now ?? Date.now;
    this.startedAt = options.startedAt ?? this.now();
  }

  /** Calls `listener` with the id of every record dropped (expired or evicted for the byte budget). */
  onRemoved(listener: (id: string) => void): void {
    this.removedListeners.push(listener);
  }

  add(record: GenerationRecord): void {
    this.sweep();
    this.records.set(record.id, record);
  }

  /** The finished images, charged to the byte budget (which may evict older results, or this one). */
  setImages(record: GenerationRecord, images: StoredImage[]): void {
    record.images = images;
    if (this.records.get(record.id) !== record) return;
    this.budget.charge(budgetKey(record.id), images.reduce((n, i) => n + i.bytes.length, 0), () => this.remove(record));
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
    throw unknownResult('generation', id, this.startedAt);
  }

  /** Records kept now (running and finished). */
  get size(): number {
    return this.records.size;
  }

  /** Oldest first: finished records past their time (the byte budget evicts through `setImages`). */
  private sweep(): void {
    const cutoff = this.now() - this.ttlMs;
    for (const record of this.records.values()) {
      if (record.createdAt >= cutoff) break;
      if (record.status === 'queued' || record.status === 'running') continue;
      this.remove(record);
    }
  }

  private remove(record: GenerationRecord): void {
    if (this.records.get(record.id) !== record) return;
    this.records.delete(record.id);
    this.budget.release(budgetKey(record.id));
    this.expired.add(record.id);
    if (this.expired.size > TOMBSTONES) this.expired.delete(this.expired.values().next().value as string);
    for (const listener of this.removedListeners) listener(record.id);
  }
}

function budgetKey(id: string): string {
  return `generation:${id}`;
}

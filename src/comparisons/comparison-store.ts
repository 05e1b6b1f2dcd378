/**
 * Finished comparisons (cell PNGs and the grid), kept for the configured result time and within a
 * byte budget, oldest dropped first. An expired id is remembered so its readers get 410 Gone.
 */
import { gone, notFound } from '../common/error-code';

export interface ComparisonCellRecord {
  readonly prompt: string;
  readonly checkpointId: string;
  readonly trainingStep: number;
  readonly png: Buffer;
}

export interface ComparisonRecord {
  readonly id: string;
  readonly createdAt: number;
  readonly seed: string;
  /** cells[row][column]: rows are prompts, columns checkpoints. */
  readonly cells: readonly (readonly ComparisonCellRecord[])[];
  /** Whether the grid starts with an uploaded reference column (the cells' columns are the checkpoints only). */
  readonly hasReference: boolean;
  readonly grid: Buffer;
  /** The client that asked for it: only it (and administrators) may see it. */
  readonly ownerId?: string;
}

const TOMBSTONES = 10_000;

export class ComparisonStore {
  private readonly records = new Map<string, ComparisonRecord>();
  private readonly expired = new Set<string>();
  private bytes = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly maxBytes: number,
    private readonly now: () => number = Date.now,
  ) {}

  add(record: ComparisonRecord): void {
    this.records.set(record.id, record);
    this.bytes += size(record);
    this.sweep();
  }

  get(id: string): ComparisonRecord {
    this.sweep();
    const record = this.records.get(id);
    if (record) return record;
    if (this.expired.has(id)) throw gone('comparison', id);
    throw notFound('comparison', id);
  }

  private sweep(): void {
    const cutoff = this.now() - this.ttlMs;
    for (const record of this.records.values()) {
      if (record.createdAt >= cutoff && this.bytes <= this.maxBytes) break;
      this.records.delete(record.id);
      this.bytes -= size(record);
      this.expired.add(record.id);
      if (this.expired.size > TOMBSTONES) this.expired.delete(this.expired.values().next().value as string);
    }
  }
}

function size(record: ComparisonRecord): number {
  return record.grid.length + record.cells.flat().reduce((n, c) => n + c.png.length, 0);
}

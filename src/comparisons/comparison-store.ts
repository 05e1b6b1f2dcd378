/**
 * Finished comparisons (cell PNGs and the grid), kept for the configured result time and within a
 * byte budget, oldest dropped first (see ExpiringStore). An expired id reads as 410 Gone.
 */
import { ExpiringStore, type ExpiringStoreOptions } from '../generation/expiring-store';

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
  /** Each cell's size in pixels (the history reopens it at its shape). */
  readonly width: number;
  readonly height: number;
  /** The reference image as the grid shows it (scaled to the cell size), PNG. */
  readonly reference?: Buffer;
  readonly grid: Buffer;
  /** The client that asked for it: only it (and administrators) may see it. */
  readonly ownerId?: string;
}

/** Finished comparisons: each is charged to the byte budget as it is kept. */
export class ComparisonStore extends ExpiringStore<ComparisonRecord> {
  constructor(ttlMs: number, options: ExpiringStoreOptions = {}) {
    super('comparison', ttlMs, options);
  }

  /** Keeps a finished comparison, charged to the byte budget (which may evict older results, or this one). */
  override add(record: ComparisonRecord): void {
    super.add(record);
    this.charge(record, size(record));
  }
}

function size(record: ComparisonRecord): number {
  return record.grid.length + (record.reference?.length ?? 0) + record.cells.flat().reduce((n, c) => n + c.png.length, 0);
}

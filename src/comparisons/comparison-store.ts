/**
 * Finished comparisons (cell PNGs and the grid), kept for the configured result time and within a
 * byte budget, oldest dropped first. An expired id is remembered so its readers get 410 Gone.
 */
import { gone } from '../common/error-code';
import { unknownResult } from '../common/unknown-result';
import { ResultBudget } from '../generation/result-budget';

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

export interface ComparisonStoreOptions {
  /** The budget shared with the other result stores; a number gives this store its own. */
  readonly budget?: ResultBudget | number;
  readonly now?: () => number;
  /** When this process started: unknown ids minted before it answer 410 (lost at a restart). */
  readonly startedAt?: number;
}

export class ComparisonStore {
  private readonly records = new Map<string, ComparisonRecord>();
  private readonly expired = new Set<string>();
  private readonly budget: ResultBudget;
  private readonly now: () => number;
  private readonly startedAt: number;

  constructor(
    private readonly ttlMs: number,
    options: ComparisonStoreOptions = {},
  ) {
    const budget = options.budget ?? Number.MAX_SAFE_INTEGER;
    this.budget = typeof budget === 'number' ? new ResultBudget(budget) : budget;
    this.now = options.now ?? Date.now;
    this.startedAt = options.startedAt ?? this.now();
  }

  /** Keeps a finished comparison, charged to the byte budget (which may evict older results, or this one). */
  add(record: ComparisonRecord): void {
    this.sweep();
    this.records.set(record.id, record);
    this.budget.charge(budgetKey(record.id), size(record), () => this.remove(record));
  }

  get(id: string): ComparisonRecord {
    this.sweep();
    const record = this.records.get(id);
    if (record) return record;
    if (this.expired.has(id)) throw gone('comparison', id);
    throw unknownResult('comparison', id, this.startedAt);
  }

  private sweep(): void {
    const cutoff = this.now() - this.ttlMs;
    for (const record of this.records.values()) {
      if (record.createdAt >= cutoff) break;
      this.remove(record);
    }
  }

  private remove(record: ComparisonRecord): void {
    if (this.records.get(record.id) !== record) return;
    this.records.delete(record.id);
    this.budget.release(budgetKey(record.id));
    this.expired.add(record.id);
    if (this.expired.size > TOMBSTONES) this.expired.delete(this.expired.values().next().value as string);
  }
}

function budgetKey(id: string): string {
  return `comparison:${id}`;
}

function size(record: ComparisonRecord): number {
  return record.grid.length + record.cells.flat().reduce((n, c) => n + c.png.length, 0);
}

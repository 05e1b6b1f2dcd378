/**
 * A comparison from its start until it has succeeded (the store keeps it from then on), or for a
 * while after it failed or was cancelled: each cell as it is (queued, running, succeeded with its
 * PNG, failed, cancelled), its event fan-out, and the pool handles that cancelling stops.
 */
import type { WebhookSubscription } from '../webhooks/webhooks.service';
import { ApiError, ErrorCode } from '../common/error-code';
import { comparisonCellUrl, comparisonGridUrl } from '../common/result-urls';
import type { RgbImage } from '../engine/pipeline/decode-latents';
import type { ProgressPreview } from '../generation/progress-preview';
import { ProgressFanout } from '../generation/progress-fanout';
import type { ComparisonHandle } from '../pool';
import type { z } from 'zod';
import type { ComparisonViewSchema } from './comparison.schemas';

/** A comparison as the API answers it (its schema: comparison.schemas.ts). */
export type ComparisonView = z.infer<typeof ComparisonViewSchema>;
export type CellStatus = ComparisonView['cells'][number]['status'];

/** An event of GET /v1/comparisons/{id}/events (and the GraphQL and gRPC streams): `cell` per step of each cell, then one `done`. */
export type ComparisonEvent =
  | { readonly event: 'cell'; readonly data: { row: number; column: number; checkpoint: string; step: number; totalSteps: number; etaMs: number; preview?: ProgressPreview } }
  | { readonly event: 'done'; readonly data: { status: 'succeeded' | 'failed' | 'cancelled'; error?: { code: ErrorCode; message: string } } };

export interface LiveCell {
  readonly row: number;
  readonly column: number;
  readonly prompt: string;
  readonly checkpointId: string;
  readonly trainingStep: number;
  status: CellStatus;
  /** Once it has succeeded: the PNG its URL serves, and the pixels the grid is drawn from. */
  png?: Buffer;
  image?: RgbImage;
}

export class LiveComparison {
  status: 'queued' | 'running' | 'failed' | 'cancelled' = 'queued';
  error?: { code: ErrorCode; message: string };
  readonly fanout = new ProgressFanout<ComparisonEvent>();
  private handles: readonly ComparisonHandle[] = [];

  constructor(
    readonly id: string,
    readonly ownerId: string,
    readonly seed: string,
    readonly hasReference: boolean,
    /** cells[row][column]: rows are prompts, columns checkpoints. */
    readonly cells: readonly (readonly LiveCell[])[],
    /** Where its start and end are reported. */
    readonly webhook?: WebhookSubscription,
  ) {}

  /** The pool jobs that run the cells (what cancel stops). */
  attach(handles: readonly ComparisonHandle[]): void {
    this.handles = handles;
  }

  cell(row: number, column: number): LiveCell | undefined {
    return this.cells[row]?.[column];
  }

  /** A step of a cell was reported: it (and the comparison) runs. */
  stepped(row: number, column: number): void {
    const cell = this.cell(row, column);
    if (cell?.status === 'queued') cell.status = 'running';
    if (this.status === 'queued') this.status = 'running';
  }

  /**
   * Stops every queued and running cell (the pool ends them within one step): they read as
   * cancelled at once, and so does the comparison; cells already done keep their images. Answers
   * false when there is nothing to stop: it already ended, or every cell is done and only the grid
   * is being drawn (it is about to succeed).
   */
  cancel(): boolean {
    if (this.status !== 'queued' && this.status !== 'running') return false;
    const pending = this.cells.flat().filter((c) => c.status === 'queued' || c.status === 'running');
    if (pending.length === 0) return false;
    for (const cell of pending) cell.status = 'cancelled';
    this.status = 'cancelled';
    this.error = { code: ErrorCode.CANCELLED, message: `comparison ${this.id} was cancelled` };
    for (const handle of this.handles) handle.cancel();
    return true;
  }

  /** The cell's PNG once it has succeeded; CONFLICT before, NOT_FOUND past the grid. */
  png(row: string, column: string): Buffer {
    const r = /^\d+$/.test(row) ? Number(row) : -1;
    const c = /^\d+$/.test(column) ? Number(column) : -1;
    const cell = this.cell(r, c);
    if (!cell) {
      throw new ApiError(ErrorCode.NOT_FOUND, `comparison ${this.id} has no cell ${row}/${column} (it has ${this.cells.length} rows of ${this.cells[0]?.length ?? 0})`, { id: this.id });
    }
    if (!cell.png) throw new ApiError(ErrorCode.CONFLICT, `comparison ${this.id} cell ${r}/${c} is ${cell.status}; its image exists once it has succeeded`, { status: cell.status });
    return cell.png;
  }

  view(): ComparisonView {
    return {
      id: this.id,
      status: this.status,
      ...(this.error ? { error: this.error } : {}),
      seed: this.seed,
      cells: this.cells.flat().map((cell) => ({
        prompt: cell.prompt,
        checkpoint: cell.checkpointId,
        trainingStep: cell.trainingStep,
        row: cell.row,
        column: cell.column,
        status: cell.status,
        ...(cell.png ? { imageUrl: comparisonCellUrl(this.id, cell.row, cell.column) } : {}),
      })),
      gridUrl: comparisonGridUrl(this.id),
      hasReference: this.hasReference,
    };
  }
}

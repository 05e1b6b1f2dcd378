/**
 * Comparisons: every prompt × checkpoint with one seed (the same initial latents), cells and a
 * labelled grid, with an optional uploaded reference image as the grid's first column.
 */
import { Inject, Injectable, Optional } from '@nestjs/common';
import { CHECKPOINT_REGISTRY, CheckpointsService } from '../checkpoints/checkpoints.service';
import type { CheckpointEntry } from '../checkpoints/checkpoint-registry';
import { ApiError, ErrorCode, invalidArgument, notFound } from '../common/error-code';
import { toApiError } from '../error-mapping/to-api-error';
import { comparisonCellUrl, comparisonGridUrl } from '../common/result-urls';
import { refuseUnknownFields } from '../common/api-contract';
import { mintedAt, timeOrderedId } from '../common/time-ordered-id';
import { encodeImage } from '../engine/image/encode-image';
import { formatGenerationParameters } from '../engine/image/generation-parameters';
import type { RgbImage } from '../engine/pipeline/decode-latents';
import { parseGenerationRequest, type ValidGenerationRequest } from '../engine/pipeline/generation-request';
import { canView, type Viewer } from '../generation/generation-store';
import { InferencePool, type ComparisonHandle, type PreviewOptions } from '../pool';
import { toProgressPreview, type ProgressPreview } from '../generation/progress-preview';
import { previewOptions } from '../generation/preview-options';
import { StreamSlots, type StreamSlot } from '../generation/stream-slots';
import { ENDED_SUBSCRIPTION, ProgressFanout, PublishedEvent, type EventSink, type EventSubscription } from '../generation/progress-fanout';
import { MetricsService } from '../observability/metrics/metrics.service';
import { renderComparisonGrid } from './comparison-grid';
import { COMPARISON_SETTINGS, CompareFieldsSchema, DEFAULT_COMPARISON_PAGE, MAX_COMPARISON_PAGE, MAX_COMPARISON_PROMPTS, REFERENCE_IMAGE_FIELD, type ComparisonPageSchema, type ComparisonViewSchema } from './comparison.schemas';
import { checkReplySize } from './comparison-size';
import { ComparisonStore, type ComparisonCellRecord, type ComparisonRecord } from './comparison-store';
import { decodeImageInput, readImageBytes } from '../transports/image-input';
import { readInitImage } from '../generation/init-image';
import { INIT_IMAGE_FIELD } from '../generation/generation.schemas';
import type { z } from 'zod';

export { MAX_COMPARISON_PROMPTS } from './comparison.schemas';

export interface CreateComparisonOptions {
  /**
   * The body field that carries the optional reference image, and that its errors name:
   * `referenceImage` (REST, gRPC) unless a transport calls it otherwise (GraphQL's `referenceImageBase64`).
   * Its value is bytes (Buffer or Uint8Array) or a base64 string, optionally a data: URL.
   */
  readonly referenceImageField?: string;
  /**
   * The largest reply the caller can deliver (gRPC: the client's receive limit), checked against
   * the worst case before any work is queued. REST and GraphQL answer with URLs and set none.
   */
  readonly maxReplyBytes?: number;
  /** Previews on every cell's progress (overrides the request's `preview` fields). */
  readonly preview?: PreviewOptions;
  /** Each cell's progress, one event per step of the cell, with its preview when asked. */
  readonly onCellProgress?: (event: ComparisonCellProgress) => void;
}

/** One step of one cell (row: prompt, column: checkpoint, from 0, not counting a reference column). */
export interface ComparisonCellProgress {
  readonly row: number;
  readonly column: number;
  readonly checkpointId: string;
  readonly step: number;
  readonly totalSteps: number;
  readonly etaMs: number;
  readonly preview?: ProgressPreview;
}

/** An event of GET /v1/comparisons/{id}/events (and the GraphQL and gRPC streams): `cell` per step of each cell, then one `done`. */
export type ComparisonEvent =
  | { readonly event: 'cell'; readonly data: { row: number; column: number; checkpoint: string; step: number; totalSteps: number; etaMs: number; preview?: ProgressPreview } }
  | { readonly event: 'done'; readonly data: { status: 'succeeded' | 'failed'; error?: { code: ErrorCode; message: string } } };

/** A comparison started and not yet finished (or failed): what its readers and subscribers see. */
interface LiveComparison {
  readonly id: string;
  readonly ownerId: string;
  readonly seed: string;
  readonly hasReference: boolean;
  status: 'queued' | 'running' | 'failed';
  error?: { code: ErrorCode; message: string };
  readonly fanout: ProgressFanout<ComparisonEvent>;
}

/** A started comparison: its id at once, the finished record (or the ApiError) when every cell is done. */
export interface StartedComparison {
  readonly id: string;
  readonly done: Promise<ComparisonRecord>;
}

/** How long a failed comparison's state stays readable (a finished one is kept by the store). */
const FAILED_KEPT_MS = 10 * 60_000;

/** A comparison as the API answers it (its schema: comparison.schemas.ts). */
export type ComparisonView = z.infer<typeof ComparisonViewSchema>;
/** A page of the history (GET /v1/comparisons, the comparisons query, ListComparisons). */
export type ComparisonPage = z.infer<typeof ComparisonPageSchema>;
export type ComparisonSummary = ComparisonPage['items'][number];

/** The history's paging as a transport received it: strings from a query string, numbers, or absent (undefined or null). */
export interface ComparisonPageQuery {
  readonly limit?: unknown;
  readonly cursor?: unknown;
}

@Injectable()
export class ComparisonsService {
  constructor(
    @Inject(InferencePool) private readonly pool: InferencePool,
    @Inject(CheckpointsService) private readonly checkpoints: CheckpointsService,
    @Inject(CHECKPOINT_REGISTRY) private readonly registry: readonly CheckpointEntry[],
    @Inject(ComparisonStore) private readonly store: ComparisonStore,
    @Inject(StreamSlots) private readonly slots: StreamSlots,
    @Optional() @Inject(MetricsService) private readonly metrics?: MetricsService,
  ) {}

  /** One of the client's open progress streams (AFD_MAX_STREAMS_PER_CLIENT, shared with generations), or RESOURCE_EXHAUSTED. */
  openStream(clientId: string): StreamSlot {
    return this.slots.acquire(clientId);
  }

  private readonly live = new Map<string, LiveComparison>();

  /** Runs the comparison and answers its record once every cell and the grid are ready. */
  async create(body: unknown, clientId: string, options: CreateComparisonOptions = {}): Promise<ComparisonRecord> {
    return (await this.start(body, clientId, options)).done;
  }

  /**
   * Checks the request and queues every cell (bad input throws here, before any work); answers its
   * id at once. Its state is readable (get/state) and its cells' progress subscribable while it runs.
   */
  async start(body: unknown, clientId: string, options: CreateComparisonOptions = {}): Promise<StartedComparison> {
    const referenceField = options.referenceImageField ?? REFERENCE_IMAGE_FIELD;
    // The schema's fields, with the reference image under the transport's name for it.
    const input = refuseUnknownFields(CompareFieldsSchema, body, 'is not a comparison field', [referenceField]);
    const prompts = readPrompts(input);
    const columns = this.readCheckpoints(input['checkpoints']);
    const settings: Record<string, unknown> = {};
    for (const key of COMPARISON_SETTINGS) if (input[key] !== undefined) settings[key] = input[key];
    // Image to image: one picture for every cell, so a partner sees each checkpoint's rendition of the same photo.
    const initImage = await readInitImage({ ...settings, prompt: prompts[0], [INIT_IMAGE_FIELD]: input[INIT_IMAGE_FIELD] }, columns.map((c) => c.id), (id) => this.checkpoints.vaeEncoderProblem(id));

    // The first row fixes the seed (random when none is given); every row and cell shares it.
    const requests: ValidGenerationRequest[] = [];
    try {
      const first = parseGenerationRequest({ ...settings, ...initImage, prompt: prompts[0] });
      requests.push(first);
      for (const prompt of prompts.slice(1)) requests.push(parseGenerationRequest({ ...settings, ...initImage, prompt, seed: first.seed.toString() }));
    } catch (error) {
      throw toApiError(error);
    }
    // Checked (and scaled to the cell size) before any work is queued: a bad upload costs no inference.
    const firstRequest = requests[0] as ValidGenerationRequest;
    const referenceValue = input[referenceField];
    if (options.maxReplyBytes !== undefined) {
      const hasReference = referenceValue !== undefined && referenceValue !== null;
      const promptBytes = Math.max(...requests.map((r) => Buffer.byteLength(r.prompt) + Buffer.byteLength(r.negativePrompt)));
      checkReplySize({ rows: requests.length, columns: columns.length, width: firstRequest.width, height: firstRequest.height, hasReference, promptBytes }, options.maxReplyBytes);
    }
    const preview = options.preview ?? previewOptions(input, firstRequest.steps);
    const reference =
      referenceValue === undefined || referenceValue === null ? undefined : await decodeImageInput(readImageBytes(referenceValue, referenceField), referenceField, firstRequest);

    const live: LiveComparison = {
      id: timeOrderedId(),
      ownerId: clientId,
      seed: firstRequest.seed.toString(),
      hasReference: reference !== undefined,
      status: 'queued',
      fanout: new ProgressFanout<ComparisonEvent>(),
    };
    const reportProgress = (event: ComparisonCellProgress): void => {
      live.status = 'running';
      const { row, column, checkpointId, step, totalSteps, etaMs } = event;
      live.fanout.publish({ event: 'cell', data: { row, column, checkpoint: checkpointId, step, totalSteps, etaMs, ...(event.preview ? { preview: event.preview } : {}) } });
      options.onCellProgress?.(event);
    };

    const handles: ComparisonHandle[] = [];
    try {
      const checkpointIds = columns.map((c) => c.id);
      for (const [row, request] of requests.entries()) {
        handles.push(
          this.pool.submitComparison({
            checkpointIds,
            request,
            clientId,
            ...(preview ? { preview } : {}),
            onProgress: (p) =>
              reportProgress({
                row,
                column: checkpointIds.indexOf(p.checkpointId),
                checkpointId: p.checkpointId,
                step: p.step,
                totalSteps: p.totalSteps,
                etaMs: p.etaMs,
                ...(p.preview ? { preview: toProgressPreview(p.preview) } : {}),
              }),
          }),
        );
      }
    } catch (error) {
      for (const handle of handles) handle.cancel();
      throw toApiError(error);
    }

    this.live.set(live.id, live);
    const done = this.finish(live, handles, { requests, columns, prompts, reference });
    // The failure reaches the caller through `done`; this only keeps an unawaited start from an unhandled rejection.
    done.catch(() => undefined);
    return { id: live.id, done };
  }

  /** Waits for every cell, keeps the record, and ends the comparison's event stream. */
  private async finish(live: LiveComparison, handles: readonly ComparisonHandle[], work: ComparisonWork): Promise<ComparisonRecord> {
    try {
      const record = await this.assemble(live, handles, work);
      this.store.add(record);
      this.live.delete(live.id);
      live.fanout.publish({ event: 'done', data: { status: 'succeeded' } });
      return record;
    } catch (caught) {
      const error = toApiError(caught);
      live.status = 'failed';
      live.error = { code: error.code, message: error.message };
      setTimeout(() => this.live.delete(live.id), FAILED_KEPT_MS).unref();
      live.fanout.publish({ event: 'done', data: { status: 'failed', error: live.error } });
      throw error;
    }
  }

  private async assemble(live: LiveComparison, handles: readonly ComparisonHandle[], { requests, columns, prompts, reference }: ComparisonWork): Promise<ComparisonRecord> {
    const rows = await Promise.all(handles.map((h) => h.result));
    const failed = rows.flatMap((r) => r.cells).find((cell) => !cell.ok);
    if (failed && !failed.ok) {
      this.metrics?.generationFailed(failed.error);
      throw toApiError(failed.error);
    }

    const images: RgbImage[][] = [];
    const cells: ComparisonCellRecord[][] = [];
    for (const [r, row] of rows.entries()) {
      const request = requests[r] as ValidGenerationRequest;
      const rowImages: RgbImage[] = [];
      const rowCells: ComparisonCellRecord[] = [];
      for (const [c, cell] of row.cells.entries()) {
        if (!cell.ok) throw toApiError(cell.error);
        const entry = columns[c] as CheckpointEntry;
        const first = cell.result.images[0];
        if (!first) throw new ApiError(ErrorCode.INTERNAL, 'internal error');
        const parameters = formatGenerationParameters({
          ...request,
          seed: first.seed,
          checkpointId: entry.id,
          checkpointHash: this.checkpoints.unetHash(entry.id),
          noiseMode: request.noiseMode,
        });
        rowImages.push(first.image);
        const encodingStarted = performance.now();
        const png = await encodeImage(first.image, { format: 'png', parameters });
        this.metrics?.generationSucceeded(entry.id, cell.result, (performance.now() - encodingStarted) / 1000);
        rowCells.push({ prompt: request.prompt, checkpointId: entry.id, trainingStep: entry.trainingStep, png });
      }
      images.push(rowImages);
      cells.push(rowCells);
    }
    const grid = await renderComparisonGrid({
      columns: columns.map((c) => ({ title: c.label, subtitle: `${c.trainingStep.toLocaleString('en-US')} steps` })),
      rowTitles: prompts,
      cells: images,
      ...(reference ? { reference: { image: reference } } : {}),
    });
    return { id: live.id, createdAt: Date.now(), seed: live.seed, cells, hasReference: live.hasReference, grid, ownerId: live.ownerId };
  }

  /** The comparison as the API answers it, finished or not (NOT_FOUND for another client's). */
  state(id: string, viewer?: Viewer): ComparisonView {
    const live = this.live.get(id);
    if (!live) return this.view(this.get(id, viewer));
    if (!canView(viewer, live.ownerId)) throw notFound('comparison', id);
    return { id, status: live.status, ...(live.error ? { error: live.error } : {}), seed: live.seed, cells: [], gridUrl: comparisonGridUrl(id), hasReference: live.hasReference };
  }

  /**
   * The comparison's events to `sink`: `cell` per step of each cell (the latest only for a reader
   * slower than the steps), then `done`; a finished comparison sends its `done` at once.
   */
  subscribe(id: string, sink: EventSink<ComparisonEvent>, viewer?: Viewer): EventSubscription {
    const live = this.live.get(id);
    if (live && !canView(viewer, live.ownerId)) throw notFound('comparison', id);
    if (live) return live.fanout.add(sink);
    this.get(id, viewer);
    sink.send(new PublishedEvent<ComparisonEvent>({ event: 'done', data: { status: 'succeeded' } }));
    return ENDED_SUBSCRIPTION;
  }

  /** A client sees its own comparisons (others read as NOT_FOUND); an administrator all. */
  get(id: string, viewer?: Viewer): ComparisonRecord {
    const record = this.store.get(id);
    if (!canView(viewer, record.ownerId)) throw notFound('comparison', id);
    return record;
  }

  /**
   * The viewer's kept comparisons (an administrator's: all), newest first, `limit` (1 to 100,
   * default 20) after `cursor` (the previous page's nextCursor: the last id it listed).
   */
  list(query: ComparisonPageQuery, viewer: Viewer): ComparisonPage {
    const limit = readPageLimit(query.limit);
    const cursor = readPageCursor(query.cursor);
    const { items, more } = this.store.page((record) => canView(viewer, record.ownerId), limit, cursor);
    const summaries = items.map(summary);
    const last = summaries[summaries.length - 1];
    return { items: summaries, ...(more && last ? { nextCursor: last.id } : {}) };
  }

  grid(id: string, viewer?: Viewer): Buffer {
    return this.get(id, viewer).grid;
  }

  cell(id: string, row: string, column: string, viewer?: Viewer): Buffer {
    const record = this.get(id, viewer);
    const r = /^\d+$/.test(row) ? Number(row) : -1;
    const c = /^\d+$/.test(column) ? Number(column) : -1;
    const cell = record.cells[r]?.[c];
    if (!cell) {
      const columns = record.cells[0]?.length ?? 0;
      throw new ApiError(ErrorCode.NOT_FOUND, `comparison ${id} has no cell ${row}/${column} (it has ${record.cells.length} rows of ${columns})`, { id });
    }
    return cell.png;
  }

  view(record: ComparisonRecord): ComparisonView {
    return {
      id: record.id,
      status: 'succeeded',
      seed: record.seed,
      cells: record.cells.flatMap((row, r) =>
        row.map((cell, c) => ({
          prompt: cell.prompt,
          checkpoint: cell.checkpointId,
          trainingStep: cell.trainingStep,
          row: r,
          column: c,
          imageUrl: comparisonCellUrl(record.id, r, c),
        })),
      ),
      gridUrl: comparisonGridUrl(record.id),
      hasReference: record.hasReference,
    };
  }

  /** The named checkpoints in the order given, or every checkpoint in registry order. */
  private readCheckpoints(value: unknown): CheckpointEntry[] {
    // null means "not given", as for every other optional field (and as GraphQL sends it).
    if (value === undefined || value === null) return [...this.registry];
    if (!Array.isArray(value) || value.length === 0) throw invalidArgument('checkpoints', 'must be a non-empty array of checkpoint ids');
    if (value.some((id) => typeof id !== 'string')) throw invalidArgument('checkpoints', 'must contain only checkpoint id strings');
    if (new Set(value).size !== value.length) throw invalidArgument('checkpoints', 'must not repeat a checkpoint');
    return (value as string[]).map((id) => {
      try {
        return this.checkpoints.resolve(id);
      } catch (error) {
        const apiError = toApiError(error);
        throw new ApiError(apiError.code, apiError.message, { ...apiError.details, field: 'checkpoints' });
      }
    });
  }
}

/** What a started comparison needs to assemble its record once its cells are done. */
interface ComparisonWork {
  readonly requests: readonly ValidGenerationRequest[];
  readonly columns: readonly CheckpointEntry[];
  readonly prompts: readonly string[];
  readonly reference: RgbImage | undefined;
}

function summary(record: ComparisonRecord): ComparisonSummary {
  return {
    id: record.id,
    status: 'succeeded',
    // The id's time is when it was asked for (the record's createdAt is when it finished).
    createdAt: new Date(mintedAt(record.id) ?? record.createdAt).toISOString(),
    seed: record.seed,
    prompts: record.cells.map((row) => row[0]?.prompt ?? ''),
    checkpoints: (record.cells[0] ?? []).map((cell) => cell.checkpointId),
    hasReference: record.hasReference,
    gridUrl: comparisonGridUrl(record.id),
    cellCount: record.cells.reduce((n, row) => n + row.length, 0),
  };
}

/** 1 to 100, default 20: a number, or its decimal digits (a query string's). */
function readPageLimit(value: unknown): number {
  if (value === undefined || value === null) return DEFAULT_COMPARISON_PAGE;
  const limit = typeof value === 'string' && /^\d{1,4}$/.test(value) ? Number(value) : value;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > MAX_COMPARISON_PAGE) {
    throw invalidArgument('limit', `must be a whole number from 1 to ${MAX_COMPARISON_PAGE} (default ${DEFAULT_COMPARISON_PAGE})`);
  }
  return limit;
}

/** A previous page's nextCursor: a comparison id (UUIDv7); anything else is not one of ours. */
function readPageCursor(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || mintedAt(value) === undefined) throw invalidArgument('cursor', "must be a previous page's nextCursor");
  return value.toLowerCase();
}

function readPrompts(input: Record<string, unknown>): string[] {
  // null means "not given": `{prompts: null, prompt: "..."}` is a single prompt, not both.
  const prompt = input['prompt'] ?? undefined;
  const prompts = input['prompts'] ?? undefined;
  if (prompt !== undefined && prompts !== undefined) throw invalidArgument('prompts', 'give either prompts or prompt, not both');
  if (prompts === undefined) {
    if (prompt === undefined) throw invalidArgument('prompts', 'is required (an array of 1 to 4 prompts, or a single prompt)');
    if (typeof prompt !== 'string' || prompt.trim() === '') throw invalidArgument('prompt', 'must be a non-empty string');
    return [prompt];
  }
  if (!Array.isArray(prompts)) throw invalidArgument('prompts', 'must be an array of strings');
  if (prompts.length === 0) throw invalidArgument('prompts', `must list 1 to ${MAX_COMPARISON_PROMPTS} prompts, got none`);
  if (prompts.length > MAX_COMPARISON_PROMPTS) throw invalidArgument('prompts', `must list 1 to ${MAX_COMPARISON_PROMPTS} prompts, got ${prompts.length}`);
  prompts.forEach((p, i) => {
    if (typeof p !== 'string' || p.trim() === '') throw invalidArgument('prompts', `prompts[${i}] must be a non-empty string`);
  });
  return prompts as string[];
}

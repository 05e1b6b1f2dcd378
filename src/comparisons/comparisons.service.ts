/**
 * Comparisons: every prompt × checkpoint with one seed (the same initial latents), cells and a
 * labelled grid, with an optional uploaded reference image as the grid's first column.
 */
import { Inject, Injectable, Optional } from '@nestjs/common';
import { CHECKPOINT_REGISTRY, CheckpointsService } from '../checkpoints/checkpoints.service';
import type { CheckpointEntry } from '../checkpoints/checkpoint-registry';
import { ApiError, ErrorCode, invalidArgument, notFound } from '../common/error-code';
import { toApiError } from '../error-mapping/to-api-error';
import { comparisonCellUrl, comparisonGridUrl, comparisonReferenceUrl } from '../common/result-urls';
import { refuseUnknownFields } from '../common/api-contract';
import { mintedAt, timeOrderedId } from '../common/time-ordered-id';
import { encodeImage } from '../engine/image/encode-image';
import { formatGenerationParameters } from '../engine/image/generation-parameters';
import type { RgbImage } from '../engine/pipeline/decode-latents';
import { parseGenerationRequest, type ValidGenerationRequest } from '../engine/pipeline/generation-request';
import { canView, type Viewer } from '../generation/generation-store';
import { InferencePool, type ComparisonHandle, type JobResult, type PreviewOptions } from '../pool';
import { toProgressPreview, type ProgressPreview } from '../generation/progress-preview';
import { previewOptions } from '../generation/preview-options';
import { StreamSlots, type StreamSlot } from '../generation/stream-slots';
import { ENDED_SUBSCRIPTION, PublishedEvent, type EventSink, type EventSubscription } from '../generation/progress-fanout';
import { MetricsService } from '../observability/metrics/metrics.service';
import { renderComparisonGrid } from './comparison-grid';
import { COMPARISON_SETTINGS, CompareFieldsSchema, DEFAULT_COMPARISON_PAGE, MAX_COMPARISON_PAGE, MAX_COMPARISON_PROMPTS, REFERENCE_IMAGE_FIELD, type ComparisonPageSchema } from './comparison.schemas';
import { checkReplySize } from './comparison-size';
import { ComparisonStore, type ComparisonCellRecord, type ComparisonRecord } from './comparison-store';
import { LiveComparison, type ComparisonEvent, type ComparisonView, type LiveCell } from './live-comparison';
import { decodeImageInput, readImageBytes } from '../transports/image-input';
import { readInitImage } from '../generation/init-image';
import { INIT_IMAGE_FIELD } from '../generation/generation.schemas';
import type { z } from 'zod';
import { WebhooksService } from '../webhooks/webhooks.service';
import type { WebhookEvent } from '../common/webhook-events';

export { MAX_COMPARISON_PROMPTS } from './comparison.schemas';
export type { ComparisonEvent, ComparisonView } from './live-comparison';

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

/** A started comparison: its id at once, the finished record (or the ApiError) when every cell is done. */
export interface StartedComparison {
  readonly id: string;
  readonly done: Promise<ComparisonRecord>;
}

/** How long a failed or cancelled comparison's state stays readable (a finished one is kept by the store). */
const FAILED_KEPT_MS = 10 * 60_000;

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
    @Optional() @Inject(WebhooksService) private readonly webhooks?: WebhooksService,
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

    const cells = requests.map((request, row) =>
      columns.map((entry, column): LiveCell => ({ row, column, prompt: request.prompt, checkpointId: entry.id, trainingStep: entry.trainingStep, status: 'queued' })),
    );
    // Its address resolved and checked now, before any work is queued.
    const webhook = await this.webhooks?.subscription(input['webhook'], clientId);

    const live = new LiveComparison(timeOrderedId(), clientId, firstRequest.seed.toString(), reference !== undefined, cells, webhook);
    const reportProgress = (event: ComparisonCellProgress): void => {
      const starting = live.status === 'queued';
      live.stepped(event.row, event.column);
      if (starting) this.report(live, 'started', live.view());
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

    live.attach(handles);
    this.live.set(live.id, live);
    // Each cell's PNG as soon as it is done, so that a running comparison's view links it.
    const settled = handles.map((handle, row) => handle.cells.map((job, column) => this.settleCell(live, row, column, job.result, requests[row] as ValidGenerationRequest)));
    const done = this.finish(live, settled.flat(), { columns, prompts, reference });
    // The failure reaches the caller through `done`; this only keeps an unawaited start from an unhandled rejection.
    done.catch(() => undefined);
    return { id: live.id, done };
  }

  /**
   * Encodes a cell's PNG (with its generation parameters) the moment its job succeeds; a cell
   * cancelled meanwhile stays cancelled. Never rejects: the cell's status says how it ended.
   */
  private async settleCell(live: LiveComparison, row: number, column: number, result: Promise<JobResult>, request: ValidGenerationRequest): Promise<ApiError | undefined> {
    const cell = live.cell(row, column) as LiveCell;
    // Read afresh after each await: a cancel may have come in between.
    const cancelled = (): boolean => cell.status === 'cancelled';
    try {
      const first = (await result).images[0];
      if (!first) throw new ApiError(ErrorCode.INTERNAL, 'internal error');
      if (cancelled()) return undefined;
      const parameters = formatGenerationParameters({
        ...request,
        seed: first.seed,
        checkpointId: cell.checkpointId,
        checkpointHash: this.checkpoints.unetHash(cell.checkpointId),
        noiseMode: request.noiseMode,
      });
      const encodingStarted = performance.now();
      const png = await encodeImage(first.image, { format: 'png', parameters });
      this.metrics?.generationSucceeded(cell.checkpointId, await result, (performance.now() - encodingStarted) / 1000);
      if (cancelled()) return undefined;
      cell.png = png;
      cell.image = first.image;
      cell.status = 'succeeded';
      return undefined;
    } catch (caught) {
      const error = toApiError(caught);
      if (!cancelled()) cell.status = error.code === ErrorCode.CANCELLED ? 'cancelled' : 'failed';
      return error;
    }
  }

  /** Waits for every cell, keeps the record, and ends the comparison's event stream. */
  private async finish(live: LiveComparison, cells: readonly Promise<ApiError | undefined>[], work: ComparisonWork): Promise<ComparisonRecord> {
    try {
      const errors = await Promise.all(cells);
      if (live.status === 'cancelled') throw new ApiError(ErrorCode.CANCELLED, live.error?.message ?? `comparison ${live.id} was cancelled`);
      const failed = errors.find((e) => e !== undefined);
      if (failed) {
        this.metrics?.generationFailed(failed);
        throw failed;
      }
      const record = await this.assemble(live, work);
      this.store.add(record);
      this.live.delete(live.id);
      live.fanout.publish({ event: 'done', data: { status: 'succeeded' } });
      this.report(live, 'succeeded', this.view(record));
      return record;
    } catch (caught) {
      const error = toApiError(caught);
      const cancelled = live.status === 'cancelled';
      if (!cancelled) {
        live.status = 'failed';
        live.error = { code: error.code, message: error.message };
      }
      // Pixels are for the grid only: what stays readable is the state and the finished cells' PNGs.
      for (const cell of live.cells.flat()) delete cell.image;
      setTimeout(() => this.live.delete(live.id), FAILED_KEPT_MS).unref();
      live.fanout.publish({ event: 'done', data: { status: cancelled ? 'cancelled' : 'failed', error: live.error as { code: ErrorCode; message: string } } });
      this.report(live, cancelled ? 'cancelled' : 'failed', live.view());
      throw error;
    }
  }

  /** The record of a comparison whose every cell succeeded: the cells' PNGs and the labelled grid. */
  private async assemble(live: LiveComparison, { columns, prompts, reference }: ComparisonWork): Promise<ComparisonRecord> {
    const images: RgbImage[][] = [];
    const cells: ComparisonCellRecord[][] = [];
    for (const row of live.cells) {
      images.push(row.map((cell) => cell.image as RgbImage));
      cells.push(row.map((cell) => ({ prompt: cell.prompt, checkpointId: cell.checkpointId, trainingStep: cell.trainingStep, png: cell.png as Buffer })));
    }
    const grid = await renderComparisonGrid({
      columns: columns.map((c) => ({ title: c.label, subtitle: `${c.trainingStep.toLocaleString('en-US')} steps` })),
      rowTitles: prompts,
      cells: images,
      ...(reference ? { reference: { image: reference } } : {}),
    });
    const first = live.cells[0]?.[0]?.image as RgbImage;
    const referencePng = reference ? await encodeImage(reference, { format: 'png' }) : undefined;
    return {
      id: live.id,
      createdAt: Date.now(),
      seed: live.seed,
      cells,
      hasReference: live.hasReference,
      width: first.width,
      height: first.height,
      ...(referencePng ? { reference: referencePng } : {}),
      grid,
      ownerId: live.ownerId,
    };
  }

  /** Queues a webhook event with the comparison's JSON view (never fails the comparison). */
  private report(live: LiveComparison, event: WebhookEvent, view: ComparisonView): void {
    if (!live.webhook || !this.webhooks) return;
    void this.webhooks.emit(live.webhook, { kind: 'comparison', id: live.id }, event, view).catch(() => undefined);
  }

  /** The comparison as the API answers it, finished or not (NOT_FOUND for another client's). */
  state(id: string, viewer?: Viewer): ComparisonView {
    const live = this.visibleLive(id, viewer);
    return live ? live.view() : this.view(this.get(id, viewer));
  }

  /**
   * Stops a queued or running comparison's cells (within one step) and answers it as it is now:
   * cancelled, cells already done keeping their images. A comparison that has ended is answered
   * as it is (as DELETE /v1/generations/{id} does). NOT_FOUND for another client's.
   */
  cancel(id: string, viewer?: Viewer): ComparisonView {
    const live = this.visibleLive(id, viewer);
    if (!live) return this.view(this.get(id, viewer));
    live.cancel();
    return live.view();
  }

  /** A comparison not yet kept by the store (running, failed or cancelled), when the viewer may see it. */
  private visibleLive(id: string, viewer?: Viewer): LiveComparison | undefined {
    const live = this.live.get(id);
    if (live && !canView(viewer, live.ownerId)) throw notFound('comparison', id);
    return live;
  }

  /**
   * The comparison's events to `sink`: `cell` per step of each cell (the latest only for a reader
   * slower than the steps), then `done`; a finished comparison sends its `done` at once.
   */
  subscribe(id: string, sink: EventSink<ComparisonEvent>, viewer?: Viewer): EventSubscription {
    const live = this.visibleLive(id, viewer);
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
    const live = this.visibleLive(id, viewer);
    if (live) throw new ApiError(ErrorCode.CONFLICT, `comparison ${id} is ${live.status}; its grid exists once it has succeeded`, { status: live.status });
    return this.get(id, viewer).grid;
  }

  /** The reference image as the grid shows it (NOT_FOUND when the comparison has none); kept with the finished comparison. */
  reference(id: string, viewer?: Viewer): Buffer {
    const live = this.visibleLive(id, viewer);
    if (live) throw new ApiError(ErrorCode.CONFLICT, `comparison ${id} is ${live.status}; its reference image is kept once it has succeeded`, { status: live.status });
    const record = this.get(id, viewer);
    if (!record.reference) throw new ApiError(ErrorCode.NOT_FOUND, `comparison ${id} has no reference image`, { id });
    return record.reference;
  }

  /** A cell's PNG: as soon as the cell has succeeded, while the rest of the comparison runs. */
  cell(id: string, row: string, column: string, viewer?: Viewer): Buffer {
    const live = this.visibleLive(id, viewer);
    if (live) return live.png(row, column);
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
          status: 'succeeded' as const,
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
    width: record.width,
    height: record.height,
    ...(record.reference ? { referenceUrl: comparisonReferenceUrl(record.id) } : {}),
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

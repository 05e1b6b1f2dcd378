/**
 * Where generations run: in this process (LocalGenerationBackend, the default) or shared by
 * replicas through Redis (RedisGenerations, AFD_JOBS=redis). The application picks one at start-up
 * (app.module.ts); the transports reach it through Generations and never ask which it is. Both
 * answer the same records, events and errors.
 */
import { ApiError, ErrorCode } from '../common/error-code';
import type { GenerationRecord, GenerationStatus, Viewer } from './generation-store';
import type { EventSink, EventSubscription } from './progress-fanout';
import type { WebhookSubscription } from '../webhooks/webhooks.service';

/** The generation as started (readable at once) and the promise of its end. */
export interface StartedGeneration {
  readonly record: GenerationRecord;
  readonly done: Promise<GenerationRecord>;
}

export interface GenerationBackend {
  /**
   * Validates and starts a generation. With an idempotency key, the same client, key and body
   * within the result time give back the generation already started; another body is a CONFLICT.
   * `webhook` (already checked) hears when it starts and ends.
   */
  start(body: unknown, clientId: string, idempotencyKey?: string, webhook?: WebhookSubscription): Promise<StartedGeneration>;
  /** A client sees its own generations (others read as NOT_FOUND), an administrator all; no viewer: internal reads. */
  get(id: string, viewer?: Viewer): Promise<GenerationRecord>;
  cancel(id: string, viewer?: Viewer): Promise<GenerationRecord>;
  image(id: string, index: string, viewer?: Viewer): Promise<{ mimeType: string; bytes: Buffer }>;
  /** Progress events: the current state at once, one per step, then `done` (see ProgressFanout). */
  subscribe(id: string, sink: EventSink, viewer?: Viewer): Promise<EventSubscription>;
  /** Shutdown's first step: take no more jobs (a shared queue keeps them for the other replicas). */
  stopTakingJobs(): Promise<void>;
  /** Last: release connections; jobs running here have finished or been cancelled. */
  close(): Promise<void>;
}

/** The backend the application chose at start-up (a provider of app.module.ts). */
export const GENERATION_BACKEND = Symbol('GENERATION_BACKEND');

/**
 * The Redis backend itself, or null in local mode: tests reach its replica-level controls
 * (runningJobIds, abandon) through it. Nothing else should need it.
 */
export const DISTRIBUTED_GENERATIONS = Symbol('DISTRIBUTED_GENERATIONS');

/** Image `index` (a path segment) of a generation, or the error both backends answer: CONFLICT before it succeeded, NOT_FOUND past its images. */
export function imageAt<I>(id: string, status: GenerationStatus, images: readonly I[], index: string): I {
  if (status !== 'succeeded') throw new ApiError(ErrorCode.CONFLICT, `generation ${id} is ${status}; images exist once it has succeeded`, { status });
  const image = /^\d+$/.test(index) ? images[Number(index)] : undefined;
  if (!image) throw new ApiError(ErrorCode.NOT_FOUND, `generation ${id} has no image ${index} (it has ${images.length})`);
  return image;
}

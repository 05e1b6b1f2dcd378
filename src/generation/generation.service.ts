/** Generations: validate, queue on the pool, encode images with their parameters, keep results. */
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { ErrorCode, invalidArgument, notFound } from '../common/error-code';
import { toApiError } from '../error-mapping/to-api-error';
import { refuseUnknownFields } from '../common/api-contract';
import { timeOrderedId } from '../common/time-ordered-id';
import { encodeImage, IMAGE_FORMATS, MIME_TYPES, type ImageFormat } from '../engine/image/encode-image';
import { formatGenerationParameters } from '../engine/image/generation-parameters';
import { parseGenerationRequest, type GenerationInput } from '../engine/pipeline/generation-request';
import { denoisingSteps } from '../engine/pipeline/image-to-image';
import { MetricsService } from '../observability/metrics/metrics.service';
import { JobTracing } from '../observability/tracing/job-tracing';
import { InferencePool, type EncodedPreview, type PreviewOptions } from '../pool';
import { CheckpointsService } from '../checkpoints/checkpoints.service';
import { PromptsService } from '../prompts/prompts.service';
import { ENDED_SUBSCRIPTION, ProgressFanout, PublishedEvent, type EventSink, type EventSubscription } from './progress-fanout';
import { imageAt } from './generation-backend';
import { toProgressPreview, type ProgressPreview } from './progress-preview';
import { canView, GenerationStore, type GenerationRecord, type GenerationStatus, type Viewer } from './generation-store';
import { bodyFingerprint, checkIdempotencyKey, checkSameRequest, IdempotencyCache } from './idempotency-cache';
import { GenerateRequestSchema, INIT_IMAGE_FIELD, QUALITY_RANGE } from './generation.schemas';
import { previewOptions } from './preview-options';
import { readInitImage } from './init-image';
import { generationView } from './generation-view';
import { WebhooksService, type WebhookSubscription } from '../webhooks/webhooks.service';

export type { ProgressPreview } from './progress-preview';

// Kept here for the modules that import them from the service (src/distributed).
export { canonicalJson, checkIdempotencyKey, MAX_IDEMPOTENCY_KEY_LENGTH } from './idempotency-cache';

/** A server-sent event of GET /v1/generations/{id}/events: `progress` per step, then one `done`. */
export type GenerationEvent =
  | { readonly event: 'progress'; readonly data: { step: number; totalSteps: number; etaMs: number; status: GenerationStatus; preview?: ProgressPreview } }
  | { readonly event: 'done'; readonly data: { status: GenerationStatus; step: number; totalSteps: number; error?: { code: string; message: string } } };

// The request's fields and rules are written once, in its schema.
export { GENERATION_FIELDS } from './generation.schemas';

/** How a generation runs, beside its request body: the request's `preview` fields, read by prepare. */
export interface LaunchOptions {
  /** Progress events carry a preview every `intervalSteps` steps and at the last (see ProgressPreview). */
  readonly preview?: PreviewOptions;
  /** Where to report the generation's start and end (checked by the caller: WebhooksService.subscription). */
  readonly webhook?: WebhookSubscription;
}

// The JSON view lives in generation-view.ts (one mapper, image URLs from common/result-urls.ts).
export type { GenerationView } from './generation-view';

@Injectable()
export class GenerationService {
  /** Generation spans (tracing.module.ts): a property, so specs that build the service by hand need not pass it. */
  @Optional() @Inject(JobTracing) private readonly tracing?: JobTracing;
  /** One fan-out per generation that has subscribers. */
  private readonly fanouts = new Map<string, ProgressFanout>();
  /** Holds no record or image bytes: only ids, body hashes and running jobs' end promises (see idempotency-cache.ts). */
  private readonly idempotency: IdempotencyCache;
  private readonly logger = new Logger('Generations');

  constructor(
    @Inject(InferencePool) private readonly pool: InferencePool,
    @Inject(CheckpointsService) private readonly checkpoints: CheckpointsService,
    @Inject(GenerationStore) private readonly store: GenerationStore,
    @Inject(PromptsService) private readonly prompts: PromptsService,
    @Optional() @Inject(MetricsService) private readonly metrics?: MetricsService,
    @Optional() @Inject(WebhooksService) private readonly webhooks?: WebhooksService,
  ) {
    this.idempotency = new IdempotencyCache(store.ttlMs);

    store.onRemoved((id) => this.idempotency.forget(id));
  }

  /**
   * Starts a generation; the returned promise settles when it ends (the record is readable before).
   * With an idempotency key, the same client, key and body within the result time give back the
   * generation already started; the same key with another body is a CONFLICT.
   */
  async start(body: unknown, clientId: string, idempotencyKey?: string, options: LaunchOptions = {}): Promise<{ record: GenerationRecord; done: Promise<GenerationRecord> }> {
    try {
      return await this.startOnce(body, clientId, idempotencyKey, options);
    } catch (error) {
      this.metrics?.generationFailed(error);
      throw error;
    }
  }

  private async startOnce(body: unknown, clientId: string, idempotencyKey: string | undefined, options: LaunchOptions): Promise<{ record: GenerationRecord; done: Promise<GenerationRecord> }> {
    if (idempotencyKey === undefined) return this.launch(await this.prepare(body), clientId, timeOrderedId(), options);
    checkIdempotencyKey(idempotencyKey);
    // Validate first: a body that is not a valid generation never reaches the fingerprint.
    const prepared = await this.prepare(body);
    const fingerprint = bodyFingerprint(body);
    // An entry lives only as long as its generation in the store: the store drops both together.
    const previous = this.idempotency.find(clientId, idempotencyKey);
    if (previous && this.store.has(previous.id)) {
      checkSameRequest(previous, fingerprint);
      const record = this.store.get(previous.id);
      return { record, done: previous.running ?? Promise.resolve(record) };
    }
    const started = this.launch(prepared, clientId, timeOrderedId(), options);
    this.idempotency.remember(clientId, idempotencyKey, fingerprint, started.record.id, started.done);
    return started;
  }

  /**
   * Progress of a generation as events: the current state at once, then one per step, then `done`
   * (also at once when it has already ended). A sink that reports its transport full is sent only the
   * latest progress once it drains (see ProgressFanout).
   */
  subscribe(id: string, sink: EventSink, viewer?: Viewer): EventSubscription {
    const record = this.get(id, viewer);
    const ready = sink.send(new PublishedEvent(progressEvent(record)));
    if (isFinished(record.status)) {
      sink.send(new PublishedEvent(doneEvent(record)));
      return ENDED_SUBSCRIPTION;
    }
    let fanout = this.fanouts.get(id);
    if (!fanout) {
      const created = new ProgressFanout(() => {
        if (this.fanouts.get(id) === created) this.fanouts.delete(id);
      });
      this.fanouts.set(id, (fanout = created));
    }
    return fanout.add(sink, ready);
  }

  private notify(record: GenerationRecord, event: GenerationEvent): void {
    this.fanouts.get(record.id)?.publish(event);
    if (event.event === 'done') this.fanouts.delete(record.id);
  }

  /**
   * Validates a request body as a generation and returns it normalised for running anywhere: the
   * prompt resolved (from attributes), the seed fixed (random when omitted), nothing else changed.
   * Throws the ApiError the transports answer.
   */
  async normalize(body: unknown): Promise<{ input: Record<string, unknown>; checkpointId: string; totalSteps: number; imageToImage?: { strength: number } }> {
    const prepared = await this.prepare(body);
    // A job travels as JSON: an init image that came as bytes (multipart, gRPC) goes as base64, decoded again where it runs.
    const image = prepared.input[INIT_IMAGE_FIELD];
    const initImage = Buffer.isBuffer(image) || image instanceof Uint8Array ? { [INIT_IMAGE_FIELD]: Buffer.from(image).toString('base64') } : {};
    const { request } = prepared;
    // The webhook travels beside the job (checked, with its client), not in the image's input.
    const input = Object.fromEntries(Object.entries(prepared.input).filter(([field]) => field !== 'webhook'));
    return {
      input: { ...input, ...initImage, seed: request.seed.toString() },
      checkpointId: prepared.checkpoint.id,
      totalSteps: denoisingSteps(request),
      ...(request.initImage && request.strength !== undefined ? { imageToImage: { strength: request.strength } } : {}),
    };
  }

  /** Runs an already normalised input under a given id (a distributed job executing on this replica). */
  async run(input: Record<string, unknown>, clientId: string, id: string, options: LaunchOptions = {}): Promise<{ record: GenerationRecord; done: Promise<GenerationRecord> }> {
    return this.launch(await this.prepare(input), clientId, id, options);
  }

  private async prepare(body: unknown) {
    refuseUnknownFields(GenerateRequestSchema, body, 'is not a generation field');
    const checkpoint = this.checkpoints.resolve((body as GenerationInput)['checkpoint']);
    const input = this.withPrompt(body as GenerationInput, checkpoint.id);
    // null means "the default" for these as for every other field.
    const format = outputFormat(input['outputFormat'] ?? undefined);
    const quality = input['quality'] ?? undefined;
    if (quality !== undefined && (typeof quality !== 'number' || !Number.isInteger(quality) || quality < QUALITY_RANGE.min || quality > QUALITY_RANGE.max)) {
      throw invalidArgument('quality', `must be an integer from ${QUALITY_RANGE.min} to ${QUALITY_RANGE.max}`);
    }
    // The image depends on the other fields only; previews are how progress is reported.
    const imageInput = Object.fromEntries(Object.entries(input).filter(([field]) => field !== 'preview' && field !== 'previewInterval' && field !== 'webhook'));
    const initImage = await readInitImage(imageInput, [checkpoint.id], (id) => this.checkpoints.vaeEncoderProblem(id));
    let request;
    try {
      request = parseGenerationRequest({ ...imageInput, ...initImage });
    } catch (error) {
      throw toApiError(error);
    }
    return { checkpoint, input: input as Record<string, unknown>, format, quality, request, preview: previewOptions(input, request.steps) };
  }

  private launch(
    prepared: Awaited<ReturnType<GenerationService['prepare']>>,
    clientId: string,
    id: string,
    options: LaunchOptions = {},
  ): { record: GenerationRecord; done: Promise<GenerationRecord> } {
    const { checkpoint, format, quality, request } = prepared;
    const record: GenerationRecord = {
      id,
      checkpointId: checkpoint.id,
      createdAt: Date.now(),
      status: 'queued',
      // Image to image runs part of the schedule: about floor(steps × strength), corrected by the pool's first progress.
      progress: { step: 0, totalSteps: denoisingSteps(request), etaMs: 0 },
      images: [],
      ownerId: clientId,
      ...(request.initImage && request.strength !== undefined ? { imageToImage: { strength: request.strength } } : {}),
    };
    let job;
    // The first image's preview can come on an event that does not advance the generation's step
    // (the other images have not finished that step yet): it waits for the event that does.
    let pendingPreview: EncodedPreview | undefined;
    try {
      job = this.pool.submit({
        checkpointId: checkpoint.id,
        request,
        clientId,
        ...((options.preview ?? prepared.preview) ? { preview: options.preview ?? prepared.preview } : {}),
        onProgress: (p) => {
          const starting = record.status === 'queued';
          record.status = 'running';
          if (starting) this.report(options.webhook, record, 'started');
          if (p.preview) pendingPreview = p.preview;
          // The pool reports each image's step; subscribers get one event per step of the generation.
          if (p.jobStep <= record.progress.step) return;
          record.progress = { step: p.jobStep, totalSteps: p.totalSteps, etaMs: p.etaMs };
          const preview = pendingPreview;
          pendingPreview = undefined;
          this.notify(record, progressEvent(record, preview));
        },
      });
    } catch (error) {
      throw toApiError(error);
    }
    record.cancel = () => job.cancel();
    const trace = this.tracing?.started(job.jobId, { 'afd.generation.id': id, 'afd.checkpoint': checkpoint.id, 'afd.steps': request.steps, 'afd.images': request.numImages });
    // The job handle holds the decoded pixels: let it go once the job has ended (only the encoded images are kept).
    const release = (): void => {
      delete record.cancel;
    };
    void job.result.then(release, release);
    this.store.add(record);
    const hash = this.checkpoints.unetHash(checkpoint.id);
    const done = job.result.then(
      async (result) => {
        const encodingStarted = performance.now();
        const encodeAll = () =>
          Promise.all(
            result.images.map(async ({ index, seed, image }) => {
              const parameters = formatGenerationParameters({ ...request, seed, checkpointId: checkpoint.id, checkpointHash: hash, noiseMode: request.noiseMode });
              const bytes = await encodeImage(image, { format, quality: quality as number | undefined, parameters });
              return { index, seed: seed.toString(), mimeType: MIME_TYPES[format], bytes };
            }),
          );
        const images = await (trace ? trace.imageEncoding(encodeAll) : encodeAll());
        this.metrics?.generationSucceeded(checkpoint.id, result, (performance.now() - encodingStarted) / 1000);
        trace?.succeeded(result.timings);
        this.store.setImages(record, images);
        record.status = 'succeeded';
        record.progress = { ...record.progress, step: record.progress.totalSteps, etaMs: 0 };
        this.notify(record, doneEvent(record));
        this.report(options.webhook, record, 'succeeded');
        return record;
      },
      (error: unknown) => {
        const apiError = toApiError(error);
        this.metrics?.generationFailed(apiError);
        trace?.failed(apiError.code, apiError.message);
        record.status = apiError.code === ErrorCode.CANCELLED ? 'cancelled' : 'failed';
        record.error = { code: apiError.code, message: apiError.message };
        this.notify(record, doneEvent(record));
        this.report(options.webhook, record, record.status === 'cancelled' ? 'cancelled' : 'failed');
        return record;
      },
    );
    return { record, done };
  }

  /** Queues a webhook event with the generation's JSON view (a queue that cannot take it is logged by the queue, never fails the generation). */
  private report(webhook: WebhookSubscription | undefined, record: GenerationRecord, event: 'started' | 'succeeded' | 'failed' | 'cancelled'): void {
    if (!webhook || !this.webhooks) return;
    void this.webhooks.emit(webhook, { kind: 'generation', id: record.id }, event, generationView(record, false)).catch((error: unknown) => this.logger.warn(`webhook ${event} of ${record.id} not queued: ${(error as Error).message}`));
  }

  /** A prompt given as fashion attributes becomes the checkpoint's standardised prompt. */
  private withPrompt(input: GenerationInput, checkpointId: string): GenerationInput {
    const { attributes, ...rest } = input;
    if (attributes === undefined || attributes === null) {
      if (input['prompt'] === undefined || input['prompt'] === null) throw invalidArgument('prompt', 'is required (or give fashion attributes instead)');
      return rest;
    }
    if (input['prompt'] !== undefined && input['prompt'] !== null) throw invalidArgument('attributes', 'give either prompt or attributes, not both');
    return { ...rest, prompt: this.prompts.build({ checkpoint: checkpointId, attributes }).prompt };
  }

  get(id: string, viewer?: Viewer): GenerationRecord {
    const record = this.store.get(id);
    if (!canView(viewer, record.ownerId)) throw notFound('generation', id);
    return record;
  }

  cancel(id: string, viewer?: Viewer): GenerationRecord {
    const record = this.get(id, viewer);
    if (record.status === 'queued' || record.status === 'running') record.cancel?.();
    return record;
  }

  image(id: string, index: string, viewer?: Viewer): { mimeType: string; bytes: Buffer } {
    const record = this.get(id, viewer);
    return imageAt(id, record.status, record.images, index);
  }
}

export function isFinished(status: GenerationStatus): boolean {
  return status !== 'queued' && status !== 'running';
}

export function progressEvent(record: GenerationRecord, preview?: EncodedPreview): GenerationEvent {
  return { event: 'progress', data: { ...record.progress, status: record.status, ...(preview ? { preview: toProgressPreview(preview) } : {}) } };
}



export function doneEvent(record: GenerationRecord): GenerationEvent {
  return {
    event: 'done',
    data: { status: record.status, step: record.progress.step, totalSteps: record.progress.totalSteps, ...(record.error ? { error: record.error } : {}) },
  };
}

function outputFormat(value: unknown): ImageFormat {
  if (value === undefined) return 'png';
  if (typeof value !== 'string' || !(IMAGE_FORMATS as readonly string[]).includes(value)) {
    throw invalidArgument('outputFormat', `must be one of ${IMAGE_FORMATS.join(', ')}`);
  }
  return value as ImageFormat;
}

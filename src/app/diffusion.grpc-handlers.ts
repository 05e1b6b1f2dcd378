/** afrofashion.v1.DiffusionService: requests → GenerationService / CheckpointsService → messages. */
import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import type { Metadata } from '@grpc/grpc-js';
import { ApiError, invalidArgument, type ErrorCode } from '../common/error-code';
import { DEFAULT_CLIENT_RECEIVE_LIMIT } from '../comparisons/comparison-size';
import type { CheckpointsService, CheckpointView } from '../checkpoints/checkpoints.service';
import type { Generations } from '../generation/generations';
import type { GenerationRecord } from '../generation/generation-store';
import type { EventSink, EventSubscription } from '../generation/progress-fanout';
import type { ComparisonsService } from '../comparisons/comparisons.service';
import type { ComparisonRecord } from '../comparisons/comparison-store';
import { attributesInput, type AttributesMessage } from '../transports/grpc/grpc-attributes';
import { GENERATION_FIELDS } from '../generation/generation.schemas';
import { viewerOf } from '../auth/api-keys';
import { principalOf } from '../transports/grpc/grpc-access';
import { serverStream, unary } from '../transports/grpc/grpc-handlers';

/** GenerateRequest as proto-loader decodes it (lowerCamelCase; absent optional fields absent). */
export interface GenerateRequestMessage {
  readonly prompt?: string;
  readonly negativePrompt?: string;
  readonly checkpoint?: string;
  readonly width?: number;
  readonly height?: number;
  readonly steps?: number;
  readonly guidanceScale?: number;
  readonly seed?: string;
  readonly scheduler?: string;
  readonly noiseMode?: string;
  readonly numImages?: number;
  readonly eta?: number;
  readonly outputFormat?: string;
  readonly quality?: number;
  readonly attributes?: AttributesMessage;
}

/** The request schema's fields but attributes (a message of its own, mapped below); the .proto is checked against the schema. */
const GENERATE_FIELDS = GENERATION_FIELDS.filter((field): field is Exclude<keyof GenerateRequestMessage, 'attributes'> => field !== 'attributes');

interface ImageMessage {
  index: number;
  seed: string;
  mimeType: string;
  data: Buffer;
}

/** The fields the request sets, named as the domain (and REST) names them. */
export function generationInput(request: GenerateRequestMessage): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const field of GENERATE_FIELDS) if (request[field] !== undefined && request[field] !== null) input[field] = request[field];
  // proto3 has no absent plain string: an empty prompt is a missing one.
  if (input['prompt'] === '') delete input['prompt'];
  if (request.attributes) input['attributes'] = attributesInput(request.attributes);
  return input;
}

function progressMessage(record: GenerationRecord): { id: string; step: number; totalSteps: number; etaMs: number } {
  return { id: record.id, step: record.progress.step, totalSteps: record.progress.totalSteps, etaMs: Math.max(0, Math.round(record.progress.etaMs)) };
}

/** Writes progress messages to a Generate stream; false (not drained) when grpc-js's buffer is full. */
function progressSink(call: { readonly cancelled: boolean; write(message: unknown): boolean }, id: string): EventSink {
  return {
    send: ({ event }) => {
      if (event.event !== 'progress' || call.cancelled) return true;
      const { step, totalSteps, etaMs } = event.data;
      return call.write({ progress: { id, step, totalSteps, etaMs: Math.max(0, Math.round(etaMs)) } });
    },
  };
}

function images(record: GenerationRecord, withData: boolean): ImageMessage[] {
  return record.images.map((i) => ({ index: i.index, seed: i.seed, mimeType: i.mimeType, data: withData ? i.bytes : Buffer.alloc(0) }));
}

function generationMessage(record: GenerationRecord, withData: boolean): Record<string, unknown> {
  return {
    id: record.id,
    status: `GENERATION_STATUS_${record.status.toUpperCase()}`,
    checkpoint: record.checkpointId,
    progress: progressMessage(record),
    images: images(record, withData),
    ...(record.error ? { error: record.error } : {}),
  };
}

function checkpointMessage(c: CheckpointView): Record<string, unknown> {
  return {
    id: c.id,
    label: c.label,
    baseModel: c.baseModel,
    trainingStep: c.trainingStep,
    isDefault: c.default,
    pinned: c.pinned,
    unetHash: c.unetHash,
    residentOn: c.residentOn,
    bytes: c.bytes,
    status: c.status,
    error: c.error ?? '',
  };
}

/** CompareRequest as decoded; empty repeated fields mean "not given". */
interface CompareRequestMessage {
  readonly prompts?: string[];
  readonly checkpoints?: string[];
  readonly seed?: string;
  readonly steps?: number;
  readonly guidanceScale?: number;
  readonly width?: number;
  readonly height?: number;
  readonly scheduler?: string;
  readonly negativePrompt?: string;
  /** PNG, JPEG or WebP bytes: the grid's first column. */
  readonly referenceImage?: Buffer;
}

const COMPARE_SETTINGS = ['seed', 'steps', 'guidanceScale', 'width', 'height', 'scheduler', 'negativePrompt'] as const satisfies ReadonlyArray<keyof CompareRequestMessage>;

export function comparisonInput(request: CompareRequestMessage): Record<string, unknown> {
  const input: Record<string, unknown> = { prompts: request.prompts ?? [] };
  if (request.checkpoints && request.checkpoints.length > 0) input['checkpoints'] = request.checkpoints;
  for (const key of COMPARE_SETTINGS) if (request[key] !== undefined && request[key] !== null) input[key] = request[key];
  // Present only when the client set it (proto3 `optional`); an empty one is refused by the domain.
  if (request.referenceImage !== undefined && request.referenceImage !== null) input['referenceImage'] = request.referenceImage;
  return input;
}

function comparisonMessage(record: ComparisonRecord): Record<string, unknown> {
  return {
    id: record.id,
    seed: record.seed,
    cells: record.cells.flatMap((row, r) =>
      row.map((cell, c) => ({ prompt: cell.prompt, checkpoint: cell.checkpointId, trainingStep: cell.trainingStep, row: r, column: c, png: cell.png })),
    ),
    gridPng: record.grid,
    hasReference: record.hasReference,
  };
}

/** Metadata by which a client configured for larger messages says how large a reply it accepts. */
export const MAX_REPLY_BYTES_METADATA = 'afd-max-reply-bytes';
/** Protobuf messages are at most 2 GiB. */
const MAX_MESSAGE_BYTES = 2 ** 31 - 1;

/** The client's receive limit: its `afd-max-reply-bytes` metadata, or the 4 MiB default of gRPC clients. */
export function clientReceiveLimit(metadata: Metadata): number {
  const given = metadata.get(MAX_REPLY_BYTES_METADATA)[0];
  if (given === undefined) return DEFAULT_CLIENT_RECEIVE_LIMIT;
  const text = String(given);
  if (!/^[1-9]\d{0,9}$/.test(text) || Number(text) > MAX_MESSAGE_BYTES) {
    throw invalidArgument(MAX_REPLY_BYTES_METADATA, `must be a whole number of bytes from 1 to ${MAX_MESSAGE_BYTES}`);
  }
  return Number(text);
}

export function diffusionHandlers(generations: Generations, checkpoints: CheckpointsService, comparisons: ComparisonsService): UntypedServiceImplementation {
  return {
    Generate: serverStream<GenerateRequestMessage, unknown>(async (request, call) => {
      const principal = principalOf(call);
      const viewer = viewerOf(principal);
      // RESOURCE_EXHAUSTED past the client's open streams, before any work starts.
      const slot = generations.openStream(principal.clientId);
      try {
        const { record, done } = await generations.start(generationInput(request), principal.clientId);
        // The client going away (cancel, deadline, dropped connection) cancels the generation.
        const progress: { subscription?: EventSubscription } = {};
        call.on('cancelled', () => {
          progress.subscription?.unsubscribe();
          void generations.cancel(record.id, viewer).catch(() => undefined);
        });
        const subscription = await generations.subscribe(record.id, progressSink(call, record.id), viewer);
        progress.subscription = subscription;
        // A client reading slower than the steps come gets the latest progress when its stream drains.
        call.on('drain', subscription.drained);
        if (call.cancelled) subscription.unsubscribe();
        const finished = await generations.withImageBytes(await done);
        subscription.unsubscribe();
        if (call.cancelled) return;
        if (finished.error) throw new ApiError(finished.error.code as ErrorCode, finished.error.message, { id: finished.id });
        call.write({ result: { id: finished.id, images: images(finished, true) } });
      } finally {
        slot.release();
      }
    }),
    GetGeneration: unary<{ id?: string; includeData?: boolean }, unknown>(async (request, call) => {
      const record = await generations.get(request.id ?? '', viewerOf(principalOf(call)));
      return generationMessage(request.includeData === true ? await generations.withImageBytes(record) : record, request.includeData === true);
    }),
    CancelGeneration: unary<{ id?: string }, unknown>(async (request, call) => generationMessage(await generations.cancel(request.id ?? '', viewerOf(principalOf(call))), false)),
    ListCheckpoints: unary<unknown, unknown>(async () => ({ checkpoints: (await checkpoints.list()).map(checkpointMessage) })),
    GetCheckpoint: unary<{ id?: string }, unknown>(async (request) => checkpointMessage(await checkpoints.get(request.id ?? ''))),
    LoadCheckpoint: unary<{ id?: string; device?: string }, unknown>(async (request) => checkpointMessage(await checkpoints.load(request.id ?? '', request.device))),
    UnloadCheckpoint: unary<{ id?: string; device?: string }, unknown>(async (request) => checkpointMessage(await checkpoints.unload(request.id ?? '', request.device))),
    // Every cell and the grid travel in one reply: refused up front when it could exceed what the client accepts.
    Compare: unary<CompareRequestMessage, unknown>(async (request, call) =>
      comparisonMessage(await comparisons.create(comparisonInput(request), principalOf(call).clientId, { maxReplyBytes: clientReceiveLimit(call.metadata) })),
    ),
  };
}

/** afrofashion.v1.DiffusionService, generations: Generate (streamed progress), GetGeneration, CancelGeneration. */
import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import { viewerOf } from '../auth/api-keys';
import { ApiError, type ErrorCode } from '../common/error-code';
import { attributesInput, type AttributesMessage } from '../transports/grpc/grpc-attributes';
import { principalOf } from '../transports/grpc/grpc-access';
import { serverStream, unary } from '../transports/grpc/grpc-handlers';
import { GENERATION_FIELDS } from './generation.schemas';
import type { GenerationRecord } from './generation-store';
import type { Generations } from './generations';
import type { EventSink, EventSubscription } from './progress-fanout';

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
  readonly emphasis?: string;
  readonly outputFormat?: string;
  readonly quality?: number;
  readonly attributes?: AttributesMessage;
  readonly preview?: boolean;
  readonly previewInterval?: number;
  /** Image to image: the picture's bytes. */
  readonly initImage?: Buffer;
  readonly strength?: number;
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
      const { step, totalSteps, etaMs, preview } = event.data;
      const previewMessage = preview ? { preview: { mimeType: preview.mimeType, width: preview.width, height: preview.height, data: Buffer.from(preview.base64, 'base64') } } : {};
      return call.write({ progress: { id, step, totalSteps, etaMs: Math.max(0, Math.round(etaMs)), ...previewMessage } });
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
    ...(record.imageToImage ? { imageToImage: { strength: record.imageToImage.strength } } : {}),
  };
}

export function generationHandlers(generations: Generations): UntypedServiceImplementation {
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
  };
}

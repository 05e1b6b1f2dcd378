/** afrofashion.v1.DiffusionService, comparisons: Compare (every cell and the grid in one reply), CompareStream (each cell's progress, then that reply) and ListComparisons (the history). */
import type { Metadata, UntypedServiceImplementation } from '@grpc/grpc-js';
import { invalidArgument } from '../common/error-code';
import { principalOf } from '../transports/grpc/grpc-access';
import { serverStream, unary } from '../transports/grpc/grpc-handlers';
import { viewerOf } from '../auth/api-keys';
import type { EventSink } from '../generation/progress-fanout';
import { DEFAULT_CLIENT_RECEIVE_LIMIT } from './comparison-size';
import type { ComparisonRecord } from './comparison-store';
import type { ComparisonEvent, ComparisonsService } from './comparisons.service';

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
  readonly preview?: boolean;
  readonly previewInterval?: number;
  /** Image to image for every cell: the picture's bytes. */
  readonly initImage?: Buffer;
  readonly strength?: number;
}

const COMPARE_SETTINGS = ['seed', 'steps', 'guidanceScale', 'width', 'height', 'scheduler', 'negativePrompt', 'preview', 'previewInterval', 'initImage', 'strength'] as const satisfies ReadonlyArray<keyof CompareRequestMessage>;

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

/** Writes cell messages to a CompareStream; false (not drained) when grpc-js's buffer is full. */
function cellSink(call: { readonly cancelled: boolean; write(message: unknown): boolean }, id: string): EventSink<ComparisonEvent> {
  return {
    send: ({ event }) => {
      if (event.event !== 'cell' || call.cancelled) return true;
      const { preview, etaMs, ...cell } = event.data;
      const previewMessage = preview ? { preview: { mimeType: preview.mimeType, width: preview.width, height: preview.height, data: Buffer.from(preview.base64, 'base64') } } : {};
      return call.write({ cell: { id, ...cell, etaMs: Math.max(0, Math.round(etaMs)), ...previewMessage } });
    },
  };
}

/** ListComparisonsRequest as decoded: absent fields stay absent (the defaults apply). */
interface ListComparisonsRequestMessage {
  readonly limit?: number;
  readonly cursor?: string;
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

export function comparisonHandlers(comparisons: ComparisonsService): UntypedServiceImplementation {
  return {
    // Every cell and the grid travel in one reply: refused up front when it could exceed what the client accepts.
    Compare: unary<CompareRequestMessage, unknown>(async (request, call) =>
      comparisonMessage(await comparisons.create(comparisonInput(request), principalOf(call).clientId, { maxReplyBytes: clientReceiveLimit(call.metadata) })),
    ),
    // The history: the same page as GET /v1/comparisons (its fields' names in the proto's case).
    ListComparisons: unary<ListComparisonsRequestMessage, unknown>(async (request, call) =>
      comparisons.list({ limit: request.limit, cursor: request.cursor }, viewerOf(principalOf(call))),
    ),
    // Compare with each cell's progress first; the result message follows the same size rule.
    CompareStream: serverStream<CompareRequestMessage, unknown>(async (request, call) => {
      const principal = principalOf(call);
      // RESOURCE_EXHAUSTED past the client's open streams, before any work starts.
      const slot = comparisons.openStream(principal.clientId);
      try {
        const { id, done } = await comparisons.start(comparisonInput(request), principal.clientId, { maxReplyBytes: clientReceiveLimit(call.metadata) });
        const subscription = comparisons.subscribe(id, cellSink(call, id), viewerOf(principal));
        // A client reading slower than the steps come gets the latest cell event when its stream drains.
        call.on('drain', subscription.drained);
        call.on('cancelled', subscription.unsubscribe);
        try {
          const record = await done;
          if (!call.cancelled) call.write({ result: comparisonMessage(record) });
        } finally {
          subscription.unsubscribe();
        }
      } finally {
        slot.release();
      }
    }),
  };
}

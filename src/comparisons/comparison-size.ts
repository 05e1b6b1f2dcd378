/**
 * The largest reply a comparison can make, known before any work is queued. gRPC's Compare returns
 * every cell's PNG and the grid in one message; a client refuses a message over its receive limit
 * (grpc-js and most others: 4 MiB by default), so a reply built past it is work thrown away. The
 * estimate is the worst case (PNG of pixels that do not compress), so a reply never exceeds it.
 */
import { ApiError, ErrorCode } from '../common/error-code';
import { gridSize } from './comparison-grid';

/** What gRPC clients accept by default (grpc-js `grpc.max_receive_message_length`). */
export const DEFAULT_CLIENT_RECEIVE_LIMIT = 4 * 1024 * 1024;

export interface ComparisonShape {
  readonly rows: number;
  readonly columns: number;
  readonly width: number;
  readonly height: number;
  readonly hasReference: boolean;
  /** The longest prompt and negative prompt together, in UTF-8 bytes: each cell's PNG carries them in its parameters chunk. */
  readonly promptBytes: number;
}

/** Signature, header and end chunks, the parameters chunk's settings (prompts apart), and slack. */
const PNG_FIXED_BYTES = 2048;
/** Deflated white margins with dark label text (measured: 0.08 to 0.22 bytes a pixel); counted at 0.5. */
const MARGIN_BYTES_PER_PIXEL = 0.5;
/** Each IDAT chunk costs 12 bytes; encoders write chunks of 8 KiB or more. */
const IDAT_CHUNK = 8192;

/**
 * The largest PNG of an image: its raw rows (a filter byte each) through zlib's worst case
 * (deflateBound: pixels that do not compress), cut into IDAT chunks. Cells are RGB; the grid, RGBA.
 */
export function worstCasePngBytes(width: number, height: number, channels = 3): number {
  const raw = height * (width * channels + 1);
  const deflated = raw + (raw >> 12) + (raw >> 14) + (raw >> 25) + 19;
  return deflated + 12 * Math.ceil(deflated / IDAT_CHUNK) + PNG_FIXED_BYTES;
}

/** Every cell's PNG and the grid's, plus a little per cell for the message's other fields. */
export function worstCaseReplyBytes(shape: ComparisonShape): number {
  const cells = shape.rows * shape.columns;
  const grid = gridSize(shape.columns + (shape.hasReference ? 1 : 0), shape.rows, shape.width, shape.height);
  const cell = worstCasePngBytes(shape.width, shape.height) + shape.promptBytes + 256;
  // The grid: its images at worst (RGBA), and the white margins with their labels, which deflate to far below a byte a pixel.
  const images = (cells + (shape.hasReference ? shape.rows : 0)) * shape.width * shape.height;
  const margins = grid.width * grid.height - images;
  return cells * cell + worstCasePngBytes(Math.ceil(images / grid.height), grid.height, 4) + Math.ceil(margins * MARGIN_BYTES_PER_PIXEL);
}

/** Throws TOO_LARGE, naming the rule and the ways out, when the reply could exceed `limitBytes`. */
export function checkReplySize(shape: ComparisonShape, limitBytes: number): void {
  const bytes = worstCaseReplyBytes(shape);
  if (bytes <= limitBytes) return;
  const cells = shape.rows * shape.columns;
  throw new ApiError(
    ErrorCode.TOO_LARGE,
    `request: the reply could reach ${mebibytes(bytes)} MiB (${cells} cell${cells === 1 ? '' : 's'} of ${shape.width}x${shape.height} and the grid, as PNG), ` +
      `over the ${mebibytes(limitBytes)} MiB this client accepts; compare fewer prompts or checkpoints or smaller images, ` +
      `send metadata afd-max-reply-bytes with a larger client receive limit, or use REST or GraphQL, which answer with image URLs`,
    { field: 'request', rule: 'reply size', limitBytes, estimatedBytes: bytes },
  );
}

function mebibytes(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(1);
}

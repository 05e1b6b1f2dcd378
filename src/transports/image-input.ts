/**
 * Pictures a client sends: a comparison's reference image (the grid's first column) and the init
 * image of image to image (generations and comparisons). One module, so both have the same limits
 * and the same messages on every transport (REST JSON and multipart, GraphQL, gRPC).
 *
 * They are hostile input, so they are checked before any work is queued and before any decoder sees them:
 * - at most MAX_IMAGE_INPUT_BYTES (413 TOO_LARGE), checked on the base64 text before decoding it;
 * - PNG, JPEG or WebP only, told by the file's signature, so GIF, SVG (never handed to librsvg),
 *   TIFF, HEIF and the rest are refused (400 INVALID_ARGUMENT) whatever they claim to be;
 * - at most MAX_IMAGE_INPUT_PIXELS (sharp's limitInputPixels, checked on the header before the
 *   pixels are decoded), so a small file that expands to a huge bitmap is refused (413);
 * - only its pixels are kept: EXIF orientation is applied, then EXIF, ICC, XMP and text chunks are
 *   dropped and alpha is flattened onto white. A reference image is then scaled to cover the cell
 *   size (cropped at the centre, like a thumbnail) so the column lines up with the generated
 *   images; an init image keeps its own size (the engine fits it to the request's).
 */
import sharp from 'sharp';
import { ApiError, ErrorCode, invalidArgument } from '../common/error-code';
import type { RgbImage } from '../engine/pipeline/decode-latents';

/** The largest image file accepted: 8 MiB. */
export const MAX_IMAGE_INPUT_BYTES = 8 * 1024 * 1024;
/** The largest image accepted, in pixels (width × height): 4096 × 4096. */
export const MAX_IMAGE_INPUT_PIXELS = 4096 * 4096;
export const IMAGE_INPUT_FORMATS = ['png', 'jpeg', 'webp'] as const;
export type ImageInputFormat = (typeof IMAGE_INPUT_FORMATS)[number];
/** The rules in words, for schema descriptions and documentation. */
export const IMAGE_INPUT_RULES = `PNG, JPEG or WebP (told by the file's signature; others are refused with 400), at most ${MAX_IMAGE_INPUT_BYTES / (1024 * 1024)} MiB and ${MAX_IMAGE_INPUT_PIXELS.toLocaleString('en-US')} pixels (4096 × 4096; 413 above); EXIF orientation applied, alpha flattened on white, metadata dropped`;

const MEDIA_TYPES: Readonly<Record<string, ImageInputFormat>> = { 'image/png': 'png', 'image/jpeg': 'jpeg', 'image/jpg': 'jpeg', 'image/webp': 'webp' };
const FORMATS_RULE = 'must be a PNG, JPEG or WebP image';
const MIB = 1024 * 1024;

/**
 * The image's bytes from a body field: bytes as they are (multipart file, gRPC `bytes`), or a base64
 * string, optionally as a data URL (`data:image/png;base64,...`) as JSON and GraphQL carry it.
 */
export function readImageBytes(value: unknown, field: string): Buffer {
  if (Buffer.isBuffer(value)) return checkByteSize(value, field);
  if (value instanceof Uint8Array) return checkByteSize(Buffer.from(value.buffer, value.byteOffset, value.byteLength), field);
  if (typeof value !== 'string') throw invalidArgument(field, 'must be a base64 string (or a data:image/...;base64, URL)');

  let text = value;
  if (/^data:/i.test(text)) {
    const comma = text.indexOf(',');
    if (comma < 0 || comma > 200) throw invalidArgument(field, 'must be a data URL of the form data:image/png;base64,...');
    const [mediaType = '', ...parameters] = text.slice(5, comma).split(';');
    if (parameters.at(-1)?.toLowerCase() !== 'base64') throw invalidArgument(field, 'must be a base64 data URL (data:image/png;base64,...)');
    if (mediaType !== '' && MEDIA_TYPES[mediaType.toLowerCase()] === undefined) throw invalidArgument(field, `${FORMATS_RULE} (the data URL says ${mediaType})`);
    text = text.slice(comma + 1);
  }
  // Checked on the text, before anything is allocated for the bytes: 4 characters carry 3 bytes.
  if (text.length > Math.ceil(MAX_IMAGE_INPUT_BYTES / 3) * 4 + 4096) throw tooLarge(field, Math.floor((text.length * 3) / 4));
  const compact = /\s/.test(text) ? text.replace(/\s+/g, '') : text;
  if (compact === '') throw invalidArgument(field, 'must not be empty');
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(compact) || compact.length % 4 === 1) throw invalidArgument(field, 'must be base64-encoded image bytes (or a data:image/...;base64, URL)');
  return checkByteSize(Buffer.from(compact, 'base64'), field);
}

/** Which of the accepted formats the bytes are, by their signature; otherwise what they look like, for the message. */
export function sniffImageFormat(bytes: Uint8Array): { format: ImageInputFormat } | { format: null; looksLike: string } {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ascii = (start: number, end: number): string => b.subarray(start, end).toString('latin1');
  if (b.length >= 8 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return { format: 'png' };
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return { format: 'jpeg' };
  if (b.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return { format: 'webp' };
  if (ascii(0, 4) === 'GIF8') return { format: null, looksLike: 'GIF' };
  if (ascii(0, 4) === 'II*\0' || ascii(0, 4) === 'MM\0*') return { format: null, looksLike: 'TIFF' };
  if (ascii(0, 2) === 'BM') return { format: null, looksLike: 'BMP' };
  if (ascii(4, 8) === 'ftyp') return { format: null, looksLike: 'HEIF/AVIF' };
  const head = b.subarray(0, 1024).toString('utf8').replace(/^\uFEFF/, '').trimStart();
  if (/<svg[\s>]/i.test(head) || (head.startsWith('<') && /svg/i.test(head))) return { format: null, looksLike: 'SVG' };
  if (head.startsWith('<')) return { format: null, looksLike: 'XML/HTML' };
  return { format: null, looksLike: 'unrecognised data' };
}

/**
 * Checks the bytes and decodes them to RGB pixels: at the image's own size, or scaled to cover
 * `cover` and cropped at the centre (a comparison's reference cell). Throws INVALID_ARGUMENT (wrong
 * type, undecodable) or TOO_LARGE (bytes or pixels) naming `field`.
 */
export async function decodeImageInput(bytes: Buffer, field: string, cover?: { width: number; height: number }): Promise<RgbImage> {
  checkByteSize(bytes, field);
  const sniffed = sniffImageFormat(bytes);
  if (sniffed.format === null) throw invalidArgument(field, `${FORMATS_RULE}, got ${sniffed.looksLike}`);
  const format = sniffed.format;
  const options = { limitInputPixels: MAX_IMAGE_INPUT_PIXELS, failOn: 'error', pages: 1 } as const;

  let width: number;
  let height: number;
  try {
    // The header only (no pixels are decoded), read without the pixel limit so the message can give the size.
    const metadata = await sharp(bytes, { ...options, limitInputPixels: false }).metadata();
    if (metadata.format !== format) throw new Error(`decoded as ${metadata.format}`);
    width = metadata.width;
    height = metadata.height;
  } catch (error) {
    throw undecodable(field, format, error);
  }
  if (!(width > 0 && height > 0)) throw invalidArgument(field, `could not be decoded as ${format.toUpperCase()} (no size)`);
  if (width * height > MAX_IMAGE_INPUT_PIXELS) {
    throw new ApiError(ErrorCode.TOO_LARGE, `${field}: must have at most ${MAX_IMAGE_INPUT_PIXELS.toLocaleString('en-US')} pixels (4096 × 4096), got ${width} × ${height}`, {
      field,
      rule: 'pixel limit',
      limit: MAX_IMAGE_INPUT_PIXELS,
    });
  }

  try {
    // The raw pixels carry no metadata; whatever is encoded from them is encoded from scratch.
    const oriented = sharp(bytes, { ...options, autoOrient: true }).flatten({ background: '#ffffff' }).toColourspace('srgb');
    const sized = cover ? oriented.resize(cover.width, cover.height, { fit: 'cover', position: 'centre' }) : oriented;
    const { data, info } = await sized.removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const expected = cover ?? { width: info.width, height: info.height };
    if (info.channels !== 3 || info.width !== expected.width || info.height !== expected.height) throw new Error(`unexpected ${info.width}x${info.height}x${info.channels} output`);
    return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
  } catch (error) {
    throw undecodable(field, format, error);
  }
}

function checkByteSize(bytes: Buffer, field: string): Buffer {
  if (bytes.length === 0) throw invalidArgument(field, 'must not be empty');
  if (bytes.length > MAX_IMAGE_INPUT_BYTES) throw tooLarge(field, bytes.length);
  return bytes;
}

function tooLarge(field: string, bytes: number): ApiError {
  return new ApiError(ErrorCode.TOO_LARGE, `${field}: must be at most ${MAX_IMAGE_INPUT_BYTES / MIB} MiB (${MAX_IMAGE_INPUT_BYTES} bytes), got about ${bytes} bytes`, {
    field,
    rule: 'size limit',
    limit: MAX_IMAGE_INPUT_BYTES,
  });
}

function undecodable(field: string, format: ImageInputFormat, error: unknown): ApiError {
  const reason = error instanceof Error ? error.message.split('\n')[0]!.slice(0, 160) : 'unknown error';
  if (/pixel limit/i.test(reason)) {
    return new ApiError(ErrorCode.TOO_LARGE, `${field}: must have at most ${MAX_IMAGE_INPUT_PIXELS.toLocaleString('en-US')} pixels (4096 × 4096)`, {
      field,
      rule: 'pixel limit',
      limit: MAX_IMAGE_INPUT_PIXELS,
    });
  }
  return invalidArgument(field, `could not be decoded as ${format.toUpperCase()} (${reason})`);
}

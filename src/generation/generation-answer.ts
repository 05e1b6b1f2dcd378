/**
 * What POST /v1/generations answers with, decided from `Accept` before any work is queued: the
 * JSON view, or the image's bytes (one image, in the requested outputFormat). A client that accepts
 * neither gets 406 at once, rather than a PNG it did not ask for after the work is done.
 */
import { preference } from '../common/content-negotiation';
import { ApiError, ErrorCode } from '../common/error-code';
import { IMAGE_FORMATS, MIME_TYPES, type ImageFormat } from '../engine/image/encode-image';

export type GenerationAnswer = 'json' | 'image';

export function generationAnswer(accept: string | undefined, body: unknown): GenerationAnswer {
  if (accept === undefined || accept.trim() === '') return 'json';
  const fields = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  const format = requestedFormat(fields['outputFormat']);
  // An outputFormat that is not one of ours is refused by validation, naming the field.
  if (format === undefined) return 'json';
  const mimeType = MIME_TYPES[format];
  const oneImage = fields['numImages'] === undefined || fields['numImages'] === null || fields['numImages'] === 1;
  const json = preference(accept, 'application/json');
  const image = oneImage ? preference(accept, mimeType) : { q: 0, specificity: 0 };
  // Bytes when the client names the image type (or image/*) at least as warmly as JSON; a bare wildcard means JSON.
  if (image.q > 0 && image.q >= json.q && (image.specificity >= 2 || json.q === 0)) return 'image';
  if (json.q > 0) return 'json';
  const produced = oneImage ? `application/json or ${mimeType} (outputFormat ${format})` : 'application/json (raw image bytes need numImages 1)';
  throw new ApiError(ErrorCode.NOT_ACCEPTABLE, `Accept: lists none of the types this request can be answered with: ${produced}`, {
    field: 'Accept',
    rule: 'must accept application/json or the image type of outputFormat',
  });
}

function requestedFormat(value: unknown): ImageFormat | undefined {
  if (value === undefined || value === null) return 'png';
  return typeof value === 'string' && (IMAGE_FORMATS as readonly string[]).includes(value) ? (value as ImageFormat) : undefined;
}

/**
 * POST /v1/comparisons as multipart/form-data, for reference images too large for a JSON body
 * (AFD_BODY_LIMIT_KB, 256 KB by default, applies to JSON only). Exactly two parts:
 * - `request`: the comparison as JSON, the same object as the JSON body (without the image);
 * - `referenceImage`: the image file (PNG, JPEG or WebP, at most MAX_REFERENCE_IMAGE_BYTES).
 *
 *   curl -F 'request={"prompts": ["a red kente dress"], "seed": 7};type=application/json' \
 *        -F referenceImage=@dress.jpg localhost:8080/v1/comparisons
 *
 * multer (through Nest's FileInterceptor) keeps the file in memory and stops at its limits; its
 * errors become the API's errors here, naming the part, instead of Nest's generic 400/413.
 */
import { HttpException, Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import type { Observable } from 'rxjs';
import { ApiError, ErrorCode, invalidArgument } from '../common/error-code';
import { MAX_REFERENCE_IMAGE_BYTES, REFERENCE_IMAGE_FIELD } from './reference-image';

/** The multipart text part that holds the comparison as JSON. */
export const MULTIPART_REQUEST_FIELD = 'request';
/** The largest `request` part: four prompts of 4,000 characters and the settings fit with room to spare. */
export const MAX_MULTIPART_REQUEST_BYTES = 64 * 1024;

/**
 * multer's limits. Two text fields, not one, so that a `referenceImage` sent as text (curl's
 * `-F referenceImage=<file`) gets the message saying it must be a file part.
 */
export const COMPARISON_UPLOAD_LIMITS = {
  fileSize: MAX_REFERENCE_IMAGE_BYTES,
  files: 1,
  fields: 2,
  parts: 3,
  fieldSize: MAX_MULTIPART_REQUEST_BYTES,
  fieldNameSize: 100,
  headerPairs: 20,
} as const;

/** The part of multer's file that the controller reads. */
export interface UploadedImageFile {
  readonly fieldname: string;
  readonly buffer: Buffer;
  readonly size: number;
}

const MulterInterceptor = FileInterceptor(REFERENCE_IMAGE_FIELD, { limits: COMPARISON_UPLOAD_LIMITS });

/** FileInterceptor for `referenceImage`, with multer's errors as ApiErrors. JSON requests pass through untouched. */
@Injectable()
export class ComparisonUploadInterceptor implements NestInterceptor {
  private readonly multer: NestInterceptor = new MulterInterceptor();

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    try {
      return await this.multer.intercept(context, next);
    } catch (error) {
      throw multipartError(error);
    }
  }
}

/** Nest's translation of a multer or busboy error, as the API's error naming the part at fault. */
export function multipartError(error: unknown): unknown {
  if (!(error instanceof HttpException)) return error;
  const message = error.message;
  const limit = (rule: string, field: string, bytes: number): ApiError =>
    new ApiError(ErrorCode.TOO_LARGE, `${field}: ${rule}`, { field, rule: 'size limit', limit: bytes });
  if (/^File too large/i.test(message)) return limit(`must be at most ${MAX_REFERENCE_IMAGE_BYTES / (1024 * 1024)} MiB (${MAX_REFERENCE_IMAGE_BYTES} bytes)`, REFERENCE_IMAGE_FIELD, MAX_REFERENCE_IMAGE_BYTES);
  if (/^Field value too long/i.test(message)) return limit(`must be at most ${MAX_MULTIPART_REQUEST_BYTES} bytes of JSON`, MULTIPART_REQUEST_FIELD, MAX_MULTIPART_REQUEST_BYTES);
  if (/^Too many files/i.test(message)) return invalidArgument(REFERENCE_IMAGE_FIELD, 'give at most one file');
  const unexpected = /^Unexpected (?:file )?field - (.+)$/i.exec(message);
  if (unexpected) return invalidArgument(unexpected[1] as string, `is not a file part of a comparison (the one file part is ${REFERENCE_IMAGE_FIELD})`);
  if (/^Too many (fields|parts)/i.test(message)) return invalidArgument('body', multipartRule);
  return invalidArgument('body', `is not a valid multipart/form-data body (${message})`);
}

const multipartRule = `a multipart comparison has two parts: ${MULTIPART_REQUEST_FIELD} (the comparison as JSON) and ${REFERENCE_IMAGE_FIELD} (the image file)`;

/** The comparison body from the multipart parts: the `request` JSON, with the file's bytes as `referenceImage`. */
export function comparisonBodyFromMultipart(fields: unknown, file: UploadedImageFile | undefined): Record<string, unknown> {
  const parts = (fields ?? {}) as Record<string, unknown>;
  for (const name of Object.keys(parts)) {
    if (name === REFERENCE_IMAGE_FIELD) throw invalidArgument(REFERENCE_IMAGE_FIELD, 'must be a file part (with a filename) in a multipart body, e.g. curl -F referenceImage=@dress.png');
    if (name !== MULTIPART_REQUEST_FIELD) throw invalidArgument(name, `is not a part of a multipart comparison: ${multipartRule}`);
  }
  const text = parts[MULTIPART_REQUEST_FIELD];
  if (typeof text !== 'string') throw invalidArgument(MULTIPART_REQUEST_FIELD, `is required in a multipart body: the comparison as JSON, e.g. {"prompts": ["a red kente dress"]}`);
  let request: unknown;
  try {
    request = JSON.parse(text);
  } catch (error) {
    throw invalidArgument(MULTIPART_REQUEST_FIELD, `must be the comparison as a JSON object (${error instanceof Error ? error.message : 'invalid JSON'})`);
  }
  if (request === null || typeof request !== 'object' || Array.isArray(request)) throw invalidArgument(MULTIPART_REQUEST_FIELD, 'must be the comparison as a JSON object');
  const body = { ...(request as Record<string, unknown>) };
  if (file) {
    if (body[REFERENCE_IMAGE_FIELD] !== undefined) throw invalidArgument(REFERENCE_IMAGE_FIELD, `give the image either as the file part or in the ${MULTIPART_REQUEST_FIELD} JSON, not both`);
    body[REFERENCE_IMAGE_FIELD] = file.buffer;
  }
  return body;
}

/**
 * A REST request as multipart/form-data, for images too large for a JSON body (AFD_BODY_LIMIT_KB,
 * 256 KB by default, applies to JSON only): a `request` part with the request as JSON (the same
 * object as the JSON body, without the images) and one file part per image field, e.g.
 *
 *   curl -F 'request={"prompt": "a red kente dress", "strength": 0.6};type=application/json' \
 *        -F initImage=@dress.jpg localhost:8080/v1/generations
 *
 * Generations take an `initImage` file part; comparisons `referenceImage` and `initImage`.
 * multer (through Nest's FileFieldsInterceptor) keeps the files in memory and stops at its limits;
 * its errors become the API's errors here, naming the part, instead of Nest's generic 400/413.
 */
import { HttpException, Injectable, type CallHandler, type ExecutionContext, type NestInterceptor, type Type } from '@nestjs/common';
import { FileFieldsInterceptor } from '@nestjs/platform-express';
import type { Observable } from 'rxjs';
import { ApiError, ErrorCode, invalidArgument } from '../../common/error-code';
import { MAX_IMAGE_INPUT_BYTES } from '../image-input';

/** The multipart text part that holds the request as JSON. */
export const MULTIPART_REQUEST_FIELD = 'request';
/** The largest `request` part: four prompts of 4,000 characters and the settings fit with room to spare. */
export const MAX_MULTIPART_REQUEST_BYTES = 64 * 1024;

/** What a multipart body is for, and the file parts it may carry. */
export interface ImageUploadShape {
  /** `generation` or `comparison`, for the messages. */
  readonly kind: string;
  readonly fileFields: readonly string[];
  /**
   * The text parts, each at most once, when the body carries its fields as separate text parts (as
   * OpenAI's SDKs send a form) instead of one `request` JSON part. The caller reads them itself.
   */
  readonly textFields?: readonly string[];
}

/**
 * multer's limits. One text field per file field besides `request` (or besides the shape's own text
 * fields), so that an image sent as text (curl's `-F initImage=<file`) gets the message saying it
 * must be a file part.
 */
export function imageUploadLimits(shape: ImageUploadShape) {
  const files = shape.fileFields.length;
  const texts = shape.textFields?.length ?? 1;
  return {
    fileSize: MAX_IMAGE_INPUT_BYTES,
    files,
    fields: texts + files,
    parts: texts + 2 * files,
    fieldSize: MAX_MULTIPART_REQUEST_BYTES,
    fieldNameSize: 100,
    headerPairs: 20,
  } as const;
}

/** The part of multer's file that the controllers read. */
export interface UploadedImageFile {
  readonly fieldname: string;
  readonly buffer: Buffer;
  readonly size: number;
}

/** multer's files by part name (FileFieldsInterceptor's `@UploadedFiles()`). */
export type UploadedImageFiles = Readonly<Record<string, readonly UploadedImageFile[] | undefined>>;

/** FileFieldsInterceptor for the shape's file parts, with multer's errors as ApiErrors. JSON requests pass through untouched. */
export function imageUploadInterceptor(shape: ImageUploadShape): Type<NestInterceptor> {
  // multer's "File too large" does not say which file: parts arrive one after the other, so it is the last one begun.
  const lastFilePart = new WeakMap<object, string>();
  const Multer = FileFieldsInterceptor(
    shape.fileFields.map((name) => ({ name, maxCount: 1 })),
    {
      limits: imageUploadLimits(shape),
      fileFilter: (request: object, file: { fieldname: string }, accept: (error: null, take: boolean) => void) => {
        lastFilePart.set(request, file.fieldname);
        accept(null, true);
      },
    },
  );
  @Injectable()
  class ImageUploadInterceptor implements NestInterceptor {
    private readonly multer: NestInterceptor = new Multer();

    async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
      try {
        return await this.multer.intercept(context, next);
      } catch (error) {
        throw multipartError(error, shape, lastFilePart.get(context.switchToHttp().getRequest<object>()));
      }
    }
  }
  return ImageUploadInterceptor;
}

/** Nest's translation of a multer or busboy error, as the API's error naming the part at fault. */
export function multipartError(error: unknown, shape: ImageUploadShape, lastFilePart?: string): unknown {
  if (!(error instanceof HttpException)) return error;
  const message = error.message;
  const limit = (rule: string, field: string, bytes: number): ApiError => new ApiError(ErrorCode.TOO_LARGE, `${field}: ${rule}`, { field, rule: 'size limit', limit: bytes });
  const named = / - (\S+)$/.exec(message)?.[1] ?? lastFilePart;
  const fileField = named !== undefined && shape.fileFields.includes(named) ? named : shape.fileFields[0];
  if (/^File too large/i.test(message)) return limit(`must be at most ${MAX_IMAGE_INPUT_BYTES / (1024 * 1024)} MiB (${MAX_IMAGE_INPUT_BYTES} bytes)`, fileField as string, MAX_IMAGE_INPUT_BYTES);
  if (/^Field value too long/i.test(message)) return limit(`must be at most ${MAX_MULTIPART_REQUEST_BYTES} bytes of JSON`, MULTIPART_REQUEST_FIELD, MAX_MULTIPART_REQUEST_BYTES);
  if (/^Too many files/i.test(message)) return invalidArgument(fileField as string, 'give at most one file');
  const unexpected = /^Unexpected (?:file )?field - (.+)$/i.exec(message);
  if (unexpected) {
    const part = unexpected[1] as string;
    // FileFieldsInterceptor's maxCount: a second file under a known name is "unexpected" to multer.
    if (shape.fileFields.includes(part)) return invalidArgument(part, 'give at most one file');
    return invalidArgument(part, `is not a file part of a ${shape.kind} (${fileParts(shape)})`);
  }
  if (/^Too many (fields|parts)/i.test(message)) return invalidArgument('body', multipartRule(shape));
  return invalidArgument('body', `is not a valid multipart/form-data body (${message})`);
}

function fileParts(shape: ImageUploadShape): string {
  return shape.fileFields.length === 1 ? `the one file part is ${shape.fileFields[0]}` : `the file parts are ${shape.fileFields.join(' and ')}`;
}

function multipartRule(shape: ImageUploadShape): string {
  if (shape.textFields) return `a multipart ${shape.kind} has text fields (${shape.textFields.join(', ')}) and file parts (${shape.fileFields.join(', ')}), each at most once`;
  return `a multipart ${shape.kind} has a ${MULTIPART_REQUEST_FIELD} part (the ${shape.kind} as JSON) and file parts (${shape.fileFields.join(', ')}), each at most once`;
}

/** The body from the multipart parts: the `request` JSON, with each file's bytes under its part name. */
export function bodyFromMultipart(fields: unknown, files: UploadedImageFiles | undefined, shape: ImageUploadShape): Record<string, unknown> {
  const parts = (fields ?? {}) as Record<string, unknown>;
  for (const name of Object.keys(parts)) {
    if (shape.fileFields.includes(name)) throw invalidArgument(name, `must be a file part (with a filename) in a multipart body, e.g. curl -F ${name}=@dress.png`);
    if (name !== MULTIPART_REQUEST_FIELD) throw invalidArgument(name, `is not a part of a multipart ${shape.kind}: ${multipartRule(shape)}`);
  }
  const text = parts[MULTIPART_REQUEST_FIELD];
  if (typeof text !== 'string') throw invalidArgument(MULTIPART_REQUEST_FIELD, `is required in a multipart body: the ${shape.kind} as JSON, e.g. {"prompt": "a red kente dress"}`);
  let request: unknown;
  try {
    request = JSON.parse(text);
  } catch (error) {
    throw invalidArgument(MULTIPART_REQUEST_FIELD, `must be the ${shape.kind} as a JSON object (${error instanceof Error ? error.message : 'invalid JSON'})`);
  }
  if (request === null || typeof request !== 'object' || Array.isArray(request)) throw invalidArgument(MULTIPART_REQUEST_FIELD, `must be the ${shape.kind} as a JSON object`);
  const body = { ...(request as Record<string, unknown>) };
  for (const name of shape.fileFields) {
    const file = files?.[name]?.[0];
    if (!file) continue;
    if (body[name] !== undefined) throw invalidArgument(name, `give the image either as the file part or in the ${MULTIPART_REQUEST_FIELD} JSON, not both`);
    body[name] = file.buffer;
  }
  return body;
}

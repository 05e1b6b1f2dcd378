/**
 * Errors on the OpenAI-compatible routes, in OpenAI's shape `{error: {message, type, param, code}}`
 * with the statuses its SDKs map to their exception classes (400 BadRequestError, 401
 * AuthenticationError, 404 NotFoundError, 429 RateLimitError, 5xx InternalServerError). Every error
 * on these paths comes through here (see transports/rest/rest-error-face.ts): the guard's, the body
 * parser's, an unknown path's, and the generation's, whose native field names become OpenAI's.
 */
import { bounded, quote } from '../common/bounded-text';
import { ApiError, ErrorCode } from '../common/error-code';
import type { RestErrorAnswer, RestErrorFace } from '../transports/rest/rest-error-face';
import type { OpenAiErrorBody, OpenAiErrorType } from './openai.schemas';

/** A refused OpenAI field: the message and `param` name it; `code` is OpenAI's finer reason. */
export function openAiInvalid(param: string, rule: string, value?: unknown, code = 'invalid_value'): ApiError {
  const got = value !== undefined ? `, got ${echo(value)}` : '';
  return new ApiError(ErrorCode.INVALID_ARGUMENT, `${param}: ${rule}${got}`, { field: param, rule: `${rule}${got}`, param, openaiCode: code });
}

/** A value as error messages echo it: short, quoted when a string, by kind when a structure. */
function echo(value: unknown): string {
  if (typeof value === 'string') return quote(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : bounded(String(value));
}

/** The native request fields the OpenAI request fills, by the OpenAI field a client sent. */
const PARAM_OF_NATIVE_FIELD: Readonly<Record<string, string>> = {
  prompt: 'prompt',
  checkpoint: 'model',
  model: 'model',
  numImages: 'n',
  width: 'size',
  height: 'size',
  outputFormat: 'output_format',
  quality: 'output_compression',
  seed: 'seed',
  steps: 'steps',
  scheduler: 'scheduler',
  negativePrompt: 'negative_prompt',
  guidanceScale: 'guidance_scale',
  // Variations: the file part is OpenAI's `image`, image to image's native initImage.
  initImage: 'image',
  image: 'image',
  strength: 'strength',
  // A header, not a body field, but what the client must fix all the same.
  'Idempotency-Key': 'Idempotency-Key',
};

/** Native fields folded into one OpenAI field keep their name in the message: `size: width must be …`. */
const FOLDED: ReadonlySet<string> = new Set(['width', 'height']);

const TYPE_AND_CODE: Readonly<Record<ErrorCode, readonly [OpenAiErrorType, string | null]>> = {
  [ErrorCode.INVALID_ARGUMENT]: ['invalid_request_error', 'invalid_value'],
  [ErrorCode.NOT_ACCEPTABLE]: ['invalid_request_error', 'not_acceptable'],
  [ErrorCode.UNAUTHENTICATED]: ['invalid_request_error', 'invalid_api_key'],
  [ErrorCode.PERMISSION_DENIED]: ['invalid_request_error', 'permission_denied'],
  [ErrorCode.NOT_FOUND]: ['invalid_request_error', 'not_found'],
  [ErrorCode.GONE]: ['invalid_request_error', 'expired'],
  [ErrorCode.CONFLICT]: ['invalid_request_error', 'conflict'],
  [ErrorCode.TOO_LARGE]: ['invalid_request_error', 'request_too_large'],
  [ErrorCode.RESOURCE_EXHAUSTED]: ['requests', 'rate_limit_exceeded'],
  [ErrorCode.DEADLINE_EXCEEDED]: ['server_error', 'timeout'],
  [ErrorCode.CANCELLED]: ['invalid_request_error', 'cancelled'],
  [ErrorCode.UNAVAILABLE]: ['server_error', 'unavailable'],
  [ErrorCode.MODEL_FAILED]: ['server_error', 'model_failed'],
  [ErrorCode.INTERNAL]: ['server_error', null],
};

/** A full queue or model memory: the server is overloaded (OpenAI's 503), not the client over its rate. */
const OVERLOAD_REASONS: ReadonlySet<unknown> = new Set(['QUEUE_FULL', 'MEMORY_BUDGET_EXCEEDED']);

/** Failures a retry would repeat: the SDKs retry 409 and 5xx unless told not to. */
const NOT_RETRYABLE: ReadonlySet<ErrorCode> = new Set([ErrorCode.CONFLICT, ErrorCode.CANCELLED, ErrorCode.MODEL_FAILED]);

export const OPENAI_PATHS = /^\/v1\/(images|models)(\/|$)/i;

export const OPENAI_ERROR_FACE: RestErrorFace = {
  handles: (path) => OPENAI_PATHS.test(path),
  answer: openAiErrorAnswer,
};

export function openAiErrorAnswer(error: ApiError, status: number): RestErrorAnswer {
  const details = error.details;
  const field = typeof details['field'] === 'string' ? details['field'] : undefined;
  const param = typeof details['param'] === 'string' ? details['param'] : field !== undefined ? (PARAM_OF_NATIVE_FIELD[field] ?? null) : null;
  let [type, code] = TYPE_AND_CODE[error.code];
  let answerStatus = status;
  if (typeof details['openaiCode'] === 'string') code = details['openaiCode'];
  if (error.code === ErrorCode.NOT_FOUND && param === 'model') code = 'model_not_found';
  if (error.code === ErrorCode.RESOURCE_EXHAUSTED && OVERLOAD_REASONS.has(details['reason'])) {
    [type, code, answerStatus] = ['server_error', 'overloaded', 503];
  }
  const body: OpenAiErrorBody = { error: { message: renamed(error.message, field, param), type, param, code } };
  const headers: Record<string, string> = {};
  if (error.retryAfterMs !== undefined) headers['retry-after-ms'] = String(Math.max(1, Math.ceil(error.retryAfterMs)));
  if (NOT_RETRYABLE.has(error.code)) headers['x-should-retry'] = 'false';
  return { status: answerStatus, body, headers };
}

/** `numImages: must be …` as `n: must be …`; `width: …` as `size: width …`; `checkpoint "x" does not exist` as `model "x" …`. */
function renamed(message: string, field: string | undefined, param: string | null): string {
  if (field === undefined || param === null || field === param) return message;
  if (message.startsWith(`${field}: `)) return `${param}: ${FOLDED.has(field) ? `${field} ` : ''}${message.slice(field.length + 2)}`;
  if (message.startsWith(`${field} `)) return `${param} ${message.slice(field.length + 1)}`;
  return message;
}

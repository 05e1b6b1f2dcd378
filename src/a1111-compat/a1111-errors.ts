/**
 * Errors on the AUTOMATIC1111-compatible routes (`/sdapi/v1/*`), in the two shapes its clients see
 * from the web UI: bad input is FastAPI's validation answer, 422 `{detail: [{loc, msg, type}]}`
 * with `loc` the path of the A1111 field at fault; every other error is the web UI's own exception
 * answer `{error, detail, body, errors}` with this API's status (401, 404, 429 with Retry-After,
 * 503 …). Every error on these paths comes through here (transports/rest/rest-error-face.ts): the
 * guard's, the body parser's, an unknown path's, and the generation's, whose native field names
 * become A1111's.
 */
import { bounded, quote } from '../common/bounded-text';
import { ApiError, ErrorCode } from '../common/error-code';
import type { RestErrorAnswer, RestErrorFace } from '../transports/rest/rest-error-face';

/** A refused A1111 field: `loc` is its path in the body (`['override_settings', 'sd_model_checkpoint']`; [] for the body itself). */
export function a1111Invalid(loc: readonly (string | number)[], rule: string, value?: unknown): ApiError {
  const field = loc.length > 0 ? loc.join('.') : 'body';
  const got = value !== undefined ? `, got ${echo(value)}` : '';
  return new ApiError(ErrorCode.INVALID_ARGUMENT, `${field}: ${rule}${got}`, { field, rule: `${rule}${got}`, loc: [...loc] });
}

function echo(value: unknown): string {
  if (typeof value === 'string') return quote(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : bounded(String(value));
}

/** The A1111 field (as a path) each native request field is filled from. */
const LOC_OF_NATIVE_FIELD: Readonly<Record<string, readonly (string | number)[]>> = {
  // The body parser's refusals (not JSON, not UTF-8): FastAPI's loc is then just ["body"].
  body: [],
  prompt: ['prompt'],
  negativePrompt: ['negative_prompt'],
  steps: ['steps'],
  guidanceScale: ['cfg_scale'],
  width: ['width'],
  height: ['height'],
  seed: ['seed'],
  scheduler: ['sampler_name'],
  numImages: ['batch_size'],
  eta: ['eta'],
  emphasis: ['override_settings', 'emphasis'],
  checkpoint: ['override_settings', 'sd_model_checkpoint'],
  initImage: ['init_images', 0],
  strength: ['denoising_strength'],
};

export const A1111_PATHS = /^\/sdapi\/v1(\/|$)/i;

export const A1111_ERROR_FACE: RestErrorFace = {
  handles: (path) => A1111_PATHS.test(path),
  answer: a1111ErrorAnswer,
};

/** FastAPI's validation item. */
export interface A1111ValidationItem {
  readonly loc: readonly (string | number)[];
  readonly msg: string;
  readonly type: string;
}

export function a1111ErrorAnswer(error: ApiError, status: number): RestErrorAnswer {
  const details = error.details;
  const field = typeof details['field'] === 'string' ? details['field'] : undefined;
  const loc = Array.isArray(details['loc']) ? (details['loc'] as (string | number)[]) : field !== undefined ? LOC_OF_NATIVE_FIELD[field] : undefined;
  if (error.code === ErrorCode.INVALID_ARGUMENT && loc !== undefined) {
    const item: A1111ValidationItem = { loc: ['body', ...loc], msg: renamed(error.message, field, loc), type: 'value_error' };
    return { status: 422, body: { detail: [item] } };
  }
  const headers: Record<string, string> = {};
  // The web UI's own 401 asks for Basic credentials (its --api-auth); Bearer is taken as well.
  if (error.code === ErrorCode.UNAUTHENTICATED) headers['WWW-Authenticate'] = 'Basic realm="afd", charset="UTF-8"';
  const message = field !== undefined && loc !== undefined ? renamed(error.message, field, loc) : error.message;
  return { status, body: { error: error.code, detail: message, body: '', errors: message }, headers };
}

/** `numImages: must be …` as `batch_size: must be …`; `checkpoint "x" does not exist` as `override_settings.sd_model_checkpoint "x" …`. */
function renamed(message: string, field: string | undefined, loc: readonly (string | number)[]): string {
  const name = loc.length > 0 ? loc.join('.') : 'body';
  if (field === undefined || field === name) return message;
  if (message.startsWith(`${field}: `)) return `${name}: ${message.slice(field.length + 2)}`;
  if (message.startsWith(`${field} `)) return `${name} ${message.slice(field.length + 1)}`;
  return message;
}

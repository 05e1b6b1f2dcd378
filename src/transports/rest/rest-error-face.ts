/**
 * How a REST error is written. The API's own routes answer `{code, message, details}`; a route
 * family that speaks another API's dialect (the OpenAI-compatible routes) registers a face for its
 * paths, so every error on them — from the guard, the body parser, an unknown path or the handler —
 * comes in that dialect. The faces are handed to HttpErrorFilter by the application (composition),
 * so this transport knows no feature.
 */
import type { ApiError } from '../../common/error-code';

export interface RestErrorAnswer {
  readonly status: number;
  readonly body: unknown;
  /** Headers besides those the filter always sets (Retry-After, WWW-Authenticate). */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface RestErrorFace {
  /** Whether this face answers for a request path (without the query). */
  handles(path: string): boolean;
  /** The answer for an error; `status` is the API's own status for its code. */
  answer(error: ApiError, status: number): RestErrorAnswer;
}

/** The faces the application registers (an array; none: every route answers the API's own shape). */
export const REST_ERROR_FACES = Symbol('REST_ERROR_FACES');

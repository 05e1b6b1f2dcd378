/**
 * The one error vocabulary of the API. Domain code throws `ApiError`s with these codes (or lets
 * engine and pool errors through, translated by `toApiError`); each transport maps a code to its
 * own status: HTTP here (http-error.filter.ts), GraphQL `extensions.code` and gRPC status later.
 */
import { EngineError } from '../engine/errors';
import { PoolError } from '../pool';
import { PromptInputError } from '../prompts';

export enum ErrorCode {
  INVALID_ARGUMENT = 'INVALID_ARGUMENT',
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  PERMISSION_DENIED = 'PERMISSION_DENIED',
  NOT_FOUND = 'NOT_FOUND',
  GONE = 'GONE',
  CONFLICT = 'CONFLICT',
  TOO_LARGE = 'TOO_LARGE',
  RESOURCE_EXHAUSTED = 'RESOURCE_EXHAUSTED',
  DEADLINE_EXCEEDED = 'DEADLINE_EXCEEDED',
  CANCELLED = 'CANCELLED',
  UNAVAILABLE = 'UNAVAILABLE',
  MODEL_FAILED = 'MODEL_FAILED',
  INTERNAL = 'INTERNAL',
}

export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
    /** For RESOURCE_EXHAUSTED and UNAVAILABLE: when to try again. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function invalidArgument(field: string, rule: string): ApiError {
  return new ApiError(ErrorCode.INVALID_ARGUMENT, `${field}: ${rule}`, { field, rule });
}

/** A generation or comparison that never existed, or that its reader may not see. */
export function notFound(kind: 'generation' | 'comparison', id: string): ApiError {
  return new ApiError(ErrorCode.NOT_FOUND, `${kind} ${id} does not exist`, { id });
}

/** A generation or comparison whose results were deleted after their time. */
export function gone(kind: 'generation' | 'comparison', id: string): ApiError {
  return new ApiError(ErrorCode.GONE, `${kind} ${id} has expired and its results were deleted`, { id });
}

const POOL_CODES: Readonly<Record<string, ErrorCode>> = {
  QUEUE_FULL: ErrorCode.RESOURCE_EXHAUSTED,
  MEMORY_BUDGET_EXCEEDED: ErrorCode.RESOURCE_EXHAUSTED,
  DEADLINE_EXCEEDED: ErrorCode.DEADLINE_EXCEEDED,
  CANCELLED: ErrorCode.CANCELLED,
  MODEL_FAILED: ErrorCode.MODEL_FAILED,
  MODEL_DIRECTORY_INVALID: ErrorCode.MODEL_FAILED,
  WORKER_CRASHED: ErrorCode.MODEL_FAILED,
  UNKNOWN_CHECKPOINT: ErrorCode.NOT_FOUND,
  CHECKPOINT_UNAVAILABLE: ErrorCode.UNAVAILABLE,
  INVALID_INPUT: ErrorCode.INVALID_ARGUMENT,
  SHUTTING_DOWN: ErrorCode.UNAVAILABLE,
  INTERNAL: ErrorCode.INTERNAL,
};

/** Any error from the layers below as an ApiError; unknown errors become INTERNAL without leaking internals. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof PoolError) {
    const cause = error.cause;
    if (error.code === 'INVALID_INPUT' && cause instanceof EngineError) return toApiError(cause);
    return new ApiError(POOL_CODES[error.code] ?? ErrorCode.INTERNAL, error.message, { reason: error.code }, error.retryAfterMs);
  }
  if (error instanceof EngineError) {
    if (error.code === 'INVALID_INPUT') {
      const { field, rule } = error as EngineError & { field: string; rule: string };
      return invalidArgument(field, rule);
    }
    if (error.code === 'CANCELLED') return new ApiError(ErrorCode.CANCELLED, error.message);
    return new ApiError(ErrorCode.MODEL_FAILED, error.message);
  }
  if (error instanceof PromptInputError) return invalidArgument(error.field, error.rule);
  return new ApiError(ErrorCode.INTERNAL, 'internal error');
}

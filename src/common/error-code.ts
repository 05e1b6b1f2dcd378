/**
 * The one error vocabulary of the API. Domain code throws `ApiError`s with these codes (or lets
 * engine and pool errors through, translated by `toApiError`); each transport maps a code to its
 * own status: HTTP here (http-error.filter.ts), GraphQL `extensions.code` and gRPC status later.
 */
import { bounded } from './bounded-text';

export enum ErrorCode {
  INVALID_ARGUMENT = 'INVALID_ARGUMENT',
  /** REST only: the `Accept` header lists no type the answer can have. */
  NOT_ACCEPTABLE = 'NOT_ACCEPTABLE',
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
  return new ApiError(ErrorCode.NOT_FOUND, `${kind} ${bounded(id)} does not exist`, { id: bounded(id) });
}

/** A generation or comparison whose results were deleted after their time. */
export function gone(kind: 'generation' | 'comparison', id: string): ApiError {
  return new ApiError(ErrorCode.GONE, `${kind} ${bounded(id)} has expired and its results were deleted`, { id: bounded(id) });
}

/** The one mapping from the API's error codes to gRPC status codes (the gRPC side of http-error.filter.ts). */
import { Metadata, status, type ServerErrorResponse } from '@grpc/grpc-js';
import { boundMessage, bounded } from '../../common/bounded-text';
import { ErrorCode } from '../../common/error-code';
import { toApiError } from '../../error-mapping/to-api-error';

export const GRPC_STATUS: Readonly<Record<ErrorCode, status>> = {
  [ErrorCode.INVALID_ARGUMENT]: status.INVALID_ARGUMENT,
  // gRPC answers have one type: never raised there, mapped for completeness.
  [ErrorCode.NOT_ACCEPTABLE]: status.INVALID_ARGUMENT,
  [ErrorCode.UNAUTHENTICATED]: status.UNAUTHENTICATED,
  [ErrorCode.PERMISSION_DENIED]: status.PERMISSION_DENIED,
  [ErrorCode.NOT_FOUND]: status.NOT_FOUND,
  // gRPC has no "gone": the result no longer exists (metadata `error-code` says GONE).
  [ErrorCode.GONE]: status.NOT_FOUND,
  // The request conflicts with the resource's state (idempotency key reused, image of an unfinished generation).
  [ErrorCode.CONFLICT]: status.FAILED_PRECONDITION,
  [ErrorCode.TOO_LARGE]: status.INVALID_ARGUMENT,
  [ErrorCode.RESOURCE_EXHAUSTED]: status.RESOURCE_EXHAUSTED,
  [ErrorCode.DEADLINE_EXCEEDED]: status.DEADLINE_EXCEEDED,
  [ErrorCode.CANCELLED]: status.CANCELLED,
  [ErrorCode.UNAVAILABLE]: status.UNAVAILABLE,
  // The model failed to run (a broken model, a crashed worker): a server-side fault, not retryable as is.
  [ErrorCode.MODEL_FAILED]: status.INTERNAL,
  [ErrorCode.INTERNAL]: status.INTERNAL,
};

/**
 * Any error as a gRPC status: the code, the ApiError's message (which names the field and the rule),
 * and trailing metadata `error-code` (the API's code) plus `retry-after` (seconds) when one is known.
 * The message and the field are bounded: both travel in trailing headers, and a status larger than
 * the client's header limit is never delivered (the call would hang until its deadline).
 */
export function toServiceError(error: unknown): ServerErrorResponse & { code: status; details: string; metadata: Metadata } {
  const apiError = toApiError(error);
  const metadata = new Metadata();
  metadata.set('error-code', apiError.code);
  const field = apiError.details['field'];
  if (typeof field === 'string') metadata.set('error-field', asciiMetadata(field));
  if (apiError.retryAfterMs !== undefined) metadata.set('retry-after', String(Math.max(1, Math.ceil(apiError.retryAfterMs / 1000))));
  const message = boundMessage(apiError.message);
  return { name: 'ServiceError', message, code: GRPC_STATUS[apiError.code], details: message, metadata };
}

/** Metadata values must be printable ASCII (grpc-js throws otherwise, and the call would never be answered). */
function asciiMetadata(value: string): string {
  return bounded(value).replace(/[^\x20-\x7e]/g, '?');
}

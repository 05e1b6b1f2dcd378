/**
 * The one mapping from the errors of the layers below (pool, engine, prompt language) to the
 * ApiError every transport maps. It lives above those layers, not in common/, so the error enum
 * at the bottom of the graph imports none of them.
 */
import { Logger } from '@nestjs/common';
import { ApiError, ErrorCode, invalidArgument } from '../common/error-code';
import { bounded, MAX_MESSAGE_LENGTH } from '../common/bounded-text';
import { isStackOverflow, publicDetail, withoutAbsolutePaths } from '../common/public-error-text';
import { EngineError, ModelDirectoryError } from '../engine/errors';
import { PoolError } from '../pool';
import { PromptInputError } from '../prompt-language';

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

/**
 * Any error from the layers below as an ApiError. Server-side failures answer with the checkpoint,
 * the file within it and the rule, never an absolute path or a runtime's internals (the log keeps
 * those); unknown errors become INTERNAL; a stack overflow is a request nested too deeply.
 */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof PoolError) {
    const cause = error.cause;
    if (error.code === 'INVALID_INPUT' && cause instanceof EngineError) return toApiError(cause);
    return new ApiError(POOL_CODES[error.code] ?? ErrorCode.INTERNAL, publicPoolMessage(error), { reason: error.code }, error.retryAfterMs);
  }
  if (error instanceof EngineError) {
    if (error.code === 'INVALID_INPUT') {
      const { field, rule } = error as EngineError & { field: string; rule: string };
      return invalidArgument(field, rule);
    }
    if (error.code === 'CANCELLED') return new ApiError(ErrorCode.CANCELLED, error.message);
    logDetail(error);
    return new ApiError(ErrorCode.MODEL_FAILED, publicEngineMessage(error));
  }
  if (error instanceof PromptInputError) return invalidArgument(error.field, error.rule);
  if (isStackOverflow(error)) {
    logDetail(error);
    return new ApiError(ErrorCode.INVALID_ARGUMENT, 'request: is nested too deeply to process', { field: 'request', rule: 'nesting depth' });
  }
  return new ApiError(ErrorCode.INTERNAL, 'internal error');
}

const SERVER_FAULTS: ReadonlySet<string> = new Set(['MODEL_FAILED', 'MODEL_DIRECTORY_INVALID', 'WORKER_CRASHED', 'INTERNAL']);

function publicPoolMessage(error: PoolError): string {
  if (!SERVER_FAULTS.has(error.code)) return bounded(withoutAbsolutePaths(error.message), MAX_MESSAGE_LENGTH);
  logDetail(error);
  const where = error.checkpointId === undefined ? undefined : `checkpoint ${JSON.stringify(error.checkpointId)}`;
  if (error.code === 'INTERNAL') return `${where ?? 'the pool'}: internal error (the server log has the details)`;
  const text = error.cause instanceof EngineError ? publicEngineMessage(error.cause) : publicDetail(error.message);
  return where === undefined || text.startsWith(where) ? text : `${where}: ${text}`;
}

/** A broken model directory names the file within the checkpoint and the problem; a failed run, the component. */
function publicEngineMessage(error: EngineError): string {
  if (error instanceof ModelDirectoryError) return publicDetail(error.file === '.' ? error.problem : `${error.file}: ${error.problem}`);
  return publicDetail(error.message);
}

const logger = new Logger('Errors');
/** Errors already logged: one error is often translated twice (by the domain, then by the transport). */
const logged = new WeakSet<object>();

function logDetail(error: Error): void {
  if (logged.has(error)) return;
  logged.add(error);
  const cause = error.cause instanceof Error ? `\ncaused by: ${error.cause.stack ?? error.cause.message}` : '';
  logger.warn(`${error.stack ?? error.message}${cause}`);
}

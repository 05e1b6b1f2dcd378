/**
 * The pool's one error class. Every failure a caller of the pool can see is a PoolError with a
 * `code` (so a transport maps it to a status without reading messages) and a message that says
 * what happened and, where it helps, what to do. Engine errors raised inside a worker cross the
 * thread boundary as plain data (WireError) and are re-created here as the engine's own classes,
 * kept as `cause`, with their code carried over.
 */
import { CancelledError, EngineError, InvalidInputError, ModelDirectoryError, ModelFailedError } from '../../engine/errors';

export type PoolErrorCode =
  /** A bounded queue is full; `retryAfterMs` estimates when a slot frees. */
  | 'QUEUE_FULL'
  /** The job's `deadlineMs` passed before it finished; its rows were freed. */
  | 'DEADLINE_EXCEEDED'
  /** Cancelled through `cancel(jobId)` or the job's AbortSignal. */
  | 'CANCELLED'
  /** onnxruntime rejected a call (the message names the checkpoint and component). */
  | 'MODEL_FAILED'
  /** A checkpoint directory is broken (missing file, bad JSON, graphs that do not fit together). */
  | 'MODEL_DIRECTORY_INVALID'
  /** A checkpoint cannot fit in a device's memory budget next to the pinned ones. */
  | 'MEMORY_BUDGET_EXCEEDED'
  /** The device worker running the job died; it is restarted, the job is not retried. */
  | 'WORKER_CRASHED'
  | 'UNKNOWN_CHECKPOINT'
  /** The checkpoint is broken (unreadable at registration, or a load found a file changed or refused): it is listed, not served. */
  | 'CHECKPOINT_UNAVAILABLE'
  | 'INVALID_INPUT'
  /** The pool is closing (or closed) and accepts no more work. */
  | 'SHUTTING_DOWN'
  /** A bug: something the pool did not expect. */
  | 'INTERNAL';

export const POOL_ERROR_CODES: readonly PoolErrorCode[] = [
  'QUEUE_FULL',
  'DEADLINE_EXCEEDED',
  'CANCELLED',
  'MODEL_FAILED',
  'MODEL_DIRECTORY_INVALID',
  'MEMORY_BUDGET_EXCEEDED',
  'WORKER_CRASHED',
  'UNKNOWN_CHECKPOINT',
  'CHECKPOINT_UNAVAILABLE',
  'INVALID_INPUT',
  'SHUTTING_DOWN',
  'INTERNAL',
];

export interface PoolErrorDetails {
  readonly jobId?: string;
  readonly checkpointId?: string;
  readonly device?: string;
  /** QUEUE_FULL only: a client should wait about this long before retrying. */
  readonly retryAfterMs?: number;
  /** The engine error (re-created with its own class) or other underlying error. */
  readonly cause?: unknown;
}

export class PoolError extends Error {
  readonly jobId?: string;
  readonly checkpointId?: string;
  readonly device?: string;
  readonly retryAfterMs?: number;

  constructor(
    readonly code: PoolErrorCode,
    message: string,
    details: PoolErrorDetails = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'PoolError';
    if (details.jobId !== undefined) this.jobId = details.jobId;
    if (details.checkpointId !== undefined) this.checkpointId = details.checkpointId;
    if (details.device !== undefined) this.device = details.device;
    if (details.retryAfterMs !== undefined) this.retryAfterMs = details.retryAfterMs;
  }

  /** The same error about another job (comparison cells, jobs failed together). */
  withJob(jobId: string, checkpointId?: string): PoolError {
    return new PoolError(this.code, this.message, {
      jobId,
      checkpointId: checkpointId ?? this.checkpointId,
      device: this.device,
      retryAfterMs: this.retryAfterMs,
      cause: this.cause,
    });
  }
}

/** An error as it crosses a worker boundary: structured-clone safe, enough to re-create it. */
export interface WireError {
  readonly name: string;
  readonly message: string;
  /** An engine or pool code, when the error had one. */
  readonly code?: string;
  readonly field?: string;
  readonly rule?: string;
  readonly directory?: string;
  readonly file?: string;
  readonly problem?: string;
  readonly component?: string;
  readonly stack?: string;
}

export function toWireError(error: unknown): WireError {
  if (error instanceof InvalidInputError) return base(error, { field: error.field, rule: error.rule });
  if (error instanceof ModelDirectoryError) return base(error, { directory: error.directory, file: error.file, problem: error.problem });
  if (error instanceof ModelFailedError) return base(error, { component: error.component });
  if (error instanceof EngineError || error instanceof PoolError) return base(error, {});
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack };
  return { name: 'Error', message: String(error) };
}

function base(error: EngineError | PoolError, extra: Partial<WireError>): WireError {
  return { name: error.name, message: error.message, code: error.code, stack: error.stack, ...extra };
}

/** The engine's own error class for an engine code, or a plain Error carrying the message. */
export function fromWireError(wire: WireError): Error {
  let error: Error;
  switch (wire.code) {
    case 'INVALID_INPUT':
      error = new InvalidInputError(wire.field ?? 'request', wire.rule ?? wire.message);
      break;
    case 'MODEL_DIRECTORY_INVALID':
      error = new ModelDirectoryError(wire.directory ?? '', wire.file ?? '.', wire.problem ?? wire.message);
      break;
    case 'CANCELLED':
      error = new CancelledError(wire.message);
      break;
    case 'MODEL_FAILED': {
      const component = wire.component ?? 'model';
      const prefix = `${component} failed: `;
      error = new ModelFailedError(component, wire.message.startsWith(prefix) ? wire.message.slice(prefix.length) : wire.message);
      break;
    }
    default:
      error = new Error(wire.message);
      error.name = wire.name;
  }
  if (wire.stack) error.stack = wire.stack;
  return error;
}

/** The PoolError code a wire error maps to. */
export function poolCodeOf(wire: WireError): PoolErrorCode {
  const code = wire.code as PoolErrorCode | undefined;
  return code !== undefined && POOL_ERROR_CODES.includes(code) ? code : 'INTERNAL';
}

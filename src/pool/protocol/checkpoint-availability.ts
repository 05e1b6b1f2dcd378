/**
 * Broken checkpoints: one whose directory cannot be read at registration (a garbage
 * tokenizer/vocab.json, a missing file) or whose load finds it broken later (a file changed since
 * registration, a graph onnxruntime refuses) is marked unavailable with its reason. It stays listed
 * with that reason while the others serve; jobs for it are refused at once with
 * CHECKPOINT_UNAVAILABLE (UNAVAILABLE, 503 on REST). It stays so until the process restarts and
 * registers it again. Reasons name the file relative to the checkpoint, never an absolute path.
 */
import { ModelDirectoryError } from '../../engine/errors';
import { PoolError } from './pool-errors';

/** Why a checkpoint cannot be served: `tokenizer/vocab.json: invalid JSON (...)`. */
export function brokenReason(error: unknown): string {
  const cause = error instanceof PoolError && error.cause !== undefined ? error.cause : error;
  if (cause instanceof ModelDirectoryError) {
    // onnxruntime's own text names the absolute path: keep it relative to the checkpoint.
    const problem = cause.directory === '' ? cause.problem : cause.problem.split(`${cause.directory}/`).join('');
    return cause.file === '.' ? problem : `${cause.file}: ${problem}`;
  }
  const text = cause instanceof Error ? cause.message : String(cause);
  return text.split('\n')[0]?.slice(0, 300) ?? '';
}

export function unavailableError(checkpointId: string, reason: string, cause?: unknown): PoolError {
  return new PoolError('CHECKPOINT_UNAVAILABLE', `checkpoint "${checkpointId}" is unavailable: ${reason}`, { checkpointId, cause });
}

/** A load's error as jobs and administrators see it: a broken directory makes the checkpoint unavailable, anything else stays itself. */
export function loadError(checkpointId: string, error: unknown): unknown {
  return error instanceof ModelDirectoryError ? unavailableError(checkpointId, brokenReason(error), error) : error;
}

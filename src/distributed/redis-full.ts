/**
 * Redis runs with `maxmemory-policy noeviction` (BullMQ needs it, docs/redis.md): when it is full
 * it refuses writes with an `OOM command not allowed …` reply. A generation that cannot be queued
 * for that reason is UNAVAILABLE (503, retry later), not an internal error.
 */
import { ApiError, ErrorCode } from '../common/error-code';

const RETRY_AFTER_MS = 10_000;

export function isRedisFull(error: unknown): boolean {
  return error instanceof Error && /^OOM\b/.test(error.message);
}

/** Runs a write of a new generation; a full Redis becomes UNAVAILABLE with a retry time. */
export async function unlessRedisFull<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (!isRedisFull(error)) throw error;
    throw new ApiError(ErrorCode.UNAVAILABLE, 'the shared job store (Redis) is full; retry later', { reason: 'redis full' }, RETRY_AFTER_MS);
  }
}

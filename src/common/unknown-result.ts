/**
 * The error for a result id a store does not hold and never evicted. In local mode results live in
 * this process's memory, so an id minted before the process started (its time is in the id, see
 * time-ordered-id.ts) is a result lost at a restart: 410 GONE with reason "server restarted", so
 * clients can tell it from a mistyped or foreign id (404).
 */
import { ApiError, ErrorCode, notFound } from './error-code';
import { mintedAt } from './time-ordered-id';

export const SERVER_RESTARTED = 'server restarted';

export function unknownResult(kind: 'generation' | 'comparison', id: string, processStartedAt: number): ApiError {
  const minted = mintedAt(id);
  if (minted === undefined || minted >= processStartedAt) return notFound(kind, id);
  return new ApiError(
    ErrorCode.GONE,
    `${kind} ${id} was created before this server restarted; results are kept in memory in local mode and were lost (set AFD_JOBS=redis to keep them across restarts)`,
    { id, reason: SERVER_RESTARTED },
  );
}

/**
 * A synchronous REST generation waits for its end while the client waits for the answer; a client
 * that goes away first would leave the work running for nobody, so `abandon` is called (the caller
 * cancels, unless the client means to come back for the result, as with an Idempotency-Key).
 */
import type { Response } from 'express';
import type { GenerationRecord } from './generation-store';

export async function awaitWhileConnected(response: Response, done: Promise<GenerationRecord>, abandon: () => void): Promise<GenerationRecord> {
  // The response closes before it is written only when the client has gone (or the socket broke).
  const abandonIfGone = (): void => {
    if (!response.writableFinished) abandon();
  };
  response.once('close', abandonIfGone);
  if (response.req.socket.destroyed) abandonIfGone();
  try {
    return await done;
  } finally {
    response.off('close', abandonIfGone);
  }
}

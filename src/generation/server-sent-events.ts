/**
 * A fan-out's events as a REST server-sent-event stream (generations and comparisons alike): headers
 * on the first event, each event framed once for every subscriber, `false` (not drained) while the
 * socket's buffer is full, the stream ended after `done`; the subscription and the client's stream
 * slot are given back when the response closes.
 */
import type { Response } from 'express';
import type { EventSink, EventSubscription, FanoutEvent } from './progress-fanout';
import type { StreamSlot } from './stream-slots';

type SseEvent = FanoutEvent & { readonly data: unknown };

/** One server-sent-event frame (computed once per event, shared by every subscriber). */
function sseFrame(e: SseEvent): string {
  return `event: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`;
}

/**
 * Streams what `subscribe` delivers to `response`. `subscribe` throws for an unknown or expired id
 * before any header is written, so the error filter still answers 404 or 410 (the slot is released).
 */
export async function streamServerSentEvents<E extends SseEvent>(
  response: Response,
  slot: StreamSlot,
  subscribe: (sink: EventSink<E>) => EventSubscription | Promise<EventSubscription>,
): Promise<void> {
  let open = true;
  const sink: EventSink<E> = {
    send: (published) => {
      if (!open) return true;
      if (!response.headersSent) {
        response.status(200).set({ 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
        response.flushHeaders();
      }
      const drained = response.write(published.encoded('sse', sseFrame));
      if (published.event.event === 'done') {
        open = false;
        response.end();
      }
      return drained;
    },
  };
  let subscription: EventSubscription;
  try {
    subscription = await subscribe(sink);
  } catch (error) {
    slot.release();
    throw error;
  }
  response.on('drain', subscription.drained);
  // The response closes when the client goes away (or once ended).
  const close = (): void => {
    open = false;
    subscription.unsubscribe();
    slot.release();
  };
  if (response.writableEnded || response.destroyed) close();
  else response.on('close', close);
}

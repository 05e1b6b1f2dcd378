/**
 * The IPC messages between `npm run bench:fanout` (the server, parent process) and its two children
 * (fanout-client.ts): the subscribers, and the /health/live probe. Each runs in its own process so that
 * neither the clients' parsing nor the probe's timing shares the server's event loop.
 *
 *   subscribers:  open → opened (every subscriber has its first event) → finished (every reading
 *                 subscriber has its done event, or the budget is spent)
 *   probe:        start → (asks /health/live every probeEveryMs) … stop → latencies
 *   both:         exit
 */

export interface OpenCommand {
  readonly type: 'open';
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly id: string;
  readonly sse: number;
  readonly ws: number;
  readonly slowSse: number;
  readonly slowWs: number;
  /** Give up waiting for done events after this long. */
  readonly budgetMs: number;
}

export type ToFanoutClient =
  | OpenCommand
  | { readonly type: 'start'; readonly baseUrl: string; readonly everyMs: number }
  | { readonly type: 'stop' }
  | { readonly type: 'exit' };

/** What the reading subscribers of one kind saw. */
export interface KindTally {
  readonly opened: number;
  readonly failed: number;
  /** Reading subscribers that received done. */
  readonly done: number;
  /** Progress events each reading subscriber received (one entry per subscriber). */
  readonly progressEvents: number[];
  /** Progress events that repeated a step the subscriber had already seen (more than one event per step). */
  readonly repeatedSteps: number;
  /** Bytes each reading subscriber received. */
  readonly bytes: number[];
}

export type FromFanoutClient =
  | { readonly type: 'opened'; readonly ms: number; readonly failed: number }
  | { readonly type: 'finished'; readonly ms: number; readonly sse: KindTally; readonly ws: KindTally; readonly timedOut: boolean }
  /** `unanswered`: 1 when a request was still waiting at stop (its wait so far is the last of `ms`). */
  | { readonly type: 'latencies'; readonly ms: number[]; readonly errors: number; readonly unanswered: number }
  | { readonly type: 'failed'; readonly message: string };

export function isFromFanoutClient(value: unknown): value is FromFanoutClient {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}

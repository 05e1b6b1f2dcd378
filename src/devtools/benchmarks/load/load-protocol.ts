/**
 * The IPC messages between `npm run bench:load` (the server, parent process) and its load client
 * (load-client.ts, a forked child). The exchange is strictly in turn: the parent sends a command and
 * reads the child's answers to it before sending the next.
 *
 *   init → ready
 *   capacity → warmed-up, capacity
 *   burst → arrivals-done (every arrival answered), drained (every accepted job ended, or the drain budget spent)
 *   collect → records × n (batches of RECORD_BATCH), collected
 *   exit → (the child closes its connections and leaves)
 *
 * Any command may instead be answered by failed. The child keeps its per-request records until
 * collect, so that the server's process holds nothing of the client's while it is measured.
 */
import type { LoadBenchOptions } from './load-benchmark-support';
import type { ProbeFigures } from './load-probe';

/** Records per `records` message. */
export const RECORD_BATCH = 500;

/** One arrival of the burst as the client saw it. */
export interface ArrivalRecord {
  /** Its number in the schedule (0-based). */
  readonly index: number;
  /** How long after its scheduled time the client sent it (or dropped it), in ms. */
  readonly lagMs: number;
  /** The HTTP status; NOT_SENT when the client's cap on open requests dropped it, CLIENT_ERROR when the request failed. */
  readonly status: number;
  /**
   * nowMs() of the client when it sent it: process.hrtime, CLOCK_MONOTONIC on Linux, which the
   * server's process shares on the same machine (so the two sides' times of one request compare).
   */
  readonly sentAt?: number;
  /** Client-observed latency, from sending to the answer's last byte (absent when not sent). */
  readonly ms?: number;
  /** The generation id of a 202. */
  readonly id?: string;
  /** The `code` of a 429's body. */
  readonly code?: string;
  /** Whether a 429 carried Retry-After. */
  readonly retryAfter?: boolean;
  /** The start of the body of an unexpected status, or a client error's message. */
  readonly detail?: string;
}

/** The header with which the client numbers its burst's POSTs (the arrival's index), for the server-side times. */
export const ARRIVAL_HEADER = 'x-load-arrival';

export const NOT_SENT = 0;
export const CLIENT_ERROR = -1;

/** An accepted job after the drain: its final status, or none when the drain ran out of time. */
export interface JobRecord {
  readonly id: string;
  readonly outcome?: string;
  readonly error?: string;
}

export interface CapacityResult {
  readonly perSecond: number;
  readonly completed: number;
  readonly elapsedMs: number;
  readonly latencyMs: readonly number[];
  /** The next request number (prompts and seeds follow it). */
  readonly next: number;
}

/** The burst as the client ran it (the per-request records come in `records` messages). */
export interface BurstSummary {
  readonly scheduled: number;
  readonly sent: number;
  readonly notSent: number;
  /** From the first arrival's time to the last answer. */
  readonly durationMs: number;
  readonly maxOpen: number;
  /** The client process over the same window. */
  readonly probe: ProbeFigures;
}

export type ToClient =
  | { readonly type: 'init'; readonly baseUrl: string; readonly apiKey: string; readonly options: LoadBenchOptions }
  | { readonly type: 'capacity' }
  | { readonly type: 'burst'; readonly ratePerSecond: number; readonly firstIndex: number; readonly drainBudgetMs: number }
  | { readonly type: 'collect' }
  | { readonly type: 'exit' };

export type FromClient =
  | { readonly type: 'ready' }
  | { readonly type: 'warmed-up' }
  | { readonly type: 'capacity'; readonly capacity: CapacityResult }
  | { readonly type: 'arrivals-done' }
  | { readonly type: 'drained' }
  | { readonly type: 'records'; readonly records: readonly ArrivalRecord[] }
  | {
      readonly type: 'collected';
      readonly burst: BurstSummary;
      readonly jobs: readonly JobRecord[];
      readonly polls: number;
      readonly pollErrors: number;
      /** The largest of a few encoded images (Content-Length), when any could be fetched. */
      readonly imageBytes?: number;
      /** The client process's peak RSS over its life. */
      readonly maxRssBytes: number;
    }
  | { readonly type: 'failed'; readonly message: string };

/** Splits a list into consecutive batches of at most `size` items (none for an empty list). */
export function batches<T>(items: readonly T[], size: number): T[][] {
  if (!(size >= 1)) throw new RangeError(`batch size must be at least 1, got ${size}`);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Whether an IPC message has the shape of a FromClient (a known `type`). */
export function isFromClient(message: unknown): message is FromClient {
  const type = (message as { type?: unknown } | null)?.type;
  return typeof type === 'string' && ['ready', 'warmed-up', 'capacity', 'arrivals-done', 'drained', 'records', 'collected', 'failed'].includes(type);
}

/** Whether an IPC message has the shape of a ToClient (a known `type`). */
export function isToClient(message: unknown): message is ToClient {
  const type = (message as { type?: unknown } | null)?.type;
  return typeof type === 'string' && ['init', 'capacity', 'burst', 'collect', 'exit'].includes(type);
}

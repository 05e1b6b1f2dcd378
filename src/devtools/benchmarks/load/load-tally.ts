/**
 * Tallies of `npm run bench:load`: the client's per-arrival records by answer, the accepted jobs by
 * outcome, the server's own times of the same requests and, joined per request, where each answer's
 * time went. Pure: no I/O here.
 */
import { latencySummary, type LatencySummary } from './load-measures';
import { CLIENT_ERROR, NOT_SENT, type ArrivalRecord, type JobRecord } from './load-protocol';

export interface ArrivalTally {
  readonly acceptedMs: number[];
  readonly rejectedMs: number[];
  readonly rejectedWithoutRetryAfter: number;
  readonly rejectedCodes: Record<string, number>;
  readonly others: Record<string, { count: number; example: string }>;
  readonly clientErrors: Record<string, number>;
  /** How late each arrival was sent or dropped. */
  readonly sendLagMs: number[];
}

/** Sorts the client's per-arrival records into latencies by answer and counts of the rest. */
export function tallyArrivals(records: readonly ArrivalRecord[]): ArrivalTally {
  const acceptedMs: number[] = [];
  const rejectedMs: number[] = [];
  const rejectedCodes: Record<string, number> = {};
  const others: Record<string, { count: number; example: string }> = {};
  const clientErrors: Record<string, number> = {};
  const sendLagMs: number[] = [];
  let rejectedWithoutRetryAfter = 0;
  for (const r of [...records].sort((a, b) => a.index - b.index)) {
    sendLagMs.push(r.lagMs);
    if (r.status === NOT_SENT) continue;
    if (r.status === CLIENT_ERROR) {
      const message = r.detail ?? '?';
      clientErrors[message] = (clientErrors[message] ?? 0) + 1;
    } else if (r.status === 202) {
      acceptedMs.push(r.ms ?? NaN);
    } else if (r.status === 429) {
      rejectedMs.push(r.ms ?? NaN);
      if (!r.retryAfter) rejectedWithoutRetryAfter++;
      const code = r.code ?? '?';
      rejectedCodes[code] = (rejectedCodes[code] ?? 0) + 1;
    } else {
      const entry = (others[String(r.status)] ??= { count: 0, example: r.detail ?? '' });
      entry.count++;
    }
  }
  return { acceptedMs, rejectedMs, rejectedWithoutRetryAfter, rejectedCodes, others, clientErrors, sendLagMs };
}

export interface JobTally {
  readonly outcomes: Record<string, number>;
  /** Jobs that did not succeed, by error (or outcome when there is no error). */
  readonly failures: Record<string, number>;
  readonly succeeded: number;
}

export const NOT_ENDED = 'not ended (drain timed out)';

export function tallyJobs(jobs: readonly JobRecord[]): JobTally {
  const outcomes: Record<string, number> = {};
  const failures: Record<string, number> = {};
  for (const job of jobs) {
    const outcome = job.outcome ?? NOT_ENDED;
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    if (outcome !== 'succeeded') failures[job.error ?? outcome] = (failures[job.error ?? outcome] ?? 0) + 1;
  }
  return { outcomes, failures, succeeded: outcomes['succeeded'] ?? 0 };
}

/** Where the pool's counters over the burst and drain disagree with what the client saw (empty when they agree). */
export function poolMismatches(totals: Readonly<Record<string, number>>, seen: { accepted: number; rejected: number; succeeded: number }): string[] {
  return [
    totals['submitted'] !== seen.accepted ? `pool submitted ${totals['submitted']} ≠ ${seen.accepted} accepted` : '',
    totals['rejected'] !== seen.rejected ? `pool rejected ${totals['rejected']} ≠ ${seen.rejected} answered 429` : '',
    totals['succeeded'] !== seen.succeeded ? `pool succeeded ${totals['succeeded']} ≠ ${seen.succeeded} seen succeeded` : '',
  ].filter((m) => m !== '');
}

/**
 * The server's times of the burst's POSTs, one entry per request in four parallel lists (flat, so
 * that the instrument itself holds little in the server's memory).
 */
export interface ServerTimes {
  /** The client's arrival index (its ARRIVAL_HEADER), NaN when absent. */
  readonly arrival: number[];
  readonly status: number[];
  /** nowMs() at the request event (headers parsed). */
  readonly receivedAt: number[];
  /** nowMs() once the response's last byte was handed to the socket. */
  readonly finishedAt: number[];
}

export function emptyServerTimes(): ServerTimes {
  return { arrival: [], status: [], receivedAt: [], finishedAt: [] };
}

/** Server-side time (received to finished) of the answers with this status. */
export function serverSideMs(times: ServerTimes, status: number): number[] {
  const out: number[] = [];
  times.status.forEach((s, i) => {
    if (s === status) out.push((times.finishedAt[i] as number) - (times.receivedAt[i] as number));
  });
  return out;
}

export interface LatencyBreakdown {
  /** Requests found on both sides. */
  readonly joined: number;
  /** From the client's send to the server's request event: the network stack and the wait for the server's event loop. */
  readonly beforeServer: LatencySummary;
  /** The server's own time (as serverSideMs). */
  readonly inServer: LatencySummary;
  /** From the server's last byte to the client's: the network stack and the wait for the client's event loop. */
  readonly afterServer: LatencySummary;
}

/**
 * Where the client-observed latency of the answers with this status went, request by request: the
 * two processes' nowMs() share one monotonic clock, so the client's send and receive times and the
 * server's times of the same request (joined on the arrival index) split it in three.
 */
export function latencyBreakdown(records: readonly ArrivalRecord[], times: ServerTimes, status: number): LatencyBreakdown {
  const byArrival = new Map<number, number>();
  times.arrival.forEach((arrival, i) => {
    if (Number.isInteger(arrival)) byArrival.set(arrival, i);
  });
  const before: number[] = [];
  const inside: number[] = [];
  const after: number[] = [];
  for (const r of records) {
    const i = byArrival.get(r.index);
    if (r.status !== status || r.sentAt === undefined || r.ms === undefined || i === undefined || times.status[i] !== status) continue;
    const received = times.receivedAt[i] as number;
    const finished = times.finishedAt[i] as number;
    before.push(received - r.sentAt);
    inside.push(finished - received);
    after.push(r.sentAt + r.ms - finished);
  }
  return { joined: before.length, beforeServer: latencySummary(before), inServer: latencySummary(inside), afterServer: latencySummary(after) };
}

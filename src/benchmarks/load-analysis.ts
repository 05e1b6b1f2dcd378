/**
 * From what `npm run bench:load` gathered (the client's records, the server's samples and counters)
 * to the figures it prints and writes, and its verdicts. Pure: no I/O here.
 */
import type { LoadBenchOptions } from './load-benchmark-support';
import {
  clientSockets,
  keptAllowance,
  latencySummary,
  memoryBound,
  offeredAsAsked,
  secondHalfGrowth,
  summariseMemory,
  verdicts,
  type LatencySummary,
  type MemoryBound,
  type MemoryPhaseSummary,
  type MemorySample,
  type Verdicts,
} from './load-measures';
import type { PoolSample } from './load-memory-sampler';
import type { ProbeFigures } from './load-probe';
import { CLIENT_ERROR, NOT_SENT, type ArrivalRecord, type BurstSummary, type CapacityResult, type JobRecord } from './load-protocol';
import type { ServerSettings } from './load-server';

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

export interface RunData {
  readonly options: LoadBenchOptions;
  readonly settings: ServerSettings;
  readonly capacity: CapacityResult;
  /** The server process while the capacity phase ran (pool busy, few requests open). */
  readonly capacityServer: ProbeFigures;
  readonly rate: number;
  /** The burst as the client ran it, with the client process's figures. */
  readonly burst: BurstSummary;
  /** The server process over the burst. */
  readonly server: ProbeFigures;
  /** Other processes' share of the machine over the burst, where /proc tells it. */
  readonly otherCpu?: number;
  readonly records: readonly ArrivalRecord[];
  readonly jobs: readonly JobRecord[];
  readonly polls: number;
  readonly pollErrors: number;
  readonly drainMs: number;
  readonly drainBudgetMs: number;
  readonly samples: readonly MemorySample[];
  readonly poolQueued: readonly PoolSample[];
  /** The pool's counters over the burst and drain. */
  readonly totals: Readonly<Record<string, number>>;
  readonly imageBytes?: number;
  readonly gcAvailable: boolean;
  /** Server-side time of the burst's POSTs by status. */
  readonly serverMs: ReadonlyMap<number, readonly number[]>;
  readonly clientMaxRssBytes: number;
}

export interface Analysis {
  readonly tally: ArrivalTally;
  readonly accepted: number;
  readonly latency: { rejected: LatencySummary; accepted: LatencySummary; sendLag: LatencySummary; serverSideRejected: LatencySummary; serverSideAccepted: LatencySummary };
  readonly jobs: JobTally;
  readonly memory: {
    baseline: MemoryPhaseSummary;
    burstAndDrain: MemoryPhaseSummary;
    burst: MemoryPhaseSummary;
    after: MemoryPhaseSummary;
    growthBytes: number;
    afterGrowthBytes: number;
    secondHalfGrowthBytes: number;
    keptExternalBytes: number;
    keptAllowanceBytes: number;
  };
  readonly bound: MemoryBound;
  readonly pool: { maxQueued: number; maxRunning: number; mismatches: string[] };
  readonly offeredAsAsked: boolean;
  readonly verdicts: Verdicts;
  /** The verdicts not met, by name. */
  readonly missed: string[];
}

export function analyse(data: RunData): Analysis {
  const tally = tallyArrivals(data.records);
  const accepted = data.jobs.length;
  const rejected = latencySummary(tally.rejectedMs);
  const jobs = tallyJobs(data.jobs);
  const baseline = summariseMemory(data.samples, ['baseline']);
  const burstAndDrain = summariseMemory(data.samples, ['burst', 'drain']);
  const after = summariseMemory(data.samples, ['after']);
  const growthBytes = burstAndDrain.rssMax - baseline.rssMedian;
  const keptExternalBytes = after.externalMedian - baseline.externalMedian;
  const keptAllowanceBytes = keptAllowance(accepted, data.imageBytes ?? 0);
  const observed = data.poolQueued.filter((q) => q.phase === 'burst' || q.phase === 'drain');
  const maxQueued = observed.reduce((m, q) => Math.max(m, q.queued), 0);
  const maxRunning = observed.reduce((m, q) => Math.max(m, q.running), 0);
  const bound = memoryBound({
    maxQueued: data.settings.effectiveQueue,
    inFlightJobs: Math.max(data.settings.inFlightJobs, maxRunning),
    size: data.options.size,
    numImages: 1,
    storeBytes: data.settings.storeBytes,
    acceptedJobs: accepted + data.capacity.completed + 4 * data.options.concurrency,
    serverConnections: clientSockets(data.options.maxInFlight),
  });
  const v = verdicts({
    rejectionP99Ms: rejected.p99,
    rejected: rejected.n,
    growthBytes,
    boundBytes: bound.totalBytes,
    keptBytes: keptExternalBytes,
    keptAllowanceBytes,
    accepted,
    succeeded: jobs.succeeded,
  });
  const { burst, options } = data;
  return {
    tally,
    accepted,
    latency: {
      rejected,
      accepted: latencySummary(tally.acceptedMs),
      sendLag: latencySummary(tally.sendLagMs),
      serverSideRejected: latencySummary(data.serverMs.get(429) ?? []),
      serverSideAccepted: latencySummary(data.serverMs.get(202) ?? []),
    },
    jobs,
    memory: {
      baseline,
      burstAndDrain,
      burst: summariseMemory(data.samples, ['burst']),
      after,
      growthBytes,
      afterGrowthBytes: after.rssMedian - baseline.rssMedian,
      secondHalfGrowthBytes: secondHalfGrowth(data.samples, 'burst'),
      keptExternalBytes,
      keptAllowanceBytes,
    },
    bound,
    pool: { maxQueued, maxRunning, mismatches: poolMismatches(data.totals, { accepted, rejected: rejected.n, succeeded: jobs.succeeded }) },
    offeredAsAsked: offeredAsAsked({ scheduled: burst.scheduled, sent: burst.sent, notSent: burst.notSent, durationMs: burst.durationMs, seconds: options.seconds }),
    verdicts: v,
    missed: Object.entries(v).filter(([, ok]) => !ok).map(([k]) => k),
  };
}

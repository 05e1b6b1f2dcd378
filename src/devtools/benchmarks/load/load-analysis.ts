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
import type { ArrivalRecord, BurstSummary, CapacityResult, JobRecord } from './load-protocol';
import type { ServerSettings } from './load-server';
import { latencyBreakdown, poolMismatches, serverSideMs, tallyArrivals, tallyJobs, type ArrivalTally, type JobTally, type LatencyBreakdown, type ServerTimes } from './load-tally';

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
  /** The server's times of the burst's POSTs. */
  readonly serverTimes: ServerTimes;
  readonly clientMaxRssBytes: number;
}

export interface Analysis {
  readonly tally: ArrivalTally;
  readonly accepted: number;
  readonly latency: { rejected: LatencySummary; accepted: LatencySummary; sendLag: LatencySummary; serverSideRejected: LatencySummary; serverSideAccepted: LatencySummary };
  /** Where the time of the 429 answers went, per request. */
  readonly rejectedBreakdown: LatencyBreakdown;
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
      serverSideRejected: latencySummary(serverSideMs(data.serverTimes, 429)),
      serverSideAccepted: latencySummary(serverSideMs(data.serverTimes, 202)),
    },
    rejectedBreakdown: latencyBreakdown(data.records, data.serverTimes, 429),
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

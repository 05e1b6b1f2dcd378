/** The results file of `npm run bench:load`: models/bench/load-benchmark.json. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { defaultModelsRoot } from '../../../model-generator/ensure-model-directory';
import type { Analysis, RunData } from './load-analysis';
import { REJECTION_P99_TARGET_MS, reproduceCommand } from './load-benchmark-support';
import { latencySummary } from './load-measures';
import type { ProbeFigures } from './load-probe';

const processFigures = (p: ProbeFigures): { eventLoopDelayMs: ProbeFigures['eventLoop']; gc: ProbeFigures['gc']; cores: number } => ({ eventLoopDelayMs: p.eventLoop, gc: p.gc, cores: p.cores });

/** Writes the results as JSON and returns the file's path. */
export function writeResults(data: RunData, a: Analysis): string {
  const { options, capacity, burst } = data;
  const dir = join(defaultModelsRoot(), 'bench');
  const file = join(dir, 'load-benchmark.json');
  mkdirSync(dir, { recursive: true });
  const json = {
    at: new Date().toISOString(),
    command: reproduceCommand(options),
    machine: { platform: process.platform, arch: process.arch, cpus: availableParallelism(), node: process.version, processes: 'server in the benchmark process, HTTP client in a child process' },
    options,
    server: { maxQueued: data.settings.maxQueued, effectiveQueue: data.settings.effectiveQueue, inFlightJobs: data.settings.inFlightJobs, devices: data.settings.devices, storeBytes: data.settings.storeBytes },
    capacity: {
      perSecond: capacity.perSecond,
      completed: capacity.completed,
      elapsedMs: capacity.elapsedMs,
      latency: latencySummary(capacity.latencyMs),
      serverEventLoopDelayMs: data.capacityServer.eventLoop,
    },
    burst: {
      offeredPerSecond: data.rate,
      scheduled: burst.scheduled,
      sent: burst.sent,
      notSent: burst.notSent,
      achievedPerSecond: burst.sent / (burst.durationMs / 1000),
      durationMs: burst.durationMs,
      accepted: a.accepted,
      rejected: a.latency.rejected.n,
      rejectedCodes: a.tally.rejectedCodes,
      rejectedWithoutRetryAfter: a.tally.rejectedWithoutRetryAfter,
      others: a.tally.others,
      clientErrors: a.tally.clientErrors,
      latencyMs: a.latency,
      rejectedBreakdownMs: a.rejectedBreakdown,
      maxOpenRequests: burst.maxOpen,
      offeredAsAsked: a.offeredAsAsked,
      serverProcess: processFigures(data.server),
      clientProcess: { ...processFigures(burst.probe), maxRssBytes: data.clientMaxRssBytes },
      otherCpu: data.otherCpu,
      poolMaxQueued: a.pool.maxQueued,
      poolMaxRunning: a.pool.maxRunning,
    },
    completion: {
      outcomes: a.jobs.outcomes,
      failures: a.jobs.failures,
      drainMs: data.drainMs,
      drainBudgetMs: data.drainBudgetMs,
      polls: data.polls,
      pollErrors: data.pollErrors,
      poolTotals: data.totals,
      poolMismatches: a.pool.mismatches,
    },
    memory: {
      process: 'server',
      ...a.memory,
      externalRetainedPerAcceptedJob: a.memory.keptExternalBytes / Math.max(1, a.accepted),
      imageBytes: data.imageBytes,
      bound: a.bound,
      gcAvailable: data.gcAvailable,
      samples: data.samples.map((s) => ({ t: Math.round(s.t), phase: s.phase, rss: s.rss, heapUsed: s.heapUsed, external: s.external })),
      poolQueue: data.poolQueued.map((q) => ({ ...q, t: Math.round(q.t) })),
    },
    targets: { rejectionP99Ms: REJECTION_P99_TARGET_MS, ...a.verdicts },
    pass: a.missed.length === 0,
  };
  writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
  return file;
}

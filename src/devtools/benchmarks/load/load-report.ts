/** What `npm run bench:load` prints: its setup first, then the figures of a run and its verdicts. */
import { availableParallelism } from 'node:os';
import type { Analysis, RunData } from './load-analysis';
import { GUIDANCE } from './load-http';
import { REJECTION_P99_TARGET_MS, type LoadBenchOptions } from './load-benchmark-support';
import { formatBytes, type LatencySummary } from './load-measures';
import { SAMPLE_EVERY_MS } from './load-memory-sampler';
import { ELD_RESOLUTION_MS, type ProbeFigures } from './load-probe';
import type { ServerSettings } from './load-server';

const f = (x: number, digits = 1): string => (Number.isFinite(x) ? x.toFixed(digits) : '-');
const pf = (ok: boolean): string => (ok ? 'PASS' : 'FAIL');
const loop = (p: ProbeFigures): string => `p50 ${f(p.eventLoop.p50)} ms, p99 ${f(p.eventLoop.p99)} ms, max ${f(p.eventLoop.max)} ms`;
const pauses = (p: ProbeFigures): string => `${p.gc.count} pauses, ${f(p.gc.totalMs, 0)} ms in all, longest ${f(p.gc.maxMs)} ms`;
const row = (name: string, s: LatencySummary): string => `${name.padEnd(22)} ${String(s.n).padStart(7)} ${[s.p50, s.p90, s.p99, s.max].map((x) => f(x).padStart(9)).join(' ')}`;

export function printSetup(options: LoadBenchOptions, settings: ServerSettings, gcAvailable: boolean): void {
  const cpus = availableParallelism();
  console.log(`load benchmark on ${process.platform} ${process.arch}, ${cpus} CPUs, Node ${process.version}; GC ${gcAvailable ? 'available' : 'NOT available (figures after the burst include garbage)'}`);
  console.log(`the server runs in this process (the pool's worker thread runs onnxruntime beside it), the HTTP client in a child process; both share the machine's ${cpus} cores`);
  console.log(`request: ${options.size}x${options.size}, ${options.steps} steps, ${options.scheduler}, guidance ${GUIDANCE} (${settings.rowsPerJob} UNet rows), 1 image, PNG, one API key on a tier with limits of 1e9 per minute`);
  console.log(
    `server: AFD_MAX_QUEUED ${settings.maxQueued} (effective queue bound ${settings.effectiveQueue}${settings.effectiveQueue < settings.maxQueued ? `: the pool's default per-device bound of ${settings.perDeviceQueue} binds first` : ''}), ` +
      `${settings.devices} device(s), up to ${settings.inFlightJobs} jobs in flight, AFD_RESULT_STORE_MB ${options.storeMb}`,
  );
}

export function printRun(data: RunData, a: Analysis): void {
  const { options, burst, capacity } = data;
  const { tally, latency } = a;
  const seconds = burst.durationMs / 1000;
  console.log(`\ncapacity ${f(capacity.perSecond)} req/s; offered ${f(data.rate)} req/s (${options.factor} ×) for ${options.seconds} s: ${burst.scheduled} arrivals, ${burst.sent} sent (${f(burst.sent / seconds)} req/s achieved), ${burst.notSent} not sent (client cap of ${options.maxInFlight} open requests)`);
  const others = Object.values(tally.others).reduce((n, o) => n + o.count, 0);
  const clientErrors = Object.values(tally.clientErrors).reduce((x, y) => x + y, 0);
  const codes = Object.entries(tally.rejectedCodes).map(([c, n]) => `${c} ${n}`).join(', ');
  console.log(`answers: ${a.accepted} accepted (202), ${latency.rejected.n} rejected (429 ${codes}), ${others} other, ${clientErrors} client errors; accepted share ${f((100 * a.accepted) / Math.max(1, burst.sent))}%`);
  if (!a.offeredAsAsked) {
    console.log(
      `  WARNING: the client did not offer the asked load (its process shares the cores with the server): the HTTP layer or the client is saturated, ` +
        `so the latencies below measure that overload rather than the queue's admission; rerun with a heavier request (--size, --steps) or a lower --factor`,
    );
  }
  for (const [status, o] of Object.entries(tally.others)) console.log(`  OTHER ${status} × ${o.count}: ${o.example}`);
  for (const [message, n] of Object.entries(tally.clientErrors)) console.log(`  CLIENT ERROR × ${n}: ${message}`);
  if (tally.rejectedWithoutRetryAfter > 0) console.log(`  ${tally.rejectedWithoutRetryAfter} rejections came without a Retry-After header`);

  console.log(`\n${'latency (ms)'.padEnd(22)} ${'n'.padStart(7)} ${['p50', 'p90', 'p99', 'max'].map((c) => c.padStart(9)).join(' ')}`);
  console.log(row('rejected (429)', latency.rejected));
  console.log(row('accepted (202)', latency.accepted));
  console.log(row('  server side of 429', latency.serverSideRejected));
  console.log(row('  server side of 202', latency.serverSideAccepted));
  console.log(row('client send lag', latency.sendLag));
  console.log(`(as the client process sees them, from sending to the last byte; the server side runs from the parsed headers to the last byte written)`);
  const b = a.rejectedBreakdown;
  const parts = (pick: (s: LatencySummary) => number): string => `before the server's handler ${f(pick(b.beforeServer))}, in it ${f(pick(b.inServer))}, after it ${f(pick(b.afterServer))}`;
  console.log(`429 answers split per request (${b.joined} joined on one monotonic clock), ms: p50 ${parts((s) => s.p50)}; p99 ${parts((s) => s.p99)}`);
  console.log(`  (before the handler: the wait for the server's event loop; after it: the client's; after may dip below 0, the server's finish event coming after the bytes are sent)`);
  console.log(`rejections fast (p99 ≤ ${REJECTION_P99_TARGET_MS} ms, as the client sees them): ${pf(a.verdicts.fastRejections)} (p99 ${f(latency.rejected.p99)} ms)`);

  console.log(`\nevent-loop delay during the burst: server ${loop(data.server)}; client ${loop(burst.probe)}`);
  console.log(`  for comparison, the server during the capacity phase (pool busy, ${options.concurrency} requests open): ${loop(data.capacityServer)}`);
  console.log(`  (monitorEventLoopDelay at ${ELD_RESOLUTION_MS} ms resolution; its figures include that interval)`);
  console.log(`  garbage collection during the burst: server ${pauses(data.server)}; client ${pauses(burst.probe)}`);
  const other = data.otherCpu !== undefined ? `; other processes ${f(100 * data.otherCpu, 0)}% of the machine` : '';
  console.log(`CPU during the burst: server process ${f(data.server.cores, 2)} cores, client process ${f(burst.probe.cores, 2)} cores, of ${availableParallelism()}${other}`);
  console.log(`pool during burst and drain: at most ${a.pool.maxQueued} queued (bound ${data.settings.effectiveQueue}), ${a.pool.maxRunning} running; pool counters over the burst and drain ${JSON.stringify(data.totals)}`);
  const mismatches = a.pool.mismatches;
  console.log(mismatches.length === 0 ? "  the pool's counters agree with the answers the client saw" : `  MISMATCH between the pool's counters and the client: ${mismatches.join('; ')}`);

  const { outcomes, failures, succeeded } = a.jobs;
  console.log(`\naccepted jobs: ${Object.entries(outcomes).map(([o, n]) => `${n} ${o}`).join(', ') || 'none'}; drain took ${f(data.drainMs / 1000)} s after the last answer (limit ${f(data.drainBudgetMs / 1000, 0)} s); ${data.polls} status polls, ${data.pollErrors} poll errors`);
  for (const [reason, n] of Object.entries(failures)) console.log(`  NOT SUCCEEDED × ${n}: ${reason}`);
  console.log(`every accepted job completed: ${pf(a.verdicts.allAcceptedCompleted)} (${succeeded} of ${a.accepted} succeeded)`);
  printMemory(data, a);
}

function printMemory(data: RunData, a: Analysis): void {
  const m = a.memory;
  const perJob = (bytes: number): string => formatBytes(bytes / Math.max(1, a.accepted));
  console.log(`\nmemory of the server process (RSS; heap used in brackets), sampled every ${SAMPLE_EVERY_MS} ms:`);
  console.log(`  baseline (warmed up, after GC)   ${formatBytes(m.baseline.rssMedian)} (${formatBytes(m.baseline.heapUsedMedian)})`);
  console.log(`  peak during burst and drain      ${formatBytes(m.burstAndDrain.rssMax)} (${formatBytes(m.burstAndDrain.heapUsedMax)}); external max ${formatBytes(m.burstAndDrain.externalMax)}`);
  console.log(`  growth: peak − baseline          ${formatBytes(m.growthBytes)}`);
  console.log(`  second half of the burst − first ${formatBytes(m.secondHalfGrowthBytes)} (peak to peak; about 0 when memory levels off)`);
  const image = data.imageBytes ? formatBytes(data.imageBytes) : undefined;
  console.log(`  after the burst (all ended, GC)  ${formatBytes(m.after.rssMedian)} (${formatBytes(m.after.heapUsedMedian)}), ${formatBytes(m.afterGrowthBytes)} over the baseline${image ? `; the largest of a few images is ${image}` : ''}`);
  console.log(
    `  kept after the burst per accepted job: ${perJob(m.afterGrowthBytes)} of RSS, ${perJob(m.keptExternalBytes)} of external memory ` +
      `(an encoded image is at most ${image ?? '?'}; its raw RGB pixels are ${formatBytes(data.options.size * data.options.size * 3)})`,
  );
  console.log(`  bound on the growth: ${formatBytes(a.bound.totalBytes)} = ${a.bound.parts.map((p) => `${p.name} ${formatBytes(p.bytes)} (${p.rule})`).join(' + ')}`);
  console.log(`  the client process (outside the bound) peaked at ${formatBytes(data.clientMaxRssBytes)} RSS`);
  console.log(`memory bounded (growth ≤ bound): ${pf(a.verdicts.memoryBounded)}`);
  console.log(
    `finished jobs keep only what the result store counts (external memory kept after the burst ${formatBytes(m.keptExternalBytes)} ≤ ${a.accepted} × (image + 16 KiB) + 8 MiB = ${formatBytes(m.keptAllowanceBytes)}): ${pf(a.verdicts.keptMatchesStore)}`,
  );
  if (!a.verdicts.keptMatchesStore) {
    console.log(
      `  the bound above assumes this; when it fails, what a finished job keeps grows with the accepted jobs until their records expire (AFD_RESULT_TTL_SECONDS) or the store evicts them by encoded size, so a longer burst exceeds any fixed bound`,
    );
  }
  if (!data.gcAvailable) console.log('note: no GC available; run with node --expose-gc for cleaner baseline and after-burst figures');
  if ((data.otherCpu ?? 0) > 0.1) console.log('note: other processes used over 10% of the machine during the burst: capacity and latencies are affected');
  console.log(a.missed.length === 0 ? '\nall targets met' : `\nTARGETS NOT MET: ${a.missed.join(', ')}`);
}

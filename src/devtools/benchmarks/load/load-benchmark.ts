/**
 * `npm run bench:load`: a burst at `--factor` (10) times capacity for `--seconds` (20) against the real
 * application, started in this process (load-server.ts) with one API key on a tier whose rate limits
 * never bind and a small global queue (AFD_MAX_QUEUED, `--max-queued` 64). The HTTP client runs in a
 * child process (load-client.ts, forked from beside this file and driven over IPC), so that its
 * sending, timing, polling and garbage stay out of the server's event loop, CPU figures and memory.
 *
 * 1. Capacity: a closed loop of `--concurrency` (8) synchronous `POST /v1/generations` of one
 *    request (`--size` 512, `--steps` 25, `--scheduler` euler-a: the API's default size and steps; see
 *    DEFAULT_LOAD_BENCH_OPTIONS for why not smaller) for `--capacity-seconds` → requests/s.
 * 2. Burst: open-loop arrivals (Poisson by default) at factor × capacity, each a `POST /v1/generations`
 *    with `Prefer: respond-async`: 202 (accepted, runs in the background) or 429 (queue full). The
 *    client records each answer's status and latency; accepted jobs are followed with
 *    `GET /v1/generations/{id}` (oldest first while arrivals last, then all of them) until each has
 *    ended. This process times the same POSTs server side.
 * 3. Memory of this (the server's) process: RSS and heap every 250 ms before, during and after the
 *    burst; the baseline is taken once warmed up (after the capacity phase, after a GC), the
 *    after-burst figure once every job has ended (after a GC). The growth is checked against a bound
 *    computed from the settings (load-measures.ts, memoryBound), which nothing proportional to
 *    rejected requests enters, nor anything of the client's.
 *
 * Targets: 429 answers fast (p99 ≤ 50 ms, as the client sees them; the server-side time is printed
 * beside), RSS growth within the bound, the external memory kept after the burst no more than the
 * encoded images the result store counts (the bound's premise), every accepted job succeeded (and the
 * pool's counters agree with what the client saw). The two processes still share the machine's cores.
 * Results go to models/bench/load-benchmark.json. A missed target is printed, not an error: the exit
 * code is 0 unless the benchmark itself fails (1) or its options are wrong (2).
 */
import { relative } from 'node:path';
import { availableParallelism } from 'node:os';
import { runBenchmarkCli } from '../benchmark-cli';
import { analyse } from './load-analysis';
import { LOAD_BENCH_USAGE, parseLoadBenchArgs, reproduceCommand, type LoadBenchOptions } from './load-benchmark-support';
import { LoadClientProcess } from './load-client-process';
import { startSampler, type Sampler } from './load-memory-sampler';
import { cpuTicks, findGc, otherCpuShare, startProbe } from './load-probe';
import { printRun, printSetup } from './load-report';
import { writeResults } from './load-report-json';
import { startLoadServer, watchServer } from './load-server';
import { median, nowMs } from '../timing';

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function run(options: LoadBenchOptions): Promise<void> {
  const gc = findGc();
  const server = await startLoadServer(options);
  const { app, pool, settings } = server;
  let client: LoadClientProcess | undefined;
  let sampler: Sampler | undefined;
  try {
    const serverWatch = watchServer(app.getHttpServer());
    sampler = startSampler(pool, nowMs());
    printSetup(options, settings, gc !== undefined);
    client = LoadClientProcess.start();
    client.send({ type: 'init', baseUrl: server.baseUrl, apiKey: server.apiKey, options });
    await client.next('ready');

    // 1. capacity (the server's event loop measured once the client has warmed up)
    sampler.phase = 'capacity';
    process.stderr.write(`capacity: closed loop at concurrency ${options.concurrency} for ${options.capacitySeconds} s (after ${2 * options.concurrency} warm-up requests)…\n`);
    client.send({ type: 'capacity' });
    await client.next('warmed-up');
    const capacityProbe = startProbe();
    const { capacity } = await client.next('capacity');
    const capacityServer = capacityProbe.stop();
    if (!(capacity.perSecond > 0)) throw new Error('the capacity phase completed no request');
    console.log(`capacity: ${capacity.perSecond.toFixed(1)} requests/s (${capacity.completed} in ${(capacity.elapsedMs / 1000).toFixed(1)} s at concurrency ${options.concurrency}; median latency ${median(capacity.latencyMs).toFixed(0)} ms)`);

    // baseline, warmed up and collected
    sampler.phase = 'settle';
    gc?.();
    await delay(500);
    sampler.phase = 'baseline';
    await delay(1500);

    // 2. burst, then the drain: every accepted job to its end
    const rate = options.factor * capacity.perSecond;
    const drainBudgetMs = Math.max(60_000, (4 * (settings.effectiveQueue + settings.inFlightJobs) * 1000) / capacity.perSecond + 30_000);
    console.log(`burst: ${options.arrivals} arrivals at ${rate.toFixed(1)} requests/s (${options.factor} × capacity) for ${options.seconds} s, Prefer: respond-async…`);
    const totalsBefore = (await pool.stats()).totals;
    const childPid = client.pid;
    const ticksBefore = cpuTicks(childPid === undefined ? ['self'] : ['self', childPid]);
    sampler.phase = 'burst';
    serverWatch.on = true;
    const burstProbe = startProbe();
    client.send({ type: 'burst', ratePerSecond: rate, firstIndex: capacity.next, drainBudgetMs });
    await client.next('arrivals-done');
    const serverFigures = burstProbe.stop();
    const ticksAfter = cpuTicks(childPid === undefined ? ['self'] : ['self', childPid]);
    const burstEnd = nowMs();
    serverWatch.on = false;
    sampler.phase = 'drain';
    await client.next('drained');
    const drainMs = nowMs() - burstEnd;

    // after: collected, idle
    sampler.phase = 'settle-after';
    gc?.();
    await delay(300);
    gc?.();
    await delay(500);
    sampler.phase = 'after';
    await delay(1500);
    sampler.stop();
    const totalsAfter = (await pool.stats()).totals;
    const totals = Object.fromEntries(Object.entries(totalsAfter).map(([k, n]) => [k, n - (totalsBefore[k as keyof typeof totalsBefore] ?? 0)]));

    // the client's records, only now that the server's memory has been measured
    const collected = await client.collect();
    const otherCpu = ticksBefore && ticksAfter ? otherCpuShare(ticksBefore, ticksAfter, serverFigures.durationMs, availableParallelism()) : undefined;
    const data = {
      options,
      settings,
      capacity,
      capacityServer,
      rate,
      burst: collected.burst,
      server: serverFigures,
      ...(otherCpu !== undefined ? { otherCpu } : {}),
      records: collected.records,
      jobs: collected.jobs,
      polls: collected.polls,
      pollErrors: collected.pollErrors,
      drainMs,
      drainBudgetMs,
      samples: sampler.samples,
      poolQueued: sampler.poolQueued,
      totals,
      ...(collected.imageBytes !== undefined ? { imageBytes: collected.imageBytes } : {}),
      gcAvailable: gc !== undefined,
      serverTimes: serverWatch.times,
      clientMaxRssBytes: collected.maxRssBytes,
    };
    const analysis = analyse(data);
    printRun(data, analysis);
    const file = writeResults(data, analysis);
    console.log(`\nresults: ${relative(process.cwd(), file) || file}`);
    console.log(`reproduce with: ${reproduceCommand(options)}`);
  } finally {
    sampler?.stop();
    await client?.close();
    await app.close();
  }
}

runBenchmarkCli('bench:load', LOAD_BENCH_USAGE, parseLoadBenchArgs, run);

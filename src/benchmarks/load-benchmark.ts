/**
 * `npm run bench:load`: a burst at `--factor` (10) times capacity for `--seconds` (20) against the real
 * application, started in this process with one API key on a tier whose rate limits never bind and a
 * small global queue (AFD_MAX_QUEUED, `--max-queued` 64).
 *
 * 1. Capacity: a closed loop of `--concurrency` (8) synchronous `POST /v1/generations` of one
 *    request (`--size` 512, `--steps` 25, `--scheduler` euler-a: the API's default size and steps; see
 *    DEFAULT_LOAD_BENCH_OPTIONS for why not smaller) for `--capacity-seconds` → requests/s.
 * 2. Burst: open-loop arrivals (Poisson by default) at factor × capacity, each a `POST /v1/generations`
 *    with `Prefer: respond-async`: 202 (accepted, runs in the background) or 429 (queue full). It
 *    records each answer's status and latency; accepted jobs are followed with
 *    `GET /v1/generations/{id}` (oldest first while arrivals last, then all of them) until each has ended.
 * 3. Memory: RSS and heap every 250 ms before, during and after the burst; the baseline is taken once
 *    warmed up (after the capacity phase, after a GC), the after-burst figure once every job has ended
 *    (after a GC). The growth is checked against a bound computed from the settings
 *    (load-benchmark-support.ts, memoryBound), which nothing proportional to rejected requests enters.
 *
 * Targets: 429 answers fast (p99 ≤ 50 ms, as the client sees them; the server-side time is printed
 * beside), RSS growth within the bound, the external memory kept after the burst no more than the
 * encoded images the result store counts (the bound's premise), every accepted job succeeded (and the
 * pool's counters agree with what the client saw).
 * The client and the server share this process and the machine's cores: the client's work (sending,
 * timing, polling) is counted in the event-loop delay, the CPU figures and the memory. Results go to
 * models/bench/load-benchmark.json. A missed target is printed, not an error: the exit code is 0 unless
 * the benchmark itself fails (1) or its options are wrong (2).
 */
import type { NestExpressApplication } from '@nestjs/platform-express';
import { runBenchmarkCli } from './benchmark-cli';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import { monitorEventLoopDelay, PerformanceObserver, type IntervalHistogram } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { generateApiKey, hashApiKey } from '../auth/api-keys';
import { loadAppConfig } from '../config/app-config';
import { createApp } from '../create-app';
import { INFERENCE_POOL_CONFIG } from '../inference/inference.module';
import { defaultModelsRoot } from '../model-generator/ensure-model-directory';
import { InferencePool, type InferencePoolConfig } from '../pool';
import {
  arrivalSchedule,
  DEFAULT_IN_FLIGHT_ROWS,
  formatBytes,
  latencySummary,
  keptAllowance,
  LOAD_BENCH_USAGE,
  memoryBound,
  offeredAsAsked,
  parseLoadBenchArgs,
  REJECTION_P99_TARGET_MS,
  reproduceCommand,
  secondHalfGrowth,
  seededRandom,
  summariseMemory,
  verdicts,
  type LatencySummary,
  type LoadBenchOptions,
  type MemorySample,
} from './load-benchmark-support';
import { median, nowMs } from './timing';

const PROMPTS = [
  'a woman wearing a red and gold kente dress, african fashion, studio photo',
  'a man in a blue wax print shirt, street style',
  'bogolan mud cloth jacket, editorial photo',
  'robe en dentelle blanche, défilé de mode',
];
const GUIDANCE = 7.5;
const SAMPLE_EVERY_MS = 250;
/** monitorEventLoopDelay's sampling interval; its figures include it. */
const ELD_RESOLUTION_MS = 1;
const POLL_EVERY_MS = 200;
/** The pool's default per-device queue bound (the application does not set it). */
const DEFAULT_MAX_QUEUED_PER_DEVICE = 64;
const FINISHED = new Set(['succeeded', 'failed', 'cancelled']);

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// ---- HTTP client: node:http on a keep-alive agent, the body read to its end ----

interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly ms: number;
}

class Client {
  readonly agent: Agent;
  private readonly auth: Record<string, string>;

  constructor(
    private readonly port: number,
    apiKey: string,
    sockets: number,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });
    this.auth = { authorization: `Bearer ${apiKey}` };
  }

  send(method: 'GET' | 'POST', path: string, body?: string, headers: Record<string, string> = {}): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const start = nowMs();
      const all: Record<string, string | number> = { ...this.auth, accept: 'application/json', ...headers };
      if (body !== undefined) {
        all['content-type'] = 'application/json';
        all['content-length'] = Buffer.byteLength(body);
      }
      const req = httpRequest({ host: '127.0.0.1', port: this.port, method, path, agent: this.agent, headers: all }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), ms: nowMs() - start }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

function parseJson(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

// ---- machine CPU (other processes' share), from /proc where there is one ----

function cpuTicks(): { machine: number; self: number } | undefined {
  try {
    const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] as string).trim().split(/\s+/).slice(1).map(Number);
    const machine = [0, 1, 2, 5, 6, 7].reduce((n, i) => n + (fields[i] ?? 0), 0);
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { machine, self: Number(rest[11]) + Number(rest[12]) };
  } catch {
    return undefined;
  }
}
const USER_HZ = 100;

/** global.gc, from --expose-gc or turned on here through V8's flags. */
function findGc(): (() => void) | undefined {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (typeof existing === 'function') return existing;
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    return typeof gc === 'function' ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  }
}

function eventLoopFigures(histogram: IntervalHistogram): { p50: number; p99: number; max: number } {
  return { p50: histogram.percentile(50) / 1e6, p99: histogram.percentile(99) / 1e6, max: histogram.max / 1e6 };
}

/** Garbage-collection pauses of this thread while it observes. */
function watchGc(): { stop(): { count: number; totalMs: number; maxMs: number } } {
  let count = 0;
  let totalMs = 0;
  let maxMs = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      count++;
      totalMs += entry.duration;
      maxMs = Math.max(maxMs, entry.duration);
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return {
    stop: () => {
      observer.disconnect();
      return { count, totalMs, maxMs };
    },
  };
}

/**
 * Server-side time of POST /v1/generations answers, from the request event (headers parsed) to the
 * response's last byte handed to the socket, by status, while `on`: the rest of a client's latency is
 * time spent waiting for the event loop and in the client.
 */
function watchServer(server: Server): { on: boolean; readonly byStatus: Map<number, number[]> } {
  const watch = { on: false, byStatus: new Map<number, number[]>() };
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    if (!watch.on || req.method !== 'POST' || !req.url?.startsWith('/v1/generations')) return;
    const start = nowMs();
    res.once('finish', () => {
      let list = watch.byStatus.get(res.statusCode);
      if (!list) watch.byStatus.set(res.statusCode, (list = []));
      list.push(nowMs() - start);
    });
  });
  return watch;
}

// ---- the run ----

interface Accepted {
  readonly id: string;
  readonly answeredAt: number;
  outcome?: string;
  error?: string;
}

interface BurstResult {
  readonly scheduled: number;
  readonly sent: number;
  readonly notSent: number;
  readonly durationMs: number;
  readonly acceptedMs: number[];
  readonly rejectedMs: number[];
  readonly rejectedWithoutRetryAfter: number;
  readonly rejectedCodes: Record<string, number>;
  readonly others: Record<string, { count: number; example: string }>;
  readonly clientErrors: Record<string, number>;
  readonly sendLagMs: number[];
  readonly maxOpen: number;
  readonly eventLoop: { p50: number; p99: number; max: number };
  readonly gc: { count: number; totalMs: number; maxMs: number };
  readonly processCores: number;
  readonly otherCpu?: number;
}

interface Sampler {
  phase: string;
  readonly samples: MemorySample[];
  readonly poolQueued: Array<{ t: number; phase: string; queued: number; running: number }>;
  stop(): void;
}

function startSampler(pool: InferencePool, t0: number): Sampler {
  let statsPending = false;
  const sampler: Sampler = {
    phase: 'start',
    samples: [],
    poolQueued: [],
    stop: () => clearInterval(timer),
  };
  const take = (): void => {
    const m = process.memoryUsage();
    const t = nowMs() - t0;
    sampler.samples.push({ t, phase: sampler.phase, rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers });
    if (statsPending) return;
    statsPending = true;
    const phase = sampler.phase;
    pool
      .stats()
      .then((s) => sampler.poolQueued.push({ t, phase, queued: s.queued, running: s.running }))
      .catch(() => undefined)
      .finally(() => (statsPending = false));
  };
  const timer = setInterval(take, SAMPLE_EVERY_MS);
  take();
  return sampler;
}

function generationBody(options: LoadBenchOptions, i: number): string {
  return JSON.stringify({
    prompt: PROMPTS[i % PROMPTS.length],
    seed: i,
    steps: options.steps,
    width: options.size,
    height: options.size,
    scheduler: options.scheduler,
    guidanceScale: GUIDANCE,
  });
}

/** Closed loop of synchronous generations; returns completions per second and the latencies. */
interface Capacity {
  readonly perSecond: number;
  readonly completed: number;
  readonly elapsedMs: number;
  readonly latencyMs: number[];
  readonly next: number;
  /** Event-loop delay while the pool is busy and few requests are open: the floor under the burst's figures. */
  readonly eventLoop: { p50: number; p99: number; max: number };
}

async function measureCapacity(client: Client, options: LoadBenchOptions, first: number): Promise<Capacity> {
  let next = first;
  const latencyMs: number[] = [];
  const one = async (): Promise<number> => {
    const answer = await client.send('POST', '/v1/generations', generationBody(options, next++));
    if (answer.status !== 201) throw new Error(`capacity phase: POST /v1/generations answered ${answer.status}: ${answer.body.slice(0, 300)}`);
    return answer.ms;
  };
  // Warm-up: two rounds at the same concurrency (sessions, batch sizes, connections).
  await Promise.all(Array.from({ length: options.concurrency }, async () => {
    await one();
    await one();
  }));
  const histogram = monitorEventLoopDelay({ resolution: ELD_RESOLUTION_MS });
  histogram.enable();
  const start = nowMs();
  const until = start + options.capacitySeconds * 1000;
  let completed = 0;
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (nowMs() < until) {
        latencyMs.push(await one());
        completed++;
      }
    }),
  );
  const elapsedMs = nowMs() - start;
  histogram.disable();
  return { perSecond: completed / (elapsedMs / 1000), completed, elapsedMs, latencyMs, next, eventLoop: eventLoopFigures(histogram) };
}

async function burst(client: Client, options: LoadBenchOptions, ratePerSecond: number, first: number, accepted: Accepted[], onAccepted: () => void): Promise<BurstResult> {
  const schedule = arrivalSchedule(ratePerSecond, options.seconds, options.arrivals, seededRandom(options.seed));
  const acceptedMs: number[] = [];
  const rejectedMs: number[] = [];
  const rejectedCodes: Record<string, number> = {};
  const others: Record<string, { count: number; example: string }> = {};
  const clientErrors: Record<string, number> = {};
  const sendLagMs: number[] = [];
  let rejectedWithoutRetryAfter = 0;
  let open = 0;
  let maxOpen = 0;
  let sent = 0;
  let notSent = 0;
  const inFlight = new Set<Promise<void>>();

  const fire = (index: number): void => {
    if (open >= options.maxInFlight) {
      notSent++;
      return;
    }
    open++;
    sent++;
    maxOpen = Math.max(maxOpen, open);
    const p = client
      .send('POST', '/v1/generations', generationBody(options, first + index), { prefer: 'respond-async' })
      .then((answer) => {
        if (answer.status === 202) {
          acceptedMs.push(answer.ms);
          const id = parseJson(answer.body)['id'];
          if (typeof id !== 'string') throw new Error(`a 202 answer without an id: ${answer.body.slice(0, 200)}`);
          accepted.push({ id, answeredAt: nowMs() });
          onAccepted();
        } else if (answer.status === 429) {
          rejectedMs.push(answer.ms);
          if (answer.headers['retry-after'] === undefined) rejectedWithoutRetryAfter++;
          const code = String(parseJson(answer.body)['code'] ?? '?');
          rejectedCodes[code] = (rejectedCodes[code] ?? 0) + 1;
        } else {
          const entry = (others[String(answer.status)] ??= { count: 0, example: answer.body.slice(0, 300) });
          entry.count++;
        }
      })
      .catch((error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        clientErrors[message] = (clientErrors[message] ?? 0) + 1;
      })
      .finally(() => {
        open--;
        inFlight.delete(p);
      });
    inFlight.add(p);
  };

  const histogram = monitorEventLoopDelay({ resolution: ELD_RESOLUTION_MS });
  const cpuBefore = process.cpuUsage();
  const ticksBefore = cpuTicks();
  histogram.enable();
  const gcWatch = watchGc();
  const start = nowMs();
  let next = 0;
  while (next < schedule.length) {
    const elapsed = nowMs() - start;
    while (next < schedule.length && (schedule[next] as number) <= elapsed) {
      sendLagMs.push(elapsed - (schedule[next] as number));
      fire(next);
      next++;
    }
    if (next < schedule.length) await delay(Math.max(0, Math.min(5, (schedule[next] as number) - (nowMs() - start))));
  }
  await Promise.all([...inFlight]);
  const durationMs = nowMs() - start;
  histogram.disable();
  const gc = gcWatch.stop();
  const cpu = process.cpuUsage(cpuBefore);
  const ticksAfter = cpuTicks();
  const otherCpu =
    ticksBefore && ticksAfter
      ? Math.max(0, (ticksAfter.machine - ticksBefore.machine - (ticksAfter.self - ticksBefore.self)) / USER_HZ / (durationMs / 1000) / availableParallelism())
      : undefined;
  return {
    scheduled: schedule.length,
    sent,
    notSent,
    durationMs,
    acceptedMs,
    rejectedMs,
    rejectedWithoutRetryAfter,
    rejectedCodes,
    others,
    clientErrors,
    sendLagMs,
    maxOpen,
    eventLoop: eventLoopFigures(histogram),
    gc,
    processCores: (cpu.user + cpu.system) / 1000 / durationMs,
    ...(otherCpu !== undefined ? { otherCpu } : {}),
  };
}

/**
 * Follows the accepted jobs until each has ended. While arrivals last it walks from the oldest and
 * stops at the first unfinished job (they finish about in order), so it costs about one GET per
 * completion; afterwards it asks about every unfinished job each round.
 */
class CompletionWatcher {
  private head = 0;
  private arrivalsDone = false;
  polls = 0;
  pollErrors = 0;
  private wake: (() => void) | undefined;

  constructor(
    private readonly client: Client,
    private readonly accepted: Accepted[],
  ) {}

  notify(): void {
    this.wake?.();
  }

  endOfArrivals(): void {
    this.arrivalsDone = true;
    this.notify();
  }

  async run(deadline: () => number): Promise<void> {
    for (;;) {
      if (this.arrivalsDone) {
        const left = this.accepted.filter((a) => a.outcome === undefined);
        if (left.length === 0) return;
        if (nowMs() > deadline()) return;
        for (let i = 0; i < left.length; i += 8) await Promise.all(left.slice(i, i + 8).map((a) => this.check(a)));
      } else {
        while (this.head < this.accepted.length) {
          const a = this.accepted[this.head] as Accepted;
          if (a.outcome === undefined && !(await this.check(a))) break;
          this.head++;
        }
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, POLL_EVERY_MS);
        this.wake = () => {
          if (!this.arrivalsDone) return;
          clearTimeout(timer);
          this.wake = undefined;
          resolve();
        };
      });
    }
  }

  /** True when the job has ended (its outcome is set). */
  private async check(a: Accepted): Promise<boolean> {
    this.polls++;
    let answer: Answer;
    try {
      answer = await this.client.send('GET', `/v1/generations/${a.id}`);
    } catch {
      this.pollErrors++;
      return false;
    }
    if (answer.status === 200) {
      const view = parseJson(answer.body);
      const status = String(view['status']);
      if (!FINISHED.has(status)) return false;
      a.outcome = status;
      const error = view['error'] as { code?: string; message?: string } | undefined;
      if (error) a.error = `${error.code}: ${error.message}`;
      return true;
    }
    if (answer.status === 410) {
      a.outcome = 'evicted before seen';
      return true;
    }
    if (answer.status === 404) {
      a.outcome = 'unknown id (404)';
      return true;
    }
    this.pollErrors++;
    return false;
  }
}

async function run(options: LoadBenchOptions): Promise<void> {
  const gc = findGc();
  const apiKey = generateApiKey();
  const keys = { tiers: { load: { generations: 1e9, reads: 1e9 } }, keys: [{ name: 'load-bench', tier: 'load', roles: [], sha256: hashApiKey(apiKey) }] };
  const config = loadAppConfig({
    ...process.env,
    HOST: '127.0.0.1',
    PORT: '0',
    GRPC_PORT: '0',
    AFD_LOG_LEVEL: 'warn',
    AFD_API_KEYS: JSON.stringify(keys),
    AFD_API_KEYS_FILE: '',
    AFD_ALLOW_OPEN: 'false',
    AFD_REDIS_URL: '',
    AFD_JOBS: 'local',
    AFD_MAX_QUEUED: String(options.maxQueued),
    AFD_RESULT_STORE_MB: String(options.storeMb),
    AFD_GPU_SAMPLE_SECONDS: '0',
  });
  const app: NestExpressApplication = await createApp(config);
  let client: Client | undefined;
  let sampler: Sampler | undefined;
  try {
    await app.listen(0, '127.0.0.1');
    const port = (app.getHttpServer().address() as { port: number }).port;
    const pool = app.get(InferencePool);
    const poolConfig = app.get<InferencePoolConfig>(INFERENCE_POOL_CONFIG);
    const devices = poolConfig.devices?.length ?? 1;
    const perDevice = poolConfig.maxQueuedPerDevice ?? DEFAULT_MAX_QUEUED_PER_DEVICE;
    const effectiveQueue = Math.min(config.maxQueuedTotal, perDevice * devices);
    const rowsPerJob = GUIDANCE > 1 ? 2 : 1;
    const inFlightJobs = devices * Math.floor(DEFAULT_IN_FLIGHT_ROWS / rowsPerJob);
    client = new Client(port, apiKey, Math.min(options.maxInFlight, 512));
    const serverWatch = watchServer(app.getHttpServer());
    const t0 = nowMs();
    sampler = startSampler(pool, t0);

    console.log(`load benchmark on ${process.platform} ${process.arch}, ${availableParallelism()} CPUs, Node ${process.version}; GC ${gc ? 'available' : 'NOT available (figures after the burst include garbage)'}`);
    console.log(`the client and the server share this process, its event loop and the machine's ${availableParallelism()} cores (the pool's worker thread runs onnxruntime beside them)`);
    console.log(`request: ${options.size}x${options.size}, ${options.steps} steps, ${options.scheduler}, guidance ${GUIDANCE} (${rowsPerJob} UNet rows), 1 image, PNG, one API key on a tier with limits of 1e9 per minute`);
    console.log(
      `server: AFD_MAX_QUEUED ${config.maxQueuedTotal} (effective queue bound ${effectiveQueue}${effectiveQueue < config.maxQueuedTotal ? `: the pool's default per-device bound of ${perDevice} binds first` : ''}), ` +
        `${devices} device(s), up to ${inFlightJobs} jobs in flight, AFD_RESULT_STORE_MB ${options.storeMb}`,
    );

    // 1. capacity
    sampler.phase = 'capacity';
    process.stderr.write(`capacity: closed loop at concurrency ${options.concurrency} for ${options.capacitySeconds} s (after ${2 * options.concurrency} warm-up requests)…\n`);
    const capacity = await measureCapacity(client, options, 0);
    if (!(capacity.perSecond > 0)) throw new Error('the capacity phase completed no request');
    console.log(`capacity: ${capacity.perSecond.toFixed(1)} requests/s (${capacity.completed} in ${(capacity.elapsedMs / 1000).toFixed(1)} s at concurrency ${options.concurrency}; median latency ${median(capacity.latencyMs).toFixed(0)} ms)`);

    // baseline, warmed up and collected
    sampler.phase = 'settle';
    gc?.();
    await delay(500);
    sampler.phase = 'baseline';
    await delay(1500);

    // 2. burst
    const rate = options.factor * capacity.perSecond;
    console.log(`burst: ${options.arrivals} arrivals at ${rate.toFixed(1)} requests/s (${options.factor} × capacity) for ${options.seconds} s, Prefer: respond-async…`);
    const accepted: Accepted[] = [];
    const watcher = new CompletionWatcher(client, accepted);
    let drainDeadline = Infinity;
    const watching = watcher.run(() => drainDeadline);
    const totalsBefore = (await pool.stats()).totals;
    sampler.phase = 'burst';
    serverWatch.on = true;
    const result = await burst(client, options, rate, capacity.next, accepted, () => watcher.notify());
    const burstEnd = nowMs();
    serverWatch.on = false;

    // drain: every accepted job to its end
    sampler.phase = 'drain';
    const drainBudgetMs = Math.max(60_000, (4 * (effectiveQueue + inFlightJobs) * 1000) / capacity.perSecond + 30_000);
    drainDeadline = burstEnd + drainBudgetMs;
    watcher.endOfArrivals();
    await watching;
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

    // the encoded images' size (they vary with the prompt): the largest of the last few
    let imageBytes: number | undefined;
    for (const a of accepted.filter((a) => a.outcome === 'succeeded').slice(-2 * PROMPTS.length)) {
      const image = await client.send('GET', `/v1/generations/${a.id}/images/0`);
      if (image.status === 200) imageBytes = Math.max(imageBytes ?? 0, Number(image.headers['content-length']));
    }

    report({ options, config: { maxQueued: config.maxQueuedTotal, effectiveQueue, inFlightJobs, devices, storeBytes: config.resultStoreBytes }, capacity, rate, result, accepted, watcher, drainMs, drainBudgetMs, sampler, totals, imageBytes, gcAvailable: gc !== undefined, serverMs: serverWatch.byStatus });
  } finally {
    sampler?.stop();
    client?.close();
    await app.close();
  }
}

interface ReportInput {
  readonly options: LoadBenchOptions;
  readonly config: { maxQueued: number; effectiveQueue: number; inFlightJobs: number; devices: number; storeBytes: number };
  readonly capacity: Capacity;
  readonly rate: number;
  readonly result: BurstResult;
  readonly accepted: readonly Accepted[];
  readonly watcher: CompletionWatcher;
  readonly drainMs: number;
  readonly drainBudgetMs: number;
  readonly sampler: Sampler;
  readonly totals: Record<string, number>;
  readonly imageBytes: number | undefined;
  readonly gcAvailable: boolean;
  readonly serverMs: ReadonlyMap<number, number[]>;
}

function report(input: ReportInput): void {
  const { options, config, capacity, rate, result, accepted, sampler } = input;
  const f = (x: number, digits = 1): string => (Number.isFinite(x) ? x.toFixed(digits) : '-');
  const line = (name: string, s: LatencySummary): string => `${name.padEnd(22)} ${String(s.n).padStart(7)} ${[s.p50, s.p90, s.p99, s.max].map((x) => f(x).padStart(9)).join(' ')}`;
  const rejected = latencySummary(result.rejectedMs);
  const acceptedLatency = latencySummary(result.acceptedMs);
  const lag = latencySummary(result.sendLagMs);

  const outcomes: Record<string, number> = {};
  const failures: Record<string, number> = {};
  for (const a of accepted) {
    const outcome = a.outcome ?? 'not ended (drain timed out)';
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    if (outcome !== 'succeeded') failures[a.error ?? outcome] = (failures[a.error ?? outcome] ?? 0) + 1;
  }
  const succeeded = outcomes['succeeded'] ?? 0;

  const baseline = summariseMemory(sampler.samples, ['baseline']);
  const during = summariseMemory(sampler.samples, ['burst', 'drain']);
  const burstOnly = summariseMemory(sampler.samples, ['burst']);
  const after = summariseMemory(sampler.samples, ['after']);
  const growth = during.rssMax - baseline.rssMedian;
  const afterGrowth = after.rssMedian - baseline.rssMedian;
  const plateau = secondHalfGrowth(sampler.samples, 'burst');
  const observedQueued = sampler.poolQueued.filter((q) => q.phase === 'burst' || q.phase === 'drain');
  const maxQueued = observedQueued.reduce((m, q) => Math.max(m, q.queued), 0);
  const maxRunning = observedQueued.reduce((m, q) => Math.max(m, q.running), 0);
  const bound = memoryBound({
    maxQueued: config.effectiveQueue,
    inFlightJobs: Math.max(config.inFlightJobs, maxRunning),
    size: options.size,
    numImages: 1,
    storeBytes: config.storeBytes,
    acceptedJobs: accepted.length + capacity.completed + 4 * options.concurrency,
    clientInFlight: options.maxInFlight,
  });
  const keptExternal = after.externalMedian - baseline.externalMedian;
  const keptAllowed = keptAllowance(accepted.length, input.imageBytes ?? 0);
  const v = verdicts({
    rejectionP99Ms: rejected.p99,
    rejected: rejected.n,
    growthBytes: growth,
    boundBytes: bound.totalBytes,
    keptBytes: keptExternal,
    keptAllowanceBytes: keptAllowed,
    accepted: accepted.length,
    succeeded,
  });
  const pf = (ok: boolean): string => (ok ? 'PASS' : 'FAIL');

  const seconds = result.durationMs / 1000;
  console.log(`\ncapacity ${f(capacity.perSecond)} req/s; offered ${f(rate)} req/s (${options.factor} ×) for ${options.seconds} s: ${result.scheduled} arrivals, ${result.sent} sent (${f(result.sent / seconds)} req/s achieved), ${result.notSent} not sent (client cap of ${options.maxInFlight} open requests)`);
  console.log(`answers: ${accepted.length} accepted (202), ${rejected.n} rejected (429 ${Object.entries(result.rejectedCodes).map(([c, n]) => `${c} ${n}`).join(', ')}), ${Object.values(result.others).reduce((n, o) => n + o.count, 0)} other, ${Object.values(result.clientErrors).reduce((a, b) => a + b, 0)} client errors; accepted share ${f((100 * accepted.length) / Math.max(1, result.sent))}%`);
  const asAsked = offeredAsAsked({ scheduled: result.scheduled, sent: result.sent, notSent: result.notSent, durationMs: result.durationMs, seconds: options.seconds });
  if (!asAsked) {
    console.log(
      `  WARNING: the client did not offer the asked load (it shares this process and the cores with the server): the HTTP layer and the client are saturated, ` +
        `so the latencies below measure that overload rather than the queue's admission; rerun with a heavier request (--size, --steps) or a lower --factor`,
    );
  }
  for (const [status, o] of Object.entries(result.others)) console.log(`  OTHER ${status} × ${o.count}: ${o.example}`);
  for (const [message, n] of Object.entries(result.clientErrors)) console.log(`  CLIENT ERROR × ${n}: ${message}`);
  if (result.rejectedWithoutRetryAfter > 0) console.log(`  ${result.rejectedWithoutRetryAfter} rejections came without a Retry-After header`);

  console.log(`\n${'latency (ms)'.padEnd(22)} ${'n'.padStart(7)} ${['p50', 'p90', 'p99', 'max'].map((c) => c.padStart(9)).join(' ')}`);
  console.log(line('rejected (429)', rejected));
  console.log(line('accepted (202)', acceptedLatency));
  const serverRejected = latencySummary(input.serverMs.get(429) ?? []);
  const serverAccepted = latencySummary(input.serverMs.get(202) ?? []);
  console.log(line('  server side of 429', serverRejected));
  console.log(line('  server side of 202', serverAccepted));
  console.log(line('client send lag', lag));
  console.log(`rejections fast (p99 ≤ ${REJECTION_P99_TARGET_MS} ms): ${pf(v.fastRejections)} (p99 ${f(rejected.p99)} ms)`);

  console.log(`\nevent-loop delay during the burst (client + server): p50 ${f(result.eventLoop.p50)} ms, p99 ${f(result.eventLoop.p99)} ms, max ${f(result.eventLoop.max)} ms`);
  console.log(`  for comparison, during the capacity phase (pool busy, ${options.concurrency} requests open): p50 ${f(capacity.eventLoop.p50)} ms, p99 ${f(capacity.eventLoop.p99)} ms, max ${f(capacity.eventLoop.max)} ms`);
  console.log(`  (monitorEventLoopDelay at ${ELD_RESOLUTION_MS} ms resolution; its figures include that interval)`);
  console.log(`  garbage collection during the burst: ${result.gc.count} pauses, ${f(result.gc.totalMs, 0)} ms in all, longest ${f(result.gc.maxMs)} ms`);
  console.log(`CPU during the burst: this process ${f(result.processCores, 2)} cores of ${availableParallelism()}${result.otherCpu !== undefined ? `; other processes ${f(100 * result.otherCpu, 0)}% of the machine` : ''}`);
  console.log(`pool during burst and drain: at most ${maxQueued} queued (bound ${config.effectiveQueue}), ${maxRunning} running; pool counters over the burst and drain ${JSON.stringify(input.totals)}`);
  const poolMismatch = [
    input.totals['submitted'] !== accepted.length ? `pool submitted ${input.totals['submitted']} ≠ ${accepted.length} accepted` : '',
    input.totals['rejected'] !== rejected.n ? `pool rejected ${input.totals['rejected']} ≠ ${rejected.n} answered 429` : '',
    input.totals['succeeded'] !== succeeded ? `pool succeeded ${input.totals['succeeded']} ≠ ${succeeded} seen succeeded` : '',
  ].filter((m) => m !== '');
  console.log(poolMismatch.length === 0 ? '  the pool\'s counters agree with the answers the client saw' : `  MISMATCH between the pool's counters and the client: ${poolMismatch.join('; ')}`);

  console.log(`\naccepted jobs: ${Object.entries(outcomes).map(([o, n]) => `${n} ${o}`).join(', ') || 'none'}; drain took ${f(input.drainMs / 1000)} s after the last answer (limit ${f(input.drainBudgetMs / 1000, 0)} s); ${input.watcher.polls} status polls, ${input.watcher.pollErrors} poll errors`);
  for (const [reason, n] of Object.entries(failures)) console.log(`  NOT SUCCEEDED × ${n}: ${reason}`);
  console.log(`every accepted job completed: ${pf(v.allAcceptedCompleted)} (${succeeded} of ${accepted.length} succeeded)`);

  console.log(`\nmemory (RSS; heap used in brackets), sampled every ${SAMPLE_EVERY_MS} ms:`);
  console.log(`  baseline (warmed up, after GC)   ${formatBytes(baseline.rssMedian)} (${formatBytes(baseline.heapUsedMedian)})`);
  console.log(`  peak during burst and drain      ${formatBytes(during.rssMax)} (${formatBytes(during.heapUsedMax)}); external max ${formatBytes(during.externalMax)}`);
  console.log(`  growth: peak − baseline          ${formatBytes(growth)}`);
  console.log(`  second half of the burst − first ${formatBytes(plateau)} (peak to peak; about 0 when memory levels off)`);
  console.log(`  after the burst (all ended, GC)  ${formatBytes(after.rssMedian)} (${formatBytes(after.heapUsedMedian)}), ${formatBytes(afterGrowth)} over the baseline${input.imageBytes ? `; the largest of a few images is ${formatBytes(input.imageBytes)}` : ''}`);
  const retainedPerJob = keptExternal / Math.max(1, accepted.length);
  console.log(
    `  kept after the burst per accepted job: ${formatBytes((after.rssMedian - baseline.rssMedian) / Math.max(1, accepted.length))} of RSS, ${formatBytes(retainedPerJob)} of external memory ` +
      `(an encoded image is at most ${input.imageBytes ? formatBytes(input.imageBytes) : '?'}; its raw RGB pixels are ${formatBytes(options.size * options.size * 3)})`,
  );
  console.log(`  bound on the growth: ${formatBytes(bound.totalBytes)} = ${bound.parts.map((p) => `${p.name} ${formatBytes(p.bytes)} (${p.rule})`).join(' + ')}`);
  console.log(`memory bounded (growth ≤ bound): ${pf(v.memoryBounded)}`);
  console.log(
    `finished jobs keep only what the result store counts (external memory kept after the burst ${formatBytes(keptExternal)} ≤ ${accepted.length} × (image + 16 KiB) + 8 MiB = ${formatBytes(keptAllowed)}): ${pf(v.keptMatchesStore)}`,
  );
  if (!v.keptMatchesStore) {
    console.log(
      `  the bound above assumes this; when it fails, what a finished job keeps grows with the accepted jobs until their records expire (AFD_RESULT_TTL_SECONDS) or the store evicts them by encoded size, so a longer burst exceeds any fixed bound`,
    );
  }
  if (!input.gcAvailable) console.log('note: no GC available; run with node --expose-gc for cleaner baseline and after-burst figures');
  if ((result.otherCpu ?? 0) > 0.1) console.log('note: other processes used over 10% of the machine during the burst: capacity and latencies are affected');

  const missed = Object.entries(v).filter(([, ok]) => !ok).map(([k]) => k);
  console.log(missed.length === 0 ? '\nall targets met' : `\nTARGETS NOT MET: ${missed.join(', ')}`);

  const dir = join(defaultModelsRoot(), 'bench');
  const file = join(dir, 'load-benchmark.json');
  mkdirSync(dir, { recursive: true });
  const json = {
    at: new Date().toISOString(),
    command: reproduceCommand(options),
    machine: { platform: process.platform, arch: process.arch, cpus: availableParallelism(), node: process.version, sharedProcess: 'client and server in one process' },
    options,
    server: config,
    capacity: { perSecond: capacity.perSecond, completed: capacity.completed, elapsedMs: capacity.elapsedMs, latency: latencySummary(capacity.latencyMs), eventLoopDelayMs: capacity.eventLoop },
    burst: {
      offeredPerSecond: rate,
      scheduled: result.scheduled,
      sent: result.sent,
      notSent: result.notSent,
      achievedPerSecond: result.sent / seconds,
      durationMs: result.durationMs,
      accepted: accepted.length,
      rejected: rejected.n,
      rejectedCodes: result.rejectedCodes,
      rejectedWithoutRetryAfter: result.rejectedWithoutRetryAfter,
      others: result.others,
      clientErrors: result.clientErrors,
      latencyMs: { rejected, accepted: acceptedLatency, sendLag: lag, serverSideRejected: serverRejected, serverSideAccepted: serverAccepted },
      maxOpenRequests: result.maxOpen,
      eventLoopDelayMs: result.eventLoop,
      capacityPhaseEventLoopDelayMs: capacity.eventLoop,
      gc: result.gc,
      offeredAsAsked: asAsked,
      processCores: result.processCores,
      otherCpu: result.otherCpu,
      poolMaxQueued: maxQueued,
      poolMaxRunning: maxRunning,
    },
    completion: { outcomes, failures, drainMs: input.drainMs, drainBudgetMs: input.drainBudgetMs, polls: input.watcher.polls, pollErrors: input.watcher.pollErrors, poolTotals: input.totals },
    memory: {
      baseline,
      burstAndDrain: during,
      burst: burstOnly,
      after,
      growthBytes: growth,
      afterGrowthBytes: afterGrowth,
      externalRetainedPerAcceptedJob: retainedPerJob,
      keptExternalBytes: keptExternal,
      keptAllowanceBytes: keptAllowed,
      secondHalfGrowthBytes: plateau,
      imageBytes: input.imageBytes,
      bound,
      gcAvailable: input.gcAvailable,
      samples: sampler.samples.map((s) => ({ t: Math.round(s.t), phase: s.phase, rss: s.rss, heapUsed: s.heapUsed, external: s.external })),
      poolQueue: sampler.poolQueued.map((q) => ({ ...q, t: Math.round(q.t) })),
    },
    targets: { rejectionP99Ms: REJECTION_P99_TARGET_MS, ...v },
    pass: missed.length === 0,
  };
  writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
  console.log(`\nresults: ${relative(process.cwd(), file) || file}`);
  console.log(`reproduce with: ${reproduceCommand(options)}`);
}

runBenchmarkCli('bench:load', LOAD_BENCH_USAGE, parseLoadBenchArgs, run);

/**
 * Pure helpers of `npm run bench:load`: its command-line options, the arrival schedule, the memory
 * bound it checks, and the summaries and verdicts it prints. No I/O here.
 */
import { SCHEDULER_NAMES } from '../engine/schedulers/scheduler';
import { percentile, UsageError } from './api-benchmark-support';

export { percentile, UsageError };

export type ArrivalProcess = 'poisson' | 'uniform';

export interface LoadBenchOptions {
  /** Length of the burst (arrivals stop after it), in seconds. */
  readonly seconds: number;
  /** Offered rate during the burst, as a multiple of the measured capacity. */
  readonly factor: number;
  /** Image width and height in pixels (a multiple of 8, 64 to 1024). */
  readonly size: number;
  readonly steps: number;
  readonly scheduler: string;
  /** Closed-loop concurrency of the capacity phase. */
  readonly concurrency: number;
  /** Length of the capacity phase, in seconds (after its warm-up requests). */
  readonly capacitySeconds: number;
  /** AFD_MAX_QUEUED for the application under test. */
  readonly maxQueued: number;
  /** AFD_RESULT_STORE_MB for the application under test. */
  readonly storeMb: number;
  readonly arrivals: ArrivalProcess;
  /** Seed of the arrival schedule (the same seed gives the same inter-arrival times). */
  readonly seed: number;
  /** Requests the client keeps open at once; an arrival beyond it is counted as not sent. */
  readonly maxInFlight: number;
}

/**
 * The API's own default request (512×512, 25 steps). On the demo models a 128×128, 10-step request
 * runs at about 220 per second on 2 cores, so 10 × that (over 2,000 HTTP requests per second, sent
 * and answered by this one process) saturates the HTTP layer and the client before admission control
 * is exercised; at 512×512 capacity is about 23 per second and 10 × is within what the client can offer.
 */
export const DEFAULT_LOAD_BENCH_OPTIONS: LoadBenchOptions = {
  seconds: 20,
  factor: 10,
  size: 512,
  steps: 25,
  scheduler: 'euler-a',
  concurrency: 8,
  capacitySeconds: 6,
  maxQueued: 64,
  storeMb: 64,
  arrivals: 'poisson',
  seed: 1,
  maxInFlight: 1024,
};

/** `--quick`: the defaults shortened to about 30 s in all (burst, capacity phase). */
export const QUICK_OVERRIDES: Partial<LoadBenchOptions> = { seconds: 10, capacitySeconds: 3 };

/** Target of the issue for rejections: answered fast, p99 at most this. */
export const REJECTION_P99_TARGET_MS = 50;

const SCHEDULERS: readonly string[] = SCHEDULER_NAMES;

type NumericOption = Exclude<keyof LoadBenchOptions, 'scheduler' | 'arrivals'>;

const RULES: Readonly<Record<NumericOption, { min: number; max: number; multipleOf?: number; decimal?: boolean }>> = {
  seconds: { min: 1, max: 3600 },
  factor: { min: 0.1, max: 1000, decimal: true },
  size: { min: 64, max: 1024, multipleOf: 8 },
  steps: { min: 1, max: 150 },
  concurrency: { min: 1, max: 256 },
  capacitySeconds: { min: 1, max: 600 },
  maxQueued: { min: 1, max: 100_000 },
  storeMb: { min: 1, max: 1 << 20 },
  seed: { min: 0, max: 4_294_967_295 },
  maxInFlight: { min: 1, max: 100_000 },
};

/** Command-line spelling of each option (kebab case). */
const FLAGS: Readonly<Record<keyof LoadBenchOptions, string>> = {
  seconds: 'seconds',
  factor: 'factor',
  size: 'size',
  steps: 'steps',
  scheduler: 'scheduler',
  concurrency: 'concurrency',
  capacitySeconds: 'capacity-seconds',
  maxQueued: 'max-queued',
  storeMb: 'store-mb',
  arrivals: 'arrivals',
  seed: 'seed',
  maxInFlight: 'max-in-flight',
};
const BY_FLAG: ReadonlyMap<string, keyof LoadBenchOptions> = new Map(Object.entries(FLAGS).map(([key, flag]) => [flag, key as keyof LoadBenchOptions]));

export const LOAD_BENCH_USAGE = [
  'usage: npm run bench:load -- [--quick] [--seconds N] [--factor X] [--size N] [--steps N] [--scheduler NAME]',
  '         [--concurrency N] [--capacity-seconds N] [--max-queued N] [--store-mb N] [--arrivals poisson|uniform] [--seed N] [--max-in-flight N]',
  `  defaults: ${describeOptions(DEFAULT_LOAD_BENCH_OPTIONS)}`,
  `  --quick: --seconds ${QUICK_OVERRIDES.seconds} --capacity-seconds ${QUICK_OVERRIDES.capacitySeconds} (about 30 s in all); options given explicitly override it`,
].join('\n');

/**
 * Parses `--name V` or `--name=V`; `--quick` applies QUICK_OVERRIDES first, whatever its position,
 * so explicit options win. Anything else is a UsageError.
 */
export function parseLoadBenchArgs(argv: readonly string[]): LoadBenchOptions {
  const options: Record<string, number | string> = { ...DEFAULT_LOAD_BENCH_OPTIONS, ...(argv.includes('--quick') ? QUICK_OVERRIDES : {}) };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--quick') continue;
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    const key = match?.[1] === undefined ? undefined : BY_FLAG.get(match[1]);
    if (!match || key === undefined) throw new UsageError(`unknown argument ${JSON.stringify(arg)}`);
    const flag = FLAGS[key];
    let raw = match[2];
    if (raw === undefined) {
      raw = argv[i + 1];
      i++;
    }
    if (raw === undefined || raw.startsWith('--')) throw new UsageError(`--${flag}: needs a value`);
    if (key === 'scheduler') {
      if (!SCHEDULERS.includes(raw)) throw new UsageError(`--scheduler: must be one of ${SCHEDULERS.join(', ')}, got ${JSON.stringify(raw)}`);
      options[key] = raw;
      continue;
    }
    if (key === 'arrivals') {
      if (raw !== 'poisson' && raw !== 'uniform') throw new UsageError(`--arrivals: must be poisson or uniform, got ${JSON.stringify(raw)}`);
      options[key] = raw;
      continue;
    }
    const rule = RULES[key];
    const value = Number(raw);
    const shape = rule.decimal ? /^\d+(\.\d+)?$/ : /^\d+$/;
    if (!shape.test(raw) || value < rule.min || value > rule.max) {
      throw new UsageError(`--${flag}: must be ${rule.decimal ? 'a number' : 'an integer'} from ${rule.min} to ${rule.max}, got ${JSON.stringify(raw)}`);
    }
    if (rule.multipleOf !== undefined && value % rule.multipleOf !== 0) throw new UsageError(`--${flag}: must be a multiple of ${rule.multipleOf}, got ${value}`);
    options[key] = value;
  }
  return options as unknown as LoadBenchOptions;
}

function describeOptions(options: LoadBenchOptions): string {
  return (Object.keys(FLAGS) as Array<keyof LoadBenchOptions>).map((key) => `--${FLAGS[key]} ${options[key]}`).join(' ');
}

/** The command line that reproduces a run, every option spelled out. */
export function reproduceCommand(options: LoadBenchOptions): string {
  return `npm run bench:load -- ${describeOptions(options)}`;
}

/** A small deterministic generator of uniform numbers in [0, 1) (mulberry32). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Arrival times in ms from the start of the burst, ascending, all below `seconds` × 1000: a Poisson
 * process (exponential gaps) or evenly spaced arrivals, at `ratePerSecond`.
 */
export function arrivalSchedule(ratePerSecond: number, seconds: number, process: ArrivalProcess, random: () => number): number[] {
  if (!(ratePerSecond > 0) || !(seconds > 0)) return [];
  const end = seconds * 1000;
  const meanGap = 1000 / ratePerSecond;
  const times: number[] = [];
  if (process === 'uniform') {
    for (let t = 0; t < end; t += meanGap) times.push(t);
    return times;
  }
  for (let t = -meanGap * Math.log(1 - random()); t < end; t += -meanGap * Math.log(1 - random())) times.push(t);
  return times;
}

// ---- the memory bound ----

const KiB = 1024;
const MiB = 1024 * KiB;

/** What a queued job holds: its request, the generation record, the pool's job, closures. */
export const QUEUED_JOB_BYTES = 16 * KiB;
/** A generation record kept (without its images) until AFD_RESULT_TTL_SECONDS. */
export const RECORD_BYTES = 2 * KiB;
/** The generation store remembers up to 10,000 expired ids (tombstones, about 200 bytes each). */
export const TOMBSTONE_BYTES = 10_000 * 200;
/** One open client request, both ends in this process: sockets' buffers, request and response objects. */
export const CLIENT_REQUEST_BYTES = 32 * KiB;
/** Fixed margin: V8's heap headroom before a major collection and the allocators' arenas of the threads. */
export const FIXED_MARGIN_BYTES = 128 * MiB;
/** Rows the pool keeps in flight per device by default: 2 × the default maxBatch of 8. */
export const DEFAULT_IN_FLIGHT_ROWS = 16;

export interface MemoryBoundInput {
  /** The effective queue bound (jobs waiting). */
  readonly maxQueued: number;
  /** Jobs the pool runs at once. */
  readonly inFlightJobs: number;
  /** Image width and height. */
  readonly size: number;
  /** Images per job. */
  readonly numImages: number;
  /** AFD_RESULT_STORE_MB in bytes. */
  readonly storeBytes: number;
  /** Jobs accepted over the whole run (their records are kept, without images once evicted, until the TTL). */
  readonly acceptedJobs: number;
  /** The client's cap on open requests. */
  readonly clientInFlight: number;
}

export interface MemoryBound {
  readonly totalBytes: number;
  readonly parts: ReadonlyArray<{ readonly name: string; readonly bytes: number; readonly rule: string }>;
}

/**
 * The most the process's RSS may grow over its warmed-up baseline during and after a burst, whatever
 * the offered rate: nothing in it grows with the number of rejected requests. A running job holds
 * about four image-sized float32 buffers (the decoded image, its conversion to bytes, the encoder's
 * buffers); the result store holds at most its budget of encoded images (it may overshoot by the
 * images of one job); the records of accepted jobs grow only with accepted work (bounded by capacity
 * × the result time).
 */
export function memoryBound(input: MemoryBoundInput): MemoryBound {
  const runningJobBytes = input.numImages * 4 * 3 * input.size * input.size * 4;
  const parts = [
    { name: 'queued jobs', bytes: input.maxQueued * QUEUED_JOB_BYTES, rule: `${input.maxQueued} × ${QUEUED_JOB_BYTES / KiB} KiB` },
    { name: 'running jobs', bytes: input.inFlightJobs * runningJobBytes, rule: `${input.inFlightJobs} × 4 float32 images of ${input.size}×${input.size}×3` },
    { name: 'result store', bytes: input.storeBytes + runningJobBytes, rule: 'AFD_RESULT_STORE_MB + one job (overshoot before eviction)' },
    { name: 'records', bytes: input.acceptedJobs * RECORD_BYTES + TOMBSTONE_BYTES, rule: `${input.acceptedJobs} accepted × ${RECORD_BYTES / KiB} KiB + 10,000 tombstones` },
    { name: 'client requests', bytes: input.clientInFlight * CLIENT_REQUEST_BYTES, rule: `${input.clientInFlight} open × ${CLIENT_REQUEST_BYTES / KiB} KiB` },
    { name: 'fixed margin', bytes: FIXED_MARGIN_BYTES, rule: 'V8 heap headroom, allocator arenas' },
  ];
  return { totalBytes: parts.reduce((n, p) => n + p.bytes, 0), parts };
}

// ---- memory samples ----

export interface MemorySample {
  /** ms since the run started. */
  readonly t: number;
  readonly phase: string;
  readonly rss: number;
  readonly heapUsed: number;
  readonly external: number;
  readonly arrayBuffers: number;
}

export interface MemoryPhaseSummary {
  readonly n: number;
  readonly rssMedian: number;
  readonly rssMax: number;
  readonly heapUsedMedian: number;
  readonly heapUsedMax: number;
  readonly externalMedian: number;
  readonly externalMax: number;
}

/** Median and maximum of the samples of the given phases (NaN when there are none). */
export function summariseMemory(samples: readonly MemorySample[], phases: readonly string[]): MemoryPhaseSummary {
  const picked = samples.filter((s) => phases.includes(s.phase));
  const max = (values: number[]): number => (values.length === 0 ? NaN : values.reduce((a, b) => Math.max(a, b), -Infinity));
  return {
    n: picked.length,
    rssMedian: percentile(picked.map((s) => s.rss), 50),
    rssMax: max(picked.map((s) => s.rss)),
    heapUsedMedian: percentile(picked.map((s) => s.heapUsed), 50),
    heapUsedMax: max(picked.map((s) => s.heapUsed)),
    externalMedian: percentile(picked.map((s) => s.external), 50),
    externalMax: max(picked.map((s) => s.external)),
  };
}

/**
 * Whether memory levelled off during the burst: the peak RSS of its second half over the peak of
 * its first half. A leak proportional to the requests grows by about as much again in the second half.
 */
export function secondHalfGrowth(samples: readonly MemorySample[], phase: string): number {
  const picked = samples.filter((s) => s.phase === phase);
  if (picked.length < 4) return NaN;
  const start = (picked[0] as MemorySample).t;
  const end = (picked[picked.length - 1] as MemorySample).t;
  const middle = (start + end) / 2;
  const peak = (list: MemorySample[]): number => list.reduce((m, s) => Math.max(m, s.rss), -Infinity);
  return peak(picked.filter((s) => s.t > middle)) - peak(picked.filter((s) => s.t <= middle));
}

// ---- latency and verdicts ----

export interface LatencySummary {
  readonly n: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

export function latencySummary(samples: readonly number[]): LatencySummary {
  return {
    n: samples.length,
    p50: percentile(samples, 50),
    p90: percentile(samples, 90),
    p99: percentile(samples, 99),
    max: samples.length === 0 ? NaN : samples.reduce((a, b) => Math.max(a, b), -Infinity),
  };
}

/** Per accepted job, beyond its encoded images: Buffer pool slabs that small images share, the record's strings. */
export const KEPT_SLACK_PER_JOB_BYTES = 16 * KiB;
/** For the measurement's own noise (sockets' buffers, allocator caches) between two idle, collected samples. */
export const KEPT_SLACK_BYTES = 8 * MiB;

/**
 * The external memory (Buffers, typed arrays) the process may still hold once every accepted job has
 * ended and a GC has run, over the baseline: the encoded images the result store keeps, and a little
 * per job. The memory bound rests on this: a finished job must keep nothing the store does not count.
 */
export function keptAllowance(acceptedJobs: number, imageBytes: number): number {
  return acceptedJobs * (imageBytes + KEPT_SLACK_PER_JOB_BYTES) + KEPT_SLACK_BYTES;
}

export interface Verdicts {
  /** p99 of the 429 answers at most REJECTION_P99_TARGET_MS (and at least one rejection seen). */
  readonly fastRejections: boolean;
  /** Peak RSS growth over the baseline within the bound. */
  readonly memoryBounded: boolean;
  /** After the burst (all ended, GC), external memory over the baseline within keptAllowance: finished jobs keep only what the store counts. */
  readonly keptMatchesStore: boolean;
  /** Every job answered 202 ended as succeeded. */
  readonly allAcceptedCompleted: boolean;
}

export function verdicts(input: {
  rejectionP99Ms: number;
  rejected: number;
  growthBytes: number;
  boundBytes: number;
  keptBytes: number;
  keptAllowanceBytes: number;
  accepted: number;
  succeeded: number;
}): Verdicts {
  return {
    fastRejections: input.rejected > 0 && Number.isFinite(input.rejectionP99Ms) && input.rejectionP99Ms <= REJECTION_P99_TARGET_MS,
    memoryBounded: Number.isFinite(input.growthBytes) && input.growthBytes <= input.boundBytes,
    keptMatchesStore: Number.isFinite(input.keptBytes) && input.keptBytes <= input.keptAllowanceBytes,
    allAcceptedCompleted: input.succeeded === input.accepted,
  };
}

/** Whether the client offered the load it was asked to: nothing dropped at its cap and at least 95% of the rate sent. */
export function offeredAsAsked(input: { scheduled: number; sent: number; notSent: number; durationMs: number; seconds: number }): boolean {
  return input.notSent === 0 && input.sent >= 0.95 * input.scheduled && input.durationMs <= 1.5 * input.seconds * 1000 + 1000;
}

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return '-';
  const sign = bytes < 0 ? '-' : '';
  const b = Math.abs(bytes);
  return b >= MiB ? `${sign}${(b / MiB).toFixed(1)} MiB` : `${sign}${(b / KiB).toFixed(0)} KiB`;
}

/**
 * Pure helpers of `npm run bench:load`: its command-line options and the arrival schedule. The memory
 * bound, the summaries and the verdicts are in load-measures.ts. No I/O here.
 */
import { mulberry32 } from '../../../common/mulberry32';
import { SCHEDULER_NAMES } from '../../../engine/schedulers/scheduler';
import { percentile, UsageError } from '../api-benchmark-support';

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
 * runs at about 220 per second on 2 cores, so 10 × that (over 2,000 HTTP requests per second, sent by
 * a client process on the same cores) saturates the HTTP layer and the client before admission
 * control is exercised; at 512×512 capacity is about 20 per second and 10 × is within what the client
 * can offer.
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
export const seededRandom = mulberry32;

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

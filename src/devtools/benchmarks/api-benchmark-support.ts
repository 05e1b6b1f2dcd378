/** Pure helpers of `npm run bench:api`: its command-line options, percentiles and the ratio verdict. */
import { median } from './timing';

export interface ApiBenchOptions {
  /** Image width and height in pixels (a multiple of 8, 64 to 1024). */
  readonly size: number;
  readonly steps: number;
  /** Measured rounds; each round runs every variant once. */
  readonly runs: number;
  /** Unmeasured rounds first (connections, caches, onnxruntime's first calls). */
  readonly warmup: number;
}

/** The API's own defaults (512×512, 25 steps), so the ratio reflects a typical request rather than the fixed cost of a tiny one. */
export const DEFAULT_API_BENCH_OPTIONS: ApiBenchOptions = { size: 512, steps: 25, runs: 15, warmup: 3 };

/** The target of the issue: each transport's median at most this times the engine's. */
export const API_RATIO_TARGET = 1.05;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const RULES: Readonly<Record<keyof ApiBenchOptions, { min: number; max: number; multipleOf?: number }>> = {
  size: { min: 64, max: 1024, multipleOf: 8 },
  steps: { min: 1, max: 150 },
  runs: { min: 1, max: 10_000 },
  warmup: { min: 0, max: 1_000 },
};

export const API_BENCH_USAGE = 'usage: npm run bench:api -- [--size N] [--steps N] [--runs N] [--warmup N]   (defaults: --size 512 --steps 25 --runs 15 --warmup 3)';

/** Parses `--name N` or `--name=N` for size, steps, runs and warmup; anything else is a UsageError. */
export function parseApiBenchArgs(argv: readonly string[]): ApiBenchOptions {
  const options: Record<string, number> = { ...DEFAULT_API_BENCH_OPTIONS };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const match = /^--([a-z]+)(?:=(.*))?$/.exec(arg);
    const name = match?.[1];
    if (!match || name === undefined || !(name in RULES)) throw new UsageError(`unknown argument ${JSON.stringify(arg)}`);
    let raw = match[2];
    if (raw === undefined) {
      raw = argv[i + 1];
      i++;
    }
    if (raw === undefined) throw new UsageError(`--${name}: needs a value`);
    const rule = RULES[name as keyof ApiBenchOptions];
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < rule.min || value > rule.max) throw new UsageError(`--${name}: must be an integer from ${rule.min} to ${rule.max}, got ${JSON.stringify(raw)}`);
    if (rule.multipleOf !== undefined && value % rule.multipleOf !== 0) throw new UsageError(`--${name}: must be a multiple of ${rule.multipleOf}, got ${value}`);
    options[name] = value;
  }
  return options as unknown as ApiBenchOptions;
}

/** The command line that reproduces a run, every option spelled out. */
export function reproduceCommand(options: ApiBenchOptions): string {
  return `npm run bench:api -- --size ${options.size} --steps ${options.steps} --runs ${options.runs} --warmup ${options.warmup}`;
}

/** Percentile p (0..100) with linear interpolation between the closest ranks (numpy's default); NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (Math.min(100, Math.max(0, p)) / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.min(sorted.length - 1, low + 1);
  return (sorted[low] as number) + (rank - low) * ((sorted[high] as number) - (sorted[low] as number));
}

export interface Summary {
  readonly n: number;
  readonly median: number;
  readonly p10: number;
  readonly p90: number;
  readonly min: number;
  readonly max: number;
}

export function summarise(samples: readonly number[]): Summary {
  if (samples.length === 0) return { n: 0, median: NaN, p10: NaN, p90: NaN, min: NaN, max: NaN };
  return { n: samples.length, median: median(samples), p10: percentile(samples, 10), p90: percentile(samples, 90), min: Math.min(...samples), max: Math.max(...samples) };
}

/** median(transport) / median(engine), and whether it meets the target. */
export function ratioVerdict(transportMedian: number, engineMedian: number, target = API_RATIO_TARGET): { ratio: number; pass: boolean } {
  const ratio = transportMedian / engineMedian;
  return { ratio, pass: Number.isFinite(ratio) && ratio <= target };
}

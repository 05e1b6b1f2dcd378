/** `npm run bench:fanout`'s options: parsing, usage, and the command that reproduces a run. */
import { UsageError } from './api-benchmark-support';

export interface FanoutBenchOptions {
  /** Server-sent-event subscribers (GET /v1/generations/{id}/events). */
  readonly sse: number;
  /** graphql-ws subscribers (subscription generationEvents). */
  readonly ws: number;
  /** Of each kind, this share never reads its socket (a stalled mobile client). */
  readonly slowShare: number;
  /** The generation they all watch: many fast steps are the fan-out's worst case. */
  readonly size: number;
  readonly steps: number;
  readonly images: number;
  /** /health/live is asked every this many milliseconds during the run. */
  readonly probeEveryMs: number;
}

export const DEFAULT_FANOUT_OPTIONS: FanoutBenchOptions = { sse: 300, ws: 200, slowShare: 0.1, size: 512, steps: 150, images: 8, probeEveryMs: 50 };

export const FANOUT_BENCH_USAGE = `usage: npm run bench:fanout [-- options]
  --sse N          server-sent-event subscribers (default ${DEFAULT_FANOUT_OPTIONS.sse})
  --ws N           graphql-ws subscribers (default ${DEFAULT_FANOUT_OPTIONS.ws})
  --slow SHARE     share of each kind that never reads (0 to 1, default ${DEFAULT_FANOUT_OPTIONS.slowShare})
  --size PX        width and height of the watched generation (default ${DEFAULT_FANOUT_OPTIONS.size})
  --steps N        its steps (default ${DEFAULT_FANOUT_OPTIONS.steps})
  --images N       its numImages (default ${DEFAULT_FANOUT_OPTIONS.images})
  --probe-ms MS    /health/live period (default ${DEFAULT_FANOUT_OPTIONS.probeEveryMs})`;

const FLAGS: Readonly<Record<string, { key: keyof FanoutBenchOptions; min: number; max: number; integer: boolean }>> = {
  '--sse': { key: 'sse', min: 0, max: 5000, integer: true },
  '--ws': { key: 'ws', min: 0, max: 5000, integer: true },
  '--slow': { key: 'slowShare', min: 0, max: 1, integer: false },
  '--size': { key: 'size', min: 64, max: 1024, integer: true },
  '--steps': { key: 'steps', min: 1, max: 150, integer: true },
  '--images': { key: 'images', min: 1, max: 8, integer: true },
  '--probe-ms': { key: 'probeEveryMs', min: 5, max: 10_000, integer: true },
};

export function parseFanoutArgs(argv: readonly string[]): FanoutBenchOptions {
  const options: Record<string, number> = { ...DEFAULT_FANOUT_OPTIONS };
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i] as string;
    const spec = FLAGS[flag];
    if (!spec) throw new UsageError(`unknown option ${flag}`);
    const raw = argv[i + 1];
    const value = Number(raw);
    if (raw === undefined || raw === '' || !Number.isFinite(value) || value < spec.min || value > spec.max || (spec.integer && !Number.isInteger(value))) {
      throw new UsageError(`${flag} must be ${spec.integer ? 'an integer' : 'a number'} from ${spec.min} to ${spec.max}`);
    }
    options[spec.key] = value;
  }
  const parsed = options as unknown as FanoutBenchOptions;
  if (parsed.sse + parsed.ws === 0) throw new UsageError('--sse and --ws cannot both be 0');
  if (parsed.size % 8 !== 0) throw new UsageError('--size must be a multiple of 8');
  return parsed;
}

/** The command line that runs the same benchmark again (defaults left out). */
export function fanoutReproduceCommand(options: FanoutBenchOptions): string {
  const args = Object.entries(FLAGS)
    .filter(([, spec]) => options[spec.key] !== DEFAULT_FANOUT_OPTIONS[spec.key])
    .map(([flag, spec]) => `${flag} ${options[spec.key]}`);
  return `npm run bench:fanout${args.length > 0 ? ` -- ${args.join(' ')}` : ''}`;
}

/** How many of `count` subscribers never read. */
export function slowCount(count: number, share: number): number {
  return Math.round(count * share);
}

import {
  arrivalSchedule,
  DEFAULT_LOAD_BENCH_OPTIONS,
  FIXED_MARGIN_BYTES,
  keptAllowance,
  memoryBound,
  offeredAsAsked,
  parseLoadBenchArgs,
  QUICK_OVERRIDES,
  reproduceCommand,
  secondHalfGrowth,
  seededRandom,
  summariseMemory,
  UsageError,
  verdicts,
  type MemorySample,
} from './load-benchmark-support';

describe('bench:load helpers', () => {
  it('parses --name V and --name=V over the defaults', () => {
    expect(parseLoadBenchArgs([])).toEqual(DEFAULT_LOAD_BENCH_OPTIONS);
    expect(parseLoadBenchArgs(['--seconds', '5', '--factor=2.5', '--size', '256', '--steps', '4', '--scheduler', 'ddim', '--max-queued=16', '--arrivals', 'uniform'])).toEqual({
      ...DEFAULT_LOAD_BENCH_OPTIONS,
      seconds: 5,
      factor: 2.5,
      size: 256,
      steps: 4,
      scheduler: 'ddim',
      maxQueued: 16,
      arrivals: 'uniform',
    });
  });

  it('applies --quick first, so explicit options win wherever they stand', () => {
    expect(parseLoadBenchArgs(['--quick'])).toEqual({ ...DEFAULT_LOAD_BENCH_OPTIONS, ...QUICK_OVERRIDES });
    expect(parseLoadBenchArgs(['--seconds', '7', '--quick']).seconds).toBe(7);
  });

  it.each([
    [['--size', '100'], /--size: must be a multiple of 8/],
    [['--seconds', '0'], /--seconds: must be an integer from 1/],
    [['--factor', '-1'], /--factor: must be a number/],
    [['--steps', '2.5'], /--steps: must be an integer/],
    [['--scheduler', 'heun'], /--scheduler: must be one of .*euler-a/],
    [['--arrivals', 'burst'], /--arrivals: must be poisson or uniform/],
    [['--seconds'], /--seconds: needs a value/],
    [['--seconds', '--quick'], /--seconds: needs a value/],
    [['--runs', '3'], /unknown argument "--runs"/],
    [['20'], /unknown argument "20"/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseLoadBenchArgs(argv)).toThrow(UsageError);
    expect(() => parseLoadBenchArgs(argv)).toThrow(message);
  });

  it('spells out every option in the command that reproduces a run, and that command parses back to the same options', () => {
    const options = parseLoadBenchArgs(['--quick', '--factor', '3']);
    const command = reproduceCommand(options);
    expect(command).toMatch(/^npm run bench:load -- --seconds 10 --factor 3 --size 512 --steps 25 --scheduler euler-a /);
    expect(parseLoadBenchArgs(command.split(' ').slice(4))).toEqual(options);
  });

  it('draws the same Poisson schedule from the same seed, at about the asked rate, within the burst', () => {
    const a = arrivalSchedule(200, 10, 'poisson', seededRandom(7));
    const b = arrivalSchedule(200, 10, 'poisson', seededRandom(7));
    expect(a).toEqual(b);
    expect(a.length).toBeGreaterThan(1800);
    expect(a.length).toBeLessThan(2200);
    expect(a.every((t, i) => t >= 0 && t < 10_000 && (i === 0 || t >= (a[i - 1] as number)))).toBe(true);
    expect(arrivalSchedule(200, 10, 'poisson', seededRandom(8))).not.toEqual(a);
  });

  it('spaces uniform arrivals evenly and gives none for a zero rate', () => {
    expect(arrivalSchedule(4, 1, 'uniform', seededRandom(1))).toEqual([0, 250, 500, 750]);
    expect(arrivalSchedule(0, 10, 'poisson', seededRandom(1))).toEqual([]);
  });

  it('bounds memory by the settings, with nothing that grows with rejected requests', () => {
    const input = { maxQueued: 64, inFlightJobs: 8, size: 128, numImages: 1, storeBytes: 64 * 2 ** 20, acceptedJobs: 1000, clientInFlight: 1024 };
    const bound = memoryBound(input);
    expect(bound.totalBytes).toBe(bound.parts.reduce((n, p) => n + p.bytes, 0));
    const part = (name: string): number => bound.parts.find((p) => p.name === name)?.bytes ?? NaN;
    expect(part('running jobs')).toBe(8 * 4 * 3 * 128 * 128 * 4);
    expect(part('result store')).toBe(64 * 2 ** 20 + 4 * 3 * 128 * 128 * 4);
    expect(part('fixed margin')).toBe(FIXED_MARGIN_BYTES);
    expect(memoryBound({ ...input, maxQueued: 128 }).totalBytes).toBeGreaterThan(bound.totalBytes);
  });

  it('summarises memory by phase and sees whether the burst levelled off', () => {
    const mb = 2 ** 20;
    const sample = (t: number, phase: string, rss: number): MemorySample => ({ t, phase, rss: rss * mb, heapUsed: rss * mb / 2, external: 0, arrayBuffers: 0 });
    const samples = [sample(0, 'baseline', 100), sample(1, 'baseline', 102), sample(2, 'baseline', 101), ...[150, 160, 170, 171, 170, 171].map((r, i) => sample(3 + i, 'burst', r))];
    const baseline = summariseMemory(samples, ['baseline']);
    expect(baseline).toMatchObject({ n: 3, rssMedian: 101 * mb, rssMax: 102 * mb });
    expect(summariseMemory(samples, ['after']).n).toBe(0);
    expect(secondHalfGrowth(samples, 'burst')).toBe(1 * mb);
    expect(secondHalfGrowth(samples, 'baseline')).toBeNaN();
  });

  it('allows the encoded images and a little per job to stay after the burst', () => {
    expect(keptAllowance(0, 60_000)).toBe(8 * 2 ** 20);
    expect(keptAllowance(100, 60_000)).toBe(100 * (60_000 + 16 * 1024) + 8 * 2 ** 20);
  });

  it('tells whether the client offered the asked load', () => {
    expect(offeredAsAsked({ scheduled: 2000, sent: 2000, notSent: 0, durationMs: 10_050, seconds: 10 })).toBe(true);
    expect(offeredAsAsked({ scheduled: 2000, sent: 1900, notSent: 100, durationMs: 10_050, seconds: 10 })).toBe(false);
    expect(offeredAsAsked({ scheduled: 2000, sent: 2000, notSent: 0, durationMs: 21_000, seconds: 10 })).toBe(false);
  });

  it('judges the three targets', () => {
    const ok = { rejectionP99Ms: 12, rejected: 100, growthBytes: 10, boundBytes: 20, keptBytes: 5, keptAllowanceBytes: 5, accepted: 50, succeeded: 50 };
    expect(verdicts(ok)).toEqual({ fastRejections: true, memoryBounded: true, keptMatchesStore: true, allAcceptedCompleted: true });
    expect(verdicts({ ...ok, keptBytes: 6 }).keptMatchesStore).toBe(false);
    expect(verdicts({ ...ok, keptBytes: NaN }).keptMatchesStore).toBe(false);
    expect(verdicts({ ...ok, rejectionP99Ms: 51 }).fastRejections).toBe(false);
    expect(verdicts({ ...ok, rejected: 0, rejectionP99Ms: NaN }).fastRejections).toBe(false);
    expect(verdicts({ ...ok, growthBytes: 21 }).memoryBounded).toBe(false);
    expect(verdicts({ ...ok, succeeded: 49 }).allAcceptedCompleted).toBe(false);
  });
});

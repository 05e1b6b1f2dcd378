import { arrivalSchedule, DEFAULT_LOAD_BENCH_OPTIONS, parseLoadBenchArgs, QUICK_OVERRIDES, reproduceCommand, seededRandom, UsageError } from './load-benchmark-support';

describe('bench:load options and schedule', () => {
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
    [['--scheduler', 'dpm-fast'], /--scheduler: must be one of .*euler-a/],
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
});

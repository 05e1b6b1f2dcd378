import { DEFAULT_API_BENCH_OPTIONS, parseApiBenchArgs, percentile, ratioVerdict, reproduceCommand, summarise, UsageError } from './api-benchmark-support';

describe('bench:api helpers', () => {
  it('parses --name N and --name=N over the defaults', () => {
    expect(parseApiBenchArgs([])).toEqual(DEFAULT_API_BENCH_OPTIONS);
    expect(parseApiBenchArgs(['--size', '128', '--steps=10', '--runs', '5', '--warmup', '0'])).toEqual({ size: 128, steps: 10, runs: 5, warmup: 0 });
  });

  it.each([
    [['--size', '100'], /--size: must be a multiple of 8/],
    [['--size', '32'], /--size: must be an integer from 64 to 1024/],
    [['--runs', '0'], /--runs: must be an integer from 1/],
    [['--steps', '2.5'], /--steps: must be an integer/],
    [['--runs'], /--runs: needs a value/],
    [['--quick'], /unknown argument "--quick"/],
    [['256'], /unknown argument "256"/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseApiBenchArgs(argv)).toThrow(UsageError);
    expect(() => parseApiBenchArgs(argv)).toThrow(message);
  });

  it('spells out every option in the command that reproduces a run', () => {
    expect(reproduceCommand({ size: 256, steps: 20, runs: 15, warmup: 3 })).toBe('npm run bench:api -- --size 256 --steps 20 --runs 15 --warmup 3');
  });

  it('interpolates percentiles between the closest ranks, whatever the order', () => {
    const values = [50, 10, 40, 20, 30];
    expect(percentile(values, 0)).toBe(10);
    expect(percentile(values, 50)).toBe(30);
    expect(percentile(values, 100)).toBe(50);
    expect(percentile(values, 10)).toBeCloseTo(14);
    expect(percentile(values, 90)).toBeCloseTo(46);
    expect(percentile([7], 90)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  it('summarises samples and judges the ratio against 1.05', () => {
    expect(summarise([4, 1, 3, 2])).toEqual({ n: 4, median: 2.5, p10: 1.3, p90: expect.closeTo(3.7, 10), min: 1, max: 4 });
    expect(summarise([]).median).toBeNaN();
    expect(ratioVerdict(105, 100)).toEqual({ ratio: 1.05, pass: true });
    expect(ratioVerdict(106, 100).pass).toBe(false);
    expect(ratioVerdict(1, 0).pass).toBe(false);
  });
});

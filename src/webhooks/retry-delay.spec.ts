import { retryDelayMs } from './retry-delay';

describe('webhook retry delays', () => {
  const schedule = { retryBaseMs: 1000, retryMaxMs: 60_000 };

  it('doubles each attempt, between half and all of the step', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, schedule, () => 0))).toEqual([500, 1000, 2000, 4000]);
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, schedule, () => 0.999999))).toEqual([1000, 2000, 4000, 8000]);
  });

  it('never waits longer than the maximum', () => {
    expect(retryDelayMs(40, schedule, () => 0.999999)).toBe(60_000);
    expect(retryDelayMs(40, schedule, () => 0)).toBe(30_000);
  });

  it('spreads retries of the same attempt', () => {
    const delays = new Set(Array.from({ length: 50 }, () => retryDelayMs(3, schedule)));
    expect(delays.size).toBeGreaterThan(10);
  });
});

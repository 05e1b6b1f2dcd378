import { LoopDelaySampler } from './loop-delay';

describe('LoopDelaySampler', () => {
  it('counts a long stall as the samples it hid, so it shows in the p99', () => {
    const sampler = new LoopDelaySampler(10);
    for (let i = 0; i < 990; i++) sampler.record(1);
    // One stall of 1 s among 990 quick samples: alone it would be under the 99th percentile.
    sampler.record(1000);
    expect(sampler.percentile(50)).toBe(1);
    expect(sampler.percentile(99)).toBeGreaterThan(500);
  });

  it('adds nothing for delays shorter than the interval', () => {
    const sampler = new LoopDelaySampler(10);
    for (const delay of [0, 3, 9]) sampler.record(delay);
    expect(sampler.percentile(100)).toBe(9);
    expect(sampler.percentile(34)).toBe(3);
  });
});

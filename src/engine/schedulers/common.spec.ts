import {
  SchedulerUsageError,
  TimestepCursor,
  alphasCumprod,
  interpOnIndexGrid,
  karrasSigmas,
  logSigmasOf,
  numpyLinspace,
  roundHalfEven,
  sigmaToT,
  spacedTimesteps,
  torchLinspaceF32,
  trainingSigmas,
} from './common';
import type { BetaScheduleConfig } from './common';

/** Stable Diffusion 1.4's beta schedule. */
const SD: BetaScheduleConfig = {
  numTrainTimesteps: 1000,
  betaStart: 0.00085,
  betaEnd: 0.012,
  betaSchedule: 'scaled_linear',
  trainedBetas: null,
  rescaleBetasZeroSnr: false,
};

describe('grids', () => {
  it('numpyLinspace hits both ends and spaces evenly', () => {
    expect(Array.from(numpyLinspace(0, 999, 4))).toEqual([0, 333, 666, 999]);
    expect(Array.from(numpyLinspace(5, 7, 1))).toEqual([5]);
  });

  it('torchLinspaceF32 gives float32 values with exact ends', () => {
    const v = torchLinspaceF32(0.1, 0.2, 5);
    expect(v[0]).toBe(Math.fround(0.1));
    expect(v[4]).toBe(Math.fround(0.2));
    for (const x of v) expect(Math.fround(x)).toBe(x);
  });

  it('roundHalfEven rounds halves like numpy', () => {
    expect([0.5, 1.5, 2.5, 499.5, 449.55, -0.5, -1.5, 3.2].map(roundHalfEven)).toEqual([0, 2, 2, 500, 450, 0, -2, 3]);
  });

  it('interpOnIndexGrid is numpy.interp on 0..n-1, clamped at the ends', () => {
    const fp = [10, 20, 40];
    expect([-1, 0, 0.25, 1, 1.5, 2, 3].map((x) => interpOnIndexGrid(x, fp))).toEqual([10, 10, 12.5, 20, 30, 40, 40]);
  });
});

describe('alphas_cumprod (SD 1.4 published values)', () => {
  const acp = alphasCumprod(SD);

  it('alpha_cumprod[0] = 1 - beta_start = 0.99915 (DDIM final alpha with set_alpha_to_one false)', () => {
    expect(acp[0]).toBeCloseTo(0.99915, 7);
  });

  it('alpha_cumprod[999] = 0.0046601', () => {
    expect(Math.abs(acp[999] - 0.0046601)).toBeLessThan(5e-8);
  });

  it('the largest training sigma is 14.614653 (torch float32 cumprod)', () => {
    expect(trainingSigmas(acp)[999]).toBeCloseTo(14.614653, 5);
  });

  it('rejects nothing silently: trained_betas are used as given', () => {
    const trained = alphasCumprod({ ...SD, numTrainTimesteps: 3, trainedBetas: [0.5, 0.5, 0.5] });
    expect(Array.from(trained)).toEqual([0.5, 0.25, 0.125]);
  });

  it('rescale_betas_zero_snr drives the last alpha_cumprod to 0 and keeps the first', () => {
    const rescaled = alphasCumprod({ ...SD, rescaleBetasZeroSnr: true });
    expect(rescaled[999]).toBe(0);
    expect(rescaled[0]).toBeCloseTo(acp[0], 6);
  });
});

describe('spacedTimesteps', () => {
  it('leading: arange(n) * (N // n) + steps_offset, descending', () => {
    expect(spacedTimesteps('leading', 1000, 10, 1, true)).toEqual([901, 801, 701, 601, 501, 401, 301, 201, 101, 1]);
    const fifty = spacedTimesteps('leading', 1000, 50, 1, true);
    expect(fifty.slice(0, 3)).toEqual([981, 961, 941]);
    expect(fifty.slice(-2)).toEqual([21, 1]);
  });

  it('linspace: rounded for integer schedulers, float32 for the sigma ones', () => {
    expect(spacedTimesteps('linspace', 1000, 10, 0, true)).toEqual([999, 888, 777, 666, 555, 444, 333, 222, 111, 0]);
    const floats = spacedTimesteps('linspace', 1000, 50, 0, false);
    expect(floats[0]).toBe(999);
    expect(floats[1]).toBeCloseTo(978.6122, 4);
    expect(floats[2]).toBeCloseTo(958.2245, 4);
    expect(floats[48]).toBeCloseTo(20.3878, 4);
    expect(floats[49]).toBe(0);
  });

  it('trailing: round(arange(N, 0, -N / n)) - 1', () => {
    expect(spacedTimesteps('trailing', 1000, 10, 0, true)).toEqual([999, 899, 799, 699, 599, 499, 399, 299, 199, 99]);
    expect(spacedTimesteps('trailing', 1000, 3, 0, true)).toEqual([999, 666, 332]);
  });

  it("trailing with numpy's one-too-many arange (61 steps) returns the 61 intended steps", () => {
    const steps = spacedTimesteps('trailing', 1000, 61, 0, true);
    expect(steps).toHaveLength(61);
    expect(steps[0]).toBe(999);
    expect(Math.min(...steps)).toBeGreaterThanOrEqual(0);
  });
});

describe('Karras sigmas and sigma_to_t', () => {
  const train = trainingSigmas(alphasCumprod(SD));
  const logSigmas = logSigmasOf(train);

  it('karras spans sigma_max to sigma_min', () => {
    const s = karrasSigmas(0.1, 10, 5);
    expect(s[0]).toBeCloseTo(10, 12);
    expect(s[4]).toBeCloseTo(0.1, 12);
    for (let i = 1; i < 5; i++) expect(s[i]).toBeLessThan(s[i - 1]);
  });

  it('sigma_to_t inverts the training sigmas at integer timesteps', () => {
    for (const t of [0, 1, 250, 500, 998, 999]) expect(sigmaToT(train[t], logSigmas)).toBeCloseTo(t, 3);
  });

  it('sigma_to_t interpolates log-sigma between neighbours and clamps outside the table', () => {
    const mid = Math.exp((logSigmas[100] + logSigmas[101]) / 2);
    expect(sigmaToT(mid, logSigmas)).toBeCloseTo(100.5, 6);
    expect(sigmaToT(1e-6, logSigmas)).toBe(0);
    expect(sigmaToT(1e6, logSigmas)).toBe(999);
  });
});

describe('TimestepCursor', () => {
  it('locates the first timestep anywhere in the schedule, then insists on the order', () => {
    const cursor = new TimestepCursor('test', 'first');
    cursor.reset([30, 20, 10]);
    expect(cursor.locate(20)).toBe(1);
    expect(cursor.locate(20)).toBe(1);
    cursor.advance();
    expect(() => cursor.locate(30)).toThrow(/expected timestep 10 \(step 3 of 3\), got 30/);
    expect(cursor.locate(10)).toBe(2);
    cursor.advance();
    expect(() => cursor.locate(10)).toThrow(/all 3 steps of the schedule are done/);
  });

  it('picks the second of two equal timesteps when asked (k-diffusion schedulers)', () => {
    const cursor = new TimestepCursor('test', 'second');
    cursor.reset([5, 5, 3]);
    expect(cursor.locate(5)).toBe(1);
  });

  it('names unknown timesteps and missing schedules', () => {
    const cursor = new TimestepCursor('test', 'first');
    expect(() => cursor.locate(1)).toThrow(SchedulerUsageError);
    expect(() => cursor.locate(1)).toThrow(/call setTimesteps\(\) before stepping/);
    cursor.reset([3, 2, 1]);
    expect(() => cursor.locate(7)).toThrow(/timestep 7 is not in the schedule \(3 steps: 3, 2, 1\)/);
  });
});

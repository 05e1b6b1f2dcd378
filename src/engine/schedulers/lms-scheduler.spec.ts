import { LmsDiscreteScheduler, lmsCoefficient } from './lms-scheduler';
import { readLmsConfig } from './scheduler-config';
import { SD14_SCHEDULER_CONFIG } from './sd14-scheduler-config';

const SD14 = SD14_SCHEDULER_CONFIG;

function lms(overrides: object = {}): LmsDiscreteScheduler {
  return new LmsDiscreteScheduler(readLmsConfig({ ...SD14, ...overrides }));
}

describe('LMS coefficients', () => {
  const sigmas = [10, 7, 4.5, 2.5, 1, 0];

  it('order 1 is the Euler step: sigma_next - sigma', () => {
    expect(lmsCoefficient(sigmas, 1, 0, 0)).toBeCloseTo(-3, 12);
  });

  it('order 2 by hand: integral of linear Lagrange bases over [sigma_1, sigma_2]', () => {
    // nodes 7 (current) and 10 (previous); integrate from 7 to 4.5
    const c0 = ((4.5 - 10) ** 2 - (7 - 10) ** 2) / (2 * (7 - 10));
    const c1 = ((4.5 - 7) ** 2 - 0) / (2 * (10 - 7));
    expect(lmsCoefficient(sigmas, 2, 1, 0)).toBeCloseTo(c0, 12);
    expect(lmsCoefficient(sigmas, 2, 1, 1)).toBeCloseTo(c1, 12);
  });

  it('the coefficients of each order sum to sigma_next - sigma (the bases sum to 1)', () => {
    for (const [order, t] of [
      [3, 2],
      [4, 3],
      [4, 4],
    ]) {
      let sum = 0;
      for (let c = 0; c < order; c++) sum += lmsCoefficient(sigmas, order, t, c);
      expect(sum).toBeCloseTo(sigmas[t + 1] - sigmas[t], 12);
    }
  });
});

describe('LMS scheduler', () => {
  it('shares Euler\'s schedule and init noise sigma', () => {
    const s = lms();
    s.setTimesteps(20);
    expect(s.sigmas[0]).toBeCloseTo(14.614653, 5);
    expect(s.sigmas[1]).toBeCloseTo(10.746855, 5);
    expect(s.initNoiseSigma).toBeCloseTo(14.614653, 5);
  });

  it('with a constant true noise (x = x0 + sigma eps) it is exact and ends at x0', () => {
    const x0 = Float32Array.from([0.5, -1, 0.25, 2]);
    const eps = Float32Array.from([1, 0.3, -0.7, -1.2]);
    const s = lms();
    s.setTimesteps(12);
    let x: Float32Array = x0.map((v, i) => v + s.sigmas[0] * eps[i]);
    s.timesteps.forEach((t, k) => {
      x = s.step(eps, t, x);
      x.forEach((v, i) => expect(v).toBeCloseTo(x0[i] + s.sigmas[k + 1] * eps[i], 4));
    });
  });

  it('v_prediction with the matching v ends at x0 too', () => {
    const x0 = Float32Array.from([0.5, -1]);
    const eps = Float32Array.from([0.2, 0.9]);
    const s = lms({ prediction_type: 'v_prediction' });
    s.setTimesteps(10);
    let x: Float32Array = x0.map((v, i) => v + s.sigmas[0] * eps[i]);
    s.timesteps.forEach((t, k) => {
      const sigma = s.sigmas[k];
      x = s.step(
        eps.map((e, i) => (e - sigma * x0[i]) / Math.sqrt(sigma * sigma + 1)),
        t,
        x,
      );
    });
    x.forEach((v, i) => expect(v).toBeCloseTo(x0[i], 4));
  });

  it('rejects a sample whose size changes between steps', () => {
    const s = lms();
    s.setTimesteps(5);
    s.step(new Float32Array(4), s.timesteps[0], new Float32Array(4));
    expect(() => s.step(new Float32Array(8), s.timesteps[1], new Float32Array(8))).toThrow(
      /sample has 8 values but earlier steps had 4/,
    );
  });
});

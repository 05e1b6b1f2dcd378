import type { NoiseSource } from '../noise/noise-source';
import { EulerDiscreteScheduler } from './euler-scheduler';
import type { EulerOptions } from './euler-scheduler';
import { readEulerConfig } from './scheduler-config';
import { SD14_SCHEDULER_CONFIG } from './sd14-scheduler-config';

const SD14 = SD14_SCHEDULER_CONFIG;

function euler(overrides: object = {}, options: EulerOptions = {}): EulerDiscreteScheduler {
  return new EulerDiscreteScheduler(readEulerConfig({ ...SD14, ...overrides }), options);
}

class CountingNoise implements NoiseSource {
  readonly draws: number[] = [];
  randn(count: number): Float32Array {
    this.draws.push(count);
    return new Float32Array(count).fill(0.5);
  }
}

describe('Euler schedule (published SD 1.4 values)', () => {
  it('50 steps: float timesteps linspace(0, 999, 50) reversed', () => {
    const s = euler();
    s.setTimesteps(50);
    const t = s.timesteps;
    expect(t).toHaveLength(50);
    expect(t[0]).toBe(999);
    expect(t[1]).toBeCloseTo(978.6122, 4);
    expect(t[2]).toBeCloseTo(958.2245, 4);
    expect(t[48]).toBeCloseTo(20.3878, 4);
    expect(t[49]).toBe(0);
    // float32 values, as diffusers returns them
    expect(t[1]).toBe(Math.fround(978.6122448979592));
  });

  it('20 steps: sigmas 14.614653, 10.746855, 8.081539, 6.204953, 4.855667, ..., then 0', () => {
    const s = euler();
    s.setTimesteps(20);
    const sigmas = s.sigmas;
    expect(sigmas).toHaveLength(21);
    [14.614653, 10.746855, 8.081539, 6.204953, 4.855667].forEach((v, i) => expect(sigmas[i]).toBeCloseTo(v, 5));
    expect(sigmas[20]).toBe(0);
  });

  it('init_noise_sigma: max sigma for linspace and trailing, sqrt(max^2 + 1) for leading', () => {
    const linspace = euler();
    linspace.setTimesteps(20);
    expect(linspace.initNoiseSigma).toBeCloseTo(14.614653, 5);
    const trailing = euler({ timestep_spacing: 'trailing' });
    trailing.setTimesteps(20);
    expect(trailing.initNoiseSigma).toBeCloseTo(14.614653, 5);
    const leading = euler({ timestep_spacing: 'leading' });
    leading.setTimesteps(20);
    expect(leading.timesteps[0]).toBe(951);
    const max = leading.sigmas[0];
    expect(leading.initNoiseSigma).toBeCloseTo(Math.sqrt(max * max + 1), 5);
  });

  it('scaleModelInput divides by sqrt(sigma^2 + 1) and allocates a new array', () => {
    const s = euler();
    s.setTimesteps(20);
    const x = Float32Array.from([1, -2, 3]);
    const scaled = s.scaleModelInput(x, s.timesteps[0]);
    expect(scaled).not.toBe(x);
    const d = Math.sqrt(14.614653 ** 2 + 1);
    scaled.forEach((v, i) => expect(v).toBeCloseTo(x[i] / d, 5));
  });

  it('final_sigmas_type sigma_min ends on the smallest training sigma', () => {
    const s = euler({ final_sigmas_type: 'sigma_min' });
    s.setTimesteps(5);
    expect(s.sigmas[5]).toBeCloseTo(Math.sqrt(0.00085 / 0.99915), 6);
  });
});

describe('Euler closed form', () => {
  const x0 = Float32Array.from([0.5, -1, 0.25, 2]);
  const eps = Float32Array.from([1, 0.3, -0.7, -1.2]);

  it('epsilon: with the true noise each step moves to x0 + sigma_next * eps and ends at x0', () => {
    const s = euler();
    s.setTimesteps(15);
    const sigmas = s.sigmas;
    let x: Float32Array = x0.map((v, i) => v + sigmas[0] * eps[i]);
    s.timesteps.forEach((t, k) => {
      x = s.step(eps, t, x);
      x.forEach((v, i) => expect(v).toBeCloseTo(x0[i] + sigmas[k + 1] * eps[i], 4));
    });
  });

  it('v_prediction: v = (eps - sigma x0) / sqrt(sigma^2 + 1) also ends at x0', () => {
    const s = euler({ prediction_type: 'v_prediction' });
    s.setTimesteps(15);
    const sigmas = s.sigmas;
    let x: Float32Array = x0.map((v, i) => v + sigmas[0] * eps[i]);
    s.timesteps.forEach((t, k) => {
      const sigma = sigmas[k];
      const v = eps.map((e, i) => (e - sigma * x0[i]) / Math.sqrt(sigma * sigma + 1));
      x = s.step(v, t, x);
    });
    x.forEach((v, i) => expect(v).toBeCloseTo(x0[i], 4));
  });

  it('sample prediction: returning x0 ends at x0', () => {
    const s = euler({ prediction_type: 'sample' });
    s.setTimesteps(5);
    let x: Float32Array = x0.map((v, i) => v + s.sigmas[0] * eps[i]);
    for (const t of s.timesteps) x = s.step(x0, t, x);
    x.forEach((v, i) => expect(v).toBeCloseTo(x0[i], 5));
  });
});

describe('Euler noise', () => {
  it('draws nothing without churn', () => {
    const s = euler();
    s.setTimesteps(5);
    const noise = new CountingNoise();
    let x: Float32Array = new Float32Array(6);
    for (const t of s.timesteps) x = s.step(new Float32Array(6), t, x, noise);
    expect(noise.draws).toEqual([]);
  });

  it('with s_churn draws sample-sized noise where sigma is in [s_tmin, s_tmax]', () => {
    const s = euler({}, { sChurn: 1, sTmin: 1 });
    s.setTimesteps(5);
    const noise = new CountingNoise();
    let x: Float32Array = new Float32Array(6);
    for (const t of s.timesteps) x = s.step(new Float32Array(6), t, x, noise);
    const churned = s.sigmas.slice(0, 5).filter((sigma) => sigma >= 1).length;
    expect(noise.draws).toEqual(new Array(churned).fill(6));
    expect(churned).toBeGreaterThan(0);
    expect(churned).toBeLessThan(5);
  });

  it('rejects bad churn options', () => {
    expect(() => euler({}, { sChurn: -1 })).toThrow(/sChurn must be a number >= 0/);
    expect(() => euler({}, { sNoise: Number.NaN })).toThrow(/sNoise/);
  });
});

import type { NoiseSource } from '../noise/noise-source';
import { DpmSolverMultistepScheduler } from './dpm-solver-multistep-scheduler';
import { readDpmSolverConfig } from './scheduler-config';
import { SD14_SCHEDULER_CONFIG } from './sd14-scheduler-config';

const SD14 = SD14_SCHEDULER_CONFIG;

function dpm(overrides: object = {}): DpmSolverMultistepScheduler {
  return new DpmSolverMultistepScheduler(readDpmSolverConfig({ ...SD14, ...overrides }));
}

class CountingNoise implements NoiseSource {
  readonly draws: number[] = [];
  randn(count: number): Float32Array {
    this.draws.push(count);
    return new Float32Array(count).fill(0.25);
  }
}

describe('DPM-Solver++ schedule (published SD 1.4 values)', () => {
  it('20 steps: 999, 949, ..., 549, 500, 450, ..., 50', () => {
    const s = dpm();
    s.setTimesteps(20);
    expect(s.timesteps).toEqual([
      999, 949, 899, 849, 799, 749, 699, 649, 599, 549, 500, 450, 400, 350, 300, 250, 200, 150, 100, 50,
    ]);
    expect(s.sigmas).toHaveLength(21);
    expect(s.sigmas[0]).toBeCloseTo(14.614653, 5);
    expect(s.sigmas[20]).toBe(0);
  });

  it('does not scale the model input; init noise sigma is 1', () => {
    const s = dpm();
    s.setTimesteps(5);
    const x = new Float32Array(3);
    expect(s.scaleModelInput(x, 999)).toBe(x);
    expect(s.initNoiseSigma).toBe(1);
  });
});

describe('DPM-Solver closed form', () => {
  const x0 = Float32Array.from([0.5, -1, 0.25, 2]);
  const eps = Float32Array.from([1, 0.3, -0.7, -1.2]);

  /** alpha_t = 1 / sqrt(sigma^2 + 1), sigma_t = sigma alpha_t: x_t = alpha_t x0 + sigma_t eps. */
  function onPath(sigma: number): Float32Array {
    const alpha = 1 / Math.sqrt(sigma * sigma + 1);
    return x0.map((v, i) => alpha * v + sigma * alpha * eps[i]);
  }

  type Output = (sigma: number) => Float32Array;
  const outputs: [string, object, Output][] = [
    ['epsilon', {}, () => eps],
    ['v_prediction', { prediction_type: 'v_prediction' }, (sigma) => {
      const alpha = 1 / Math.sqrt(sigma * sigma + 1);
      return eps.map((e, i) => alpha * e - sigma * alpha * x0[i]);
    }],
    ['sample', { prediction_type: 'sample' }, () => x0],
    ['order 3', { solver_order: 3 }, () => eps],
    ['heun', { solver_type: 'heun' }, () => eps],
  ];

  it.each(outputs)('%s: a perfect model keeps the sample on the noising path and ends at x0', (_label, config, output) => {
    const s = dpm(config);
    s.setTimesteps(20);
    let x: Float32Array = onPath(s.sigmas[0]);
    s.timesteps.forEach((t, k) => {
      x = s.step(output(s.sigmas[k]), t, x);
      const expected = onPath(s.sigmas[k + 1]);
      x.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 4));
    });
    x.forEach((v, i) => expect(v).toBeCloseTo(x0[i], 4));
  });
});

describe('DPM-Solver noise', () => {
  it('dpmsolver++ draws nothing', () => {
    const s = dpm();
    s.setTimesteps(5);
    const noise = new CountingNoise();
    let x: Float32Array = new Float32Array(3);
    for (const t of s.timesteps) x = s.step(new Float32Array(3), t, x, noise);
    expect(noise.draws).toEqual([]);
  });

  it('sde-dpmsolver++ draws sample-sized noise every step', () => {
    const s = dpm({ algorithm_type: 'sde-dpmsolver++' });
    s.setTimesteps(5);
    const noise = new CountingNoise();
    let x: Float32Array = new Float32Array(3);
    for (const t of s.timesteps) x = s.step(new Float32Array(3), t, x, noise);
    expect(noise.draws).toEqual([3, 3, 3, 3, 3]);
  });
});

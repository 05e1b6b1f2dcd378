import type { NoiseSource } from '../noise/noise-source';
import { alphasCumprod } from './common';
import { DdimScheduler } from './ddim-scheduler';
import type { DdimOptions } from './ddim-scheduler';
import { readDdimConfig } from './scheduler-config';
import { SD14_SCHEDULER_CONFIG } from './sd14-scheduler-config';

const SD14 = SD14_SCHEDULER_CONFIG;

function ddim(overrides: object = {}, options: DdimOptions = {}): DdimScheduler {
  return new DdimScheduler(readDdimConfig({ ...SD14, ...overrides }), options);
}

/** Test stub: returns `value` for every draw and records the draw sizes. */
class ConstantNoise implements NoiseSource {
  readonly draws: number[] = [];
  constructor(private readonly value: number) {}
  randn(count: number): Float32Array {
    this.draws.push(count);
    return new Float32Array(count).fill(this.value);
  }
}

describe('DDIM schedule (published SD 1.4 values)', () => {
  it('50 steps: 981, 961, ..., 21, 1', () => {
    const s = ddim();
    s.setTimesteps(50);
    expect(s.timesteps).toEqual(Array.from({ length: 50 }, (_, i) => 981 - 20 * i));
  });

  it('final alpha_cumprod with set_alpha_to_one false is 0.99915; 1 with true', () => {
    expect(ddim().finalAlpha).toBeCloseTo(0.99915, 7);
    expect(ddim({ set_alpha_to_one: true }).finalAlpha).toBe(1);
  });

  it('"trailing" and "linspace" spacings', () => {
    const trailing = ddim({ timestep_spacing: 'trailing' });
    trailing.setTimesteps(4);
    expect(trailing.timesteps).toEqual([999, 749, 499, 249]);
    const linspace = ddim({ timestep_spacing: 'linspace' });
    linspace.setTimesteps(4);
    expect(linspace.timesteps).toEqual([999, 666, 333, 0]);
  });

  it('steps_offset pushing a timestep past the table is a clear error', () => {
    expect(() => ddim({ steps_offset: 5 }).setTimesteps(1000)).toThrow(/timestep 1004, outside 0..999/);
  });
});

describe('DDIM closed form', () => {
  const x0 = Float32Array.from([0.5, -1, 0.25, 2, 0, -0.3]);
  const eps = Float32Array.from([1, 0.3, -0.7, -1.2, 0.5, 2]);

  function noisy(acp: number): Float32Array {
    return x0.map((v, i) => Math.sqrt(acp) * v + Math.sqrt(1 - acp) * eps[i]);
  }

  type Prediction = 'epsilon' | 'v_prediction' | 'sample';

  /** What a perfect model predicts for x_t at alpha_cumprod `acp`. */
  function perfectOutput(prediction: Prediction, acp: number): Float32Array {
    if (prediction === 'epsilon') return eps;
    if (prediction === 'sample') return x0;
    return eps.map((e, i) => Math.sqrt(acp) * e - Math.sqrt(1 - acp) * x0[i]);
  }

  it.each(['epsilon', 'v_prediction', 'sample'] as Prediction[])(
    '%s: eta 0 with the true prediction stays on the noising path and ends at x0',
    (prediction) => {
      const s = ddim({ set_alpha_to_one: true, prediction_type: prediction });
      const acp = alphasCumprod(s.config);
      s.setTimesteps(10);
      let x = noisy(acp[s.timesteps[0]]);
      s.timesteps.forEach((t, k) => {
        x = s.step(perfectOutput(prediction, acp[t]), t, x);
        const next = s.timesteps[k + 1];
        if (next !== undefined) {
          const expected = noisy(acp[next]);
          x.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
        }
      });
      x.forEach((v, i) => expect(v).toBeCloseTo(x0[i], 5));
    },
  );

  it('clip_sample clamps the predicted x0', () => {
    const s = ddim({ set_alpha_to_one: true, clip_sample: true, clip_sample_range: 0.4 });
    s.setTimesteps(1);
    const t = s.timesteps[0];
    const acp = alphasCumprod(s.config)[t];
    // One step from t straight to alpha 1 returns the (clipped) x0 prediction.
    const x = s.step(eps, t, noisy(acp));
    x.forEach((v, i) => expect(v).toBeCloseTo(Math.min(0.4, Math.max(-0.4, x0[i])), 5));
  });
});

describe('DDIM with eta > 0', () => {
  it('draws sample-sized noise every step and adds eta * sigma_t * noise', () => {
    const eta = 0.5;
    const s = ddim({}, { eta });
    s.setTimesteps(10);
    const acp = alphasCumprod(s.config);
    const noise = new ConstantNoise(1);
    const sample = Float32Array.from([0.2, -0.4, 0.6]);
    const output = Float32Array.from([0.1, 0.5, -0.3]);
    const x = s.step(output, 901, sample, noise);
    expect(noise.draws).toEqual([3]);
    const [a, b] = [acp[901], acp[801]];
    const variance = ((1 - b) / (1 - a)) * (1 - a / b);
    const std = eta * Math.sqrt(variance);
    sample.forEach((v, i) => {
      const predX0 = (v - Math.sqrt(1 - a) * output[i]) / Math.sqrt(a);
      const expected = Math.sqrt(b) * predX0 + Math.sqrt(1 - b - std * std) * output[i] + std * 1;
      expect(x[i]).toBeCloseTo(expected, 5);
    });
  });

  it('needs a NoiseSource; eta 0 draws nothing', () => {
    const stochastic = ddim({}, { eta: 1 });
    stochastic.setTimesteps(10);
    expect(() => stochastic.step(new Float32Array(2), 901, new Float32Array(2))).toThrow(/needs a NoiseSource/);
    const plain = ddim();
    plain.setTimesteps(10);
    const noise = new ConstantNoise(1);
    plain.step(new Float32Array(2), 901, new Float32Array(2), noise);
    expect(noise.draws).toEqual([]);
  });

  it('eta must be in [0, 1]', () => {
    expect(() => ddim({}, { eta: -0.1 })).toThrow(/eta must be a number from 0 to 1/);
    expect(() => ddim({}, { eta: 1.5 })).toThrow(/eta/);
    expect(() => ddim({}, { eta: Number.NaN })).toThrow(/eta/);
  });
});

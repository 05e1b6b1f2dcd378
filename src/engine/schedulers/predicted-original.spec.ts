import type { NoiseSource } from '../noise/noise-source';
import { alphasCumprod } from './common';
import { createScheduler } from './create-scheduler';
import { EulerDiscreteScheduler } from './euler-scheduler';
import { SCHEDULER_NAMES, type Scheduler, type SchedulerName } from './scheduler';
import { readDdimConfig, readEulerConfig } from './scheduler-config';
import { SD14_SCHEDULER_CONFIG } from './sd14-scheduler-config';

const SD14 = SD14_SCHEDULER_CONFIG;
const N = 16;
const acp = alphasCumprod(readDdimConfig(SD14));

/** Deterministic, non-trivial latents and model outputs. */
function fixed(seed: number): Float32Array {
  return Float32Array.from({ length: N }, (_, i) => Math.sin(seed * 12.9898 + i * 78.233) * 1.5);
}

class ConstantNoise implements NoiseSource {
  randn(count: number): Float32Array {
    return new Float32Array(count).fill(0.25);
  }
}

function closeTo(actual: Float32Array, expected: ArrayLike<number>, digits = 4): void {
  expect(actual).toHaveLength(expected.length);
  for (let i = 0; i < expected.length; i++) expect(actual[i]).toBeCloseTo(expected[i] as number, digits);
}

/** sigma of the scheduler's first timestep, in the k-diffusion sense. */
function sigmaOf(s: Scheduler): number {
  return (s as unknown as { sigmas: readonly number[] }).sigmas[0] as number;
}

describe('Scheduler.predictedOriginalSample (diffusers pred_original_sample)', () => {
  const sample = fixed(1);
  const output = fixed(2);

  it.each(SCHEDULER_NAMES)('%s: null before the first step and again after setTimesteps', (name: SchedulerName) => {
    const s = createScheduler(name, SD14);
    s.setTimesteps(10);
    expect(s.predictedOriginalSample()).toBeNull();
    s.step(output, s.timesteps[0] as number, sample, new ConstantNoise());
    expect(s.predictedOriginalSample()).not.toBeNull();
    s.setTimesteps(10);
    expect(s.predictedOriginalSample()).toBeNull();
  });

  it.each(['euler', 'euler-a', 'lms'] as const)('%s (sigma-based, epsilon): x0 = x - sigma * eps', (name) => {
    const s = createScheduler(name, SD14);
    s.setTimesteps(10);
    const sigma = sigmaOf(s);
    s.step(output, s.timesteps[0] as number, sample, new ConstantNoise());
    closeTo(s.predictedOriginalSample() as Float32Array, Array.from(sample, (x, i) => x - sigma * (output[i] as number)));
  });

  it.each(['ddim', 'pndm', 'dpm++2m'] as const)('%s (alpha-based, epsilon): x0 = (x - sqrt(1 - a_t) eps) / sqrt(a_t)', (name) => {
    const s = createScheduler(name, SD14);
    s.setTimesteps(10);
    const t = s.timesteps[0] as number;
    const a = acp[t] as number;
    s.step(output, t, sample, new ConstantNoise());
    closeTo(s.predictedOriginalSample() as Float32Array, Array.from(sample, (x, i) => (x - Math.sqrt(1 - a) * (output[i] as number)) / Math.sqrt(a)), 3);
  });

  it('ddim v_prediction: x0 = sqrt(a) x - sqrt(1 - a) v; sample prediction: x0 = output; clip_sample clips it', () => {
    const v = createScheduler('ddim', { ...SD14, prediction_type: 'v_prediction' });
    v.setTimesteps(10);
    const t = v.timesteps[0] as number;
    const a = acp[t] as number;
    v.step(output, t, sample);
    closeTo(v.predictedOriginalSample() as Float32Array, Array.from(sample, (x, i) => Math.sqrt(a) * x - Math.sqrt(1 - a) * (output[i] as number)));

    const direct = createScheduler('ddim', { ...SD14, prediction_type: 'sample', clip_sample: true, clip_sample_range: 1 });
    direct.setTimesteps(10);
    direct.step(output, t, sample);
    closeTo(direct.predictedOriginalSample() as Float32Array, Array.from(output, (o) => Math.max(-1, Math.min(1, o))));
  });

  it('euler v_prediction: x0 = x / (sigma² + 1) - sigma / sqrt(sigma² + 1) v', () => {
    const s = createScheduler('euler', { ...SD14, prediction_type: 'v_prediction' });
    s.setTimesteps(10);
    const sigma = sigmaOf(s);
    s.step(output, s.timesteps[0] as number, sample);
    const k = sigma * sigma + 1;
    closeTo(s.predictedOriginalSample() as Float32Array, Array.from(sample, (x, i) => x / k - (sigma / Math.sqrt(k)) * (output[i] as number)));
  });

  it('euler: the x0 is the one the step moved along: prev = x + (x - x0) / sigma * (sigma_next - sigma)', () => {
    const s = new EulerDiscreteScheduler(readEulerConfig(SD14));
    s.setTimesteps(10);
    const [sigma, next] = s.sigmas as [number, number];
    const prev = s.step(output, s.timesteps[0] as number, sample);
    const x0 = s.predictedOriginalSample() as Float32Array;
    closeTo(prev, Array.from(sample, (x, i) => x + ((x - (x0[i] as number)) / sigma) * (next - sigma)));
  });

  it('euler with churn: x0 is taken from the churned sample, as diffusers does', () => {
    const s = new EulerDiscreteScheduler(readEulerConfig(SD14), { sChurn: 1 });
    s.setTimesteps(10);
    const sigma = s.sigmas[0] as number;
    const gamma = Math.min(1 / 10, Math.SQRT2 - 1);
    const sigmaHat = Math.fround(sigma * (gamma + 1));
    const scale = Math.sqrt(sigmaHat * sigmaHat - sigma * sigma);
    s.step(output, s.timesteps[0] as number, sample, new ConstantNoise());
    closeTo(s.predictedOriginalSample() as Float32Array, Array.from(sample, (x, i) => x + scale * 0.25 - sigmaHat * (output[i] as number)), 3);
  });

  it.each(SCHEDULER_NAMES)('%s: asking for x0 changes nothing in the samples (bit for bit, over 6 steps)', (name: SchedulerName) => {
    const plain = createScheduler(name, SD14);
    const asked = createScheduler(name, SD14);
    plain.setTimesteps(6);
    asked.setTimesteps(6);
    let a = fixed(3);
    let b = fixed(3);
    plain.timesteps.forEach((t, k) => {
      const out = fixed(10 + k);
      a = plain.step(out, t, a, new ConstantNoise());
      b = asked.step(out, t, b, new ConstantNoise());
      asked.predictedOriginalSample();
      expect(Array.from(b)).toEqual(Array.from(a));
    });
  });
});

import type { NoiseSource } from '../noise/noise-source';
import { EulerAncestralDiscreteScheduler } from './euler-ancestral-scheduler';
import { readEulerAncestralConfig } from './scheduler-config';
import { SD14_SCHEDULER_CONFIG } from './sd14-scheduler-config';

const SD14 = SD14_SCHEDULER_CONFIG;

function eulerA(overrides: object = {}): EulerAncestralDiscreteScheduler {
  return new EulerAncestralDiscreteScheduler(readEulerAncestralConfig({ ...SD14, ...overrides }));
}

/** Test stub: a fixed repeating sequence; records every draw size. */
class SequenceNoise implements NoiseSource {
  readonly draws: number[] = [];
  private position = 0;
  constructor(private readonly values: readonly number[]) {}
  randn(count: number): Float32Array {
    this.draws.push(count);
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = this.values[(this.position + i) % this.values.length];
    this.position += count;
    return out;
  }
}

describe('Euler ancestral', () => {
  it('has the Euler schedule: 20-step sigmas begin 14.614653, 10.746855 and end in 0', () => {
    const s = eulerA();
    s.setTimesteps(20);
    expect(s.sigmas[0]).toBeCloseTo(14.614653, 5);
    expect(s.sigmas[1]).toBeCloseTo(10.746855, 5);
    expect(s.sigmas[20]).toBe(0);
    expect(s.initNoiseSigma).toBeCloseTo(14.614653, 5);
  });

  it('draws sample-sized noise on every step, the last included', () => {
    const s = eulerA();
    s.setTimesteps(7);
    const noise = new SequenceNoise([0.3, -1.1, 0.7]);
    let x: Float32Array = new Float32Array(16384);
    for (const t of s.timesteps) x = s.step(new Float32Array(16384), t, x, noise);
    expect(noise.draws).toEqual(new Array(7).fill(16384));
  });

  it('one step by hand: x0 = x (zero output) gives x + sigma_up * noise', () => {
    const s = eulerA();
    s.setTimesteps(10);
    const [sigma, next] = [s.sigmas[0], s.sigmas[1]];
    const sigmaUp = Math.sqrt((next * next * (sigma * sigma - next * next)) / (sigma * sigma));
    const sigmaDown = Math.sqrt(next * next - sigmaUp * sigmaUp);
    expect(sigmaDown).toBeCloseTo((next * next) / sigma, 10);
    const x = Float32Array.from([1, 2]);
    const out = s.step(Float32Array.from([0, 0]), s.timesteps[0], x, new SequenceNoise([1, -1]));
    expect(out[0]).toBeCloseTo(1 + sigmaUp, 5);
    expect(out[1]).toBeCloseTo(2 - sigmaUp, 5);
  });

  it('with the true noise of the current sample it ends at x0 whatever noise was drawn', () => {
    const x0 = Float32Array.from([0.5, -1, 0.25, 2]);
    const s = eulerA();
    s.setTimesteps(12);
    const noise = new SequenceNoise([0.9, -0.4, 1.3, 0.1, -2]);
    let x: Float32Array = x0.map((v, i) => v + s.sigmas[0] * [1, 0.3, -0.7, -1.2][i]);
    s.timesteps.forEach((t, k) => {
      const eps = x.map((v, i) => (v - x0[i]) / s.sigmas[k]);
      x = s.step(eps, t, x, noise);
    });
    x.forEach((v, i) => expect(v).toBeCloseTo(x0[i], 4));
  });

  it('v_prediction agrees with epsilon for the same true noise', () => {
    const x0 = Float32Array.from([0.5, -1]);
    const eps = Float32Array.from([0.2, 0.9]);
    const a = eulerA();
    const b = eulerA({ prediction_type: 'v_prediction' });
    a.setTimesteps(5);
    b.setTimesteps(5);
    const sigma = a.sigmas[0];
    const x = x0.map((v, i) => v + sigma * eps[i]);
    const v = eps.map((e, i) => (e - sigma * x0[i]) / Math.sqrt(sigma * sigma + 1));
    const outA = a.step(eps, a.timesteps[0], x, new SequenceNoise([0.5]));
    const outB = b.step(v, b.timesteps[0], x, new SequenceNoise([0.5]));
    outA.forEach((value, i) => expect(outB[i]).toBeCloseTo(value, 4));
  });

  it('needs a NoiseSource, and checks what it returns', () => {
    const s = eulerA();
    s.setTimesteps(5);
    const t = s.timesteps[0];
    expect(() => s.step(new Float32Array(4), t, new Float32Array(4))).toThrow(/needs a NoiseSource/);
    const short: NoiseSource = { randn: () => new Float32Array(3) };
    expect(() => s.step(new Float32Array(4), t, new Float32Array(4), short)).toThrow(/returned 3 values, asked for 4/);
    // Failed calls do not advance the schedule.
    expect(() => s.step(new Float32Array(4), t, new Float32Array(4), new SequenceNoise([0]))).not.toThrow();
  });
});

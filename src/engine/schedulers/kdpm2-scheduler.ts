import type { NoiseSource } from '../noise/noise-source';
import {
  addNoiseBySigma,
  alphasCumprod,
  assertInferenceSteps,
  checkStepInputs,
  f32,
  logSigmasOf,
  roundHalfEven,
  scaleBySigma,
  sigmaToT,
  TimestepCursor,
  trainingSigmas,
} from './common';
import { predictedOriginalCoefficients } from './euler-scheduler';
import { predictedOriginalFrom, type PredictedOriginalRecipe } from './predicted-original';
import type { Scheduler } from './scheduler';
import type { Kdpm2SchedulerConfig } from './second-order-and-unipc-configs';
import { initNoiseSigmaOf, initialSigmas, sigmaSchedule } from './sigma-schedule';

const LABEL = 'dpm2';

/**
 * The geometric midpoints diffusers' KDPM2 evaluates at: `sigmas.log().lerp(sigmas.roll(1).log(),
 * 0.5).exp()` in float32 (torch's lerp with weight 0.5 computes end − (end − start) · 0.5). Entry
 * k is the midpoint between sigma k−1 and k; entry 0 is never used (it mixes in the final 0).
 */
function midpointSigmas(sigmas: Float64Array): Float64Array {
  const out = new Float64Array(sigmas.length);
  for (let k = 1; k < sigmas.length; k++) {
    const start = f32(Math.log(sigmas[k] as number));
    const end = f32(Math.log(sigmas[k - 1] as number));
    out[k] = f32(Math.exp(f32(end - f32(f32(end - start) * 0.5))));
  }
  out[0] = Number.NaN;
  return out;
}

/**
 * diffusers' KDPM2DiscreteScheduler (DPM-Solver-2, Karras et al. 2022 Algorithm 2's second-order
 * k-diffusion sampler): each step evaluates the UNet at sigma k and at the geometric midpoint
 * towards sigma k+1, then takes the whole step with the midpoint's derivative. The schedule
 * interleaves the midpoints' timesteps (t0, m1, t1, m2, …, m(N−1), t(N−1): 2N − 1 entries, one
 * `step()` each); with Karras sigmas the main timesteps are rounded to integers, the midpoints
 * stay fractional. The last step, to sigma 0, is first order.
 */
export class Kdpm2DiscreteScheduler implements Scheduler {
  readonly order = 2;

  private readonly acp: Float64Array;
  private readonly cursor = new TimestepCursor(LABEL, 'second');
  private schedule: readonly number[] = [];
  /** Per UNet call, as diffusers holds them (2N + 2 values): s0, s1, s1, …, sN, sN, sN with sN = 0. */
  private sigmaValues: Float64Array;
  /** The midpoints laid out the same way. */
  private midpointValues: Float64Array = new Float64Array(0);
  /** The sample the first half started from; non-null between the halves of a step. */
  private pendingSample: Float32Array | null = null;
  private lastPrediction: PredictedOriginalRecipe | null = null;

  constructor(
    readonly config: Kdpm2SchedulerConfig,
    /** The id it was made for (dpm2-karras is this class with Karras sigmas). */
    readonly name: 'dpm2' | 'dpm2-karras' = 'dpm2',
  ) {
    this.acp = alphasCumprod(config);
    this.sigmaValues = initialSigmas(this.acp);
  }

  get timesteps(): readonly number[] {
    return this.schedule;
  }

  get sigmas(): readonly number[] {
    return Array.from(this.sigmaValues);
  }

  get initNoiseSigma(): number {
    return initNoiseSigmaOf(this.sigmaValues, this.config.timestepSpacing);
  }

  setTimesteps(numInferenceSteps: number): void {
    const c = this.config;
    assertInferenceSteps(LABEL, numInferenceSteps, c.numTrainTimesteps);
    const { timesteps, sigmas } = sigmaSchedule(this.acp, numInferenceSteps, {
      numTrainTimesteps: c.numTrainTimesteps,
      timestepSpacing: c.timestepSpacing,
      stepsOffset: c.stepsOffset,
      useKarrasSigmas: c.useKarrasSigmas,
      karrasSigmaMin: null,
      karrasSigmaMax: null,
      finalSigma: 0,
    });
    const main = c.useKarrasSigmas ? timesteps.map(roundHalfEven) : timesteps;
    const midpoints = midpointSigmas(sigmas);
    const logSigmas = logSigmasOf(trainingSigmas(this.acp));
    const n = numInferenceSteps;
    const schedule = [main[0] as number];
    for (let k = 1; k < n; k++) schedule.push(f32(sigmaToT(midpoints[k] as number, logSigmas)), main[k] as number);
    this.sigmaValues = interleave(sigmas);
    this.midpointValues = interleave(midpoints);
    this.schedule = Object.freeze(schedule);
    this.cursor.reset(this.schedule);
    this.pendingSample = null;
    this.lastPrediction = null;
  }

  /** diffusers' `set_begin_index` (image to image enters the schedule part way: t_start × order). */
  setBeginIndex(beginIndex: number): void {
    this.cursor.setBegin(beginIndex);
  }

  /** diffusers' `add_noise` for k-diffusion style schedulers: `x0 + sigma noise` at the begin index's (or the timestep's) sigma. */
  addNoise(original: Float32Array, noise: Float32Array, timestep: number): Float32Array {
    return addNoiseBySigma(LABEL, this.sigmaValues[this.cursor.noiseIndex(timestep)] as number, original, noise);
  }

  scaleModelInput(sample: Float32Array, timestep: number): Float32Array {
    const index = this.cursor.locate(timestep);
    const sigma = this.pendingSample === null ? this.sigmaValues[index] : this.midpointValues[index];
    return scaleBySigma(sample, sigma as number);
  }

  predictedOriginalSample(): Float32Array | null {
    return this.lastPrediction === null ? null : predictedOriginalFrom(this.lastPrediction);
  }

  step(modelOutput: Float32Array, timestep: number, sample: Float32Array, _noise?: NoiseSource): Float32Array {
    checkStepInputs(LABEL, modelOutput, sample, this.pendingSample?.length ?? null);
    const index = this.cursor.locate(timestep);
    const first = this.pendingSample === null;
    const sigma = this.sigmaValues[first ? index : index - 1] as number;
    const midpoint = this.midpointValues[first ? index + 1 : index] as number;
    const sigmaNext = this.sigmaValues[first ? index + 1 : index] as number;
    const sigmaInput = first ? sigma : midpoint;
    const [p, q] = predictedOriginalCoefficients(this.config.predictionType, sigmaInput);
    this.lastPrediction = { sample, output: modelOutput, p, q };
    const x0 = predictedOriginalFrom(this.lastPrediction);
    // First half: Euler from sigma to the midpoint; second half: the whole step from the first half's start with the midpoint's derivative.
    const base = first ? sample : (this.pendingSample as Float32Array);
    const dt = first ? midpoint - sigma : sigmaNext - sigma;
    const n = sample.length;
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const derivative = Math.fround(((sample[i] as number) - (x0[i] as number)) / sigmaInput);
      out[i] = (base[i] as number) + derivative * dt;
    }
    // A copy: the caller may reuse its buffer before the second half.
    this.pendingSample = first ? sample.slice() : null;
    this.cursor.advance();
    return out;
  }
}

/** diffusers' `cat([x[:1], x[1:].repeat_interleave(2), x[-1:]])`. */
function interleave(values: Float64Array): Float64Array {
  const n = values.length;
  const out = new Float64Array(2 * n);
  out[0] = values[0] as number;
  for (let k = 1; k < n; k++) out[2 * k - 1] = out[2 * k] = values[k] as number;
  out[2 * n - 1] = values[n - 1] as number;
  return out;
}

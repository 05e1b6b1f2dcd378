import type { NoiseSource } from '../noise/noise-source';
import { addNoiseBySigma, alphasCumprod, assertInferenceSteps, checkStepInputs, scaleBySigma, TimestepCursor } from './common';
import { predictedOriginalCoefficients } from './euler-scheduler';
import { predictedOriginalFrom, type PredictedOriginalRecipe } from './predicted-original';
import type { Scheduler } from './scheduler';
import type { HeunSchedulerConfig } from './second-order-and-unipc-configs';
import { initNoiseSigmaOf, initialSigmas, sigmaSchedule } from './sigma-schedule';

const LABEL = 'heun';

/** What the first (Euler) half of a Heun step leaves for the second half. */
interface PendingStep {
  readonly sample: Float32Array;
  readonly derivative: Float32Array;
  readonly dt: number;
}

/**
 * diffusers' HeunDiscreteScheduler (Karras et al. 2022, Algorithm 1): each step is an Euler step
 * to the next sigma followed by a correction that averages the derivatives at both ends, so it
 * evaluates the UNet twice. As in diffusers, the schedule lists every timestep after the first
 * twice (t0, t1, t1, …, t(N−1), t(N−1): 2N − 1 entries) and each UNet call is one `step()`: even
 * calls take the Euler half, odd calls the correction. The last step, to sigma 0, is Euler only.
 */
export class HeunDiscreteScheduler implements Scheduler {
  readonly name = 'heun' as const;
  readonly order = 2;

  private readonly acp: Float64Array;
  private readonly cursor = new TimestepCursor(LABEL, 'second');
  private schedule: readonly number[] = [];
  /** Per UNet call, as diffusers holds them: s0, s1, s1, s2, s2, …, s(N−1), s(N−1), 0. */
  private sigmaValues: Float64Array;
  private pending: PendingStep | null = null;
  private lastPrediction: PredictedOriginalRecipe | null = null;

  constructor(readonly config: HeunSchedulerConfig) {
    this.acp = alphasCumprod(config);
    this.sigmaValues = initialSigmas(this.acp);
  }

  get timesteps(): readonly number[] {
    return this.schedule;
  }

  /** 2N sigmas after setTimesteps (float32 values). */
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
    const n = numInferenceSteps;
    const interleaved = new Float64Array(2 * n);
    interleaved[0] = sigmas[0] as number;
    for (let k = 1; k < n; k++) interleaved[2 * k - 1] = interleaved[2 * k] = sigmas[k] as number;
    interleaved[2 * n - 1] = sigmas[n] as number;
    const schedule = [timesteps[0] as number];
    for (let k = 1; k < n; k++) schedule.push(timesteps[k] as number, timesteps[k] as number);
    this.sigmaValues = interleaved;
    this.schedule = Object.freeze(schedule);
    this.cursor.reset(this.schedule);
    this.pending = null;
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
    return scaleBySigma(sample, this.sigmaValues[this.cursor.locate(timestep)] as number);
  }

  predictedOriginalSample(): Float32Array | null {
    return this.lastPrediction === null ? null : predictedOriginalFrom(this.lastPrediction);
  }

  step(modelOutput: Float32Array, timestep: number, sample: Float32Array, _noise?: NoiseSource): Float32Array {
    checkStepInputs(LABEL, modelOutput, sample, this.pending?.sample.length ?? null);
    const index = this.cursor.locate(timestep);
    const c = this.config;
    const pending = this.pending;
    // diffusers decides the half by its stored state, not by the index.
    const sigma = (pending === null ? this.sigmaValues[index] : this.sigmaValues[index - 1]) as number;
    const sigmaNext = (pending === null ? this.sigmaValues[index + 1] : this.sigmaValues[index]) as number;
    const [p, q] = predictedOriginalCoefficients(c.predictionType, pending === null ? sigma : sigmaNext);
    const clip = c.clipSample ? c.clipSampleRange : undefined;
    this.lastPrediction = { sample, output: modelOutput, p, q, clip };
    const x0 = predictedOriginalFrom(this.lastPrediction);
    const n = sample.length;
    const out = new Float32Array(n);
    if (pending === null) {
      const dt = sigmaNext - sigma;
      const derivative = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        derivative[i] = ((sample[i] as number) - (x0[i] as number)) / sigma;
        out[i] = (sample[i] as number) + (derivative[i] as number) * dt;
      }
      this.pending = { sample: sample.slice(), derivative, dt };
    } else {
      for (let i = 0; i < n; i++) {
        const second = ((sample[i] as number) - (x0[i] as number)) / sigmaNext;
        const derivative = Math.fround(((pending.derivative[i] as number) + Math.fround(second)) / 2);
        out[i] = (pending.sample[i] as number) + derivative * pending.dt;
      }
      this.pending = null;
    }
    this.cursor.advance();
    return out;
  }
}

import type { NoiseSource } from '../noise/noise-source';
import {
  TimestepCursor,
  addNoiseByAlpha,
  alphasCumprod,
  assertInferenceSteps,
  assertTimestepsInRange,
  checkStepInputs,
  drawNoise,
  spacedTimesteps,
} from './common';
import { predictedOriginalFrom, type PredictedOriginalRecipe } from './predicted-original';
import type { Scheduler } from './scheduler';
import type { DdimSchedulerConfig } from './scheduler-config';

const LABEL = 'ddim';

export interface DdimOptions {
  /** DDIM's eta in [0, 1] (diffusers passes it to step()): 0 is deterministic DDIM, 1 is DDPM-like. */
  readonly eta?: number;
}

/**
 * diffusers' DDIMScheduler (arXiv 2010.02502). With eta > 0 each step adds
 * `eta * sigma_t * noise`, the noise drawn from the NoiseSource with the sample's size, as
 * diffusers draws it from the pipeline's generator.
 */
export class DdimScheduler implements Scheduler {
  readonly name = 'ddim' as const;
  readonly order = 1;
  readonly initNoiseSigma = 1;
  readonly eta: number;

  private readonly acp: Float64Array;
  private readonly finalAlphaCumprod: number;
  private readonly cursor = new TimestepCursor(LABEL, 'first');
  private schedule: readonly number[] = [];
  private numInferenceSteps = 0;
  private lastPrediction: PredictedOriginalRecipe | null = null;

  constructor(
    readonly config: DdimSchedulerConfig,
    options: DdimOptions = {},
  ) {
    const eta = options.eta ?? 0;
    // Beyond 1 the direction term's variance goes negative (diffusers then produces NaN).
    if (typeof eta !== 'number' || !(eta >= 0 && eta <= 1)) {
      throw new RangeError(`${LABEL}: eta must be a number from 0 to 1, got ${String(eta)}`);
    }
    this.eta = eta;
    this.acp = alphasCumprod(config);
    this.finalAlphaCumprod = config.setAlphaToOne ? 1 : this.acp[0];
  }

  get timesteps(): readonly number[] {
    return this.schedule;
  }

  /** alphas_cumprod used for the step that ends the schedule (1 with set_alpha_to_one, else alphas_cumprod[0]). */
  get finalAlpha(): number {
    return this.finalAlphaCumprod;
  }

  setTimesteps(numInferenceSteps: number): void {
    const { numTrainTimesteps, timestepSpacing, stepsOffset } = this.config;
    assertInferenceSteps(LABEL, numInferenceSteps, numTrainTimesteps);
    const schedule = spacedTimesteps(timestepSpacing, numTrainTimesteps, numInferenceSteps, stepsOffset, true);
    assertTimestepsInRange(LABEL, schedule, numTrainTimesteps);
    this.numInferenceSteps = numInferenceSteps;
    this.schedule = Object.freeze(schedule);
    this.cursor.reset(this.schedule);
    this.lastPrediction = null;
  }

  predictedOriginalSample(): Float32Array | null {
    return this.lastPrediction === null ? null : predictedOriginalFrom(this.lastPrediction);
  }

  scaleModelInput(sample: Float32Array, timestep: number): Float32Array {
    this.cursor.locate(timestep);
    return sample;
  }

  setBeginIndex(beginIndex: number): void {
    this.cursor.setBegin(beginIndex);
  }

  addNoise(original: Float32Array, noise: Float32Array, timestep: number): Float32Array {
    return addNoiseByAlpha(LABEL, this.acp, timestep, original, noise);
  }

  step(modelOutput: Float32Array, timestep: number, sample: Float32Array, noise?: NoiseSource): Float32Array {
    checkStepInputs(LABEL, modelOutput, sample, null);
    this.cursor.locate(timestep);
    const n = sample.length;
    const { predictionType, clipSample, clipSampleRange } = this.config;

    // diffusers steps to t - N // n whatever the spacing.
    const prevTimestep = timestep - Math.floor(this.config.numTrainTimesteps / this.numInferenceSteps);
    const alphaProdT = this.acp[timestep];
    const alphaProdPrev = prevTimestep >= 0 ? this.acp[prevTimestep] : this.finalAlphaCumprod;
    const betaProdT = 1 - alphaProdT;
    const betaProdPrev = 1 - alphaProdPrev;
    const sqrtA = Math.sqrt(alphaProdT);
    const sqrtB = Math.sqrt(betaProdT);

    // x0 = x0S * sample + x0M * output; eps = epsS * sample + epsM * output.
    let x0S: number, x0M: number, epsS: number, epsM: number;
    if (predictionType === 'epsilon') {
      [x0S, x0M, epsS, epsM] = [1 / sqrtA, -sqrtB / sqrtA, 0, 1];
    } else if (predictionType === 'sample') {
      [x0S, x0M, epsS, epsM] = [0, 1, 1 / sqrtB, -sqrtA / sqrtB];
    } else {
      [x0S, x0M, epsS, epsM] = [sqrtA, -sqrtB, sqrtB, sqrtA];
    }

    this.lastPrediction = clipSample ? { sample, output: modelOutput, p: x0S, q: x0M, clip: clipSampleRange } : { sample, output: modelOutput, p: x0S, q: x0M };

    const variance = (betaProdPrev / betaProdT) * (1 - alphaProdT / alphaProdPrev);
    const stdDevT = this.eta * Math.sqrt(variance);
    const x0Coeff = Math.sqrt(alphaProdPrev);
    const dirCoeff = Math.sqrt(Math.max(0, 1 - alphaProdPrev - stdDevT * stdDevT));
    const varianceNoise = this.eta > 0 ? drawNoise(LABEL, noise, n) : null;

    const out = new Float32Array(n);
    const lo = -clipSampleRange;
    const hi = clipSampleRange;
    for (let i = 0; i < n; i++) {
      const s = sample[i];
      const m = modelOutput[i];
      let x0 = Math.fround(x0S * s + x0M * m);
      if (clipSample) x0 = x0 < lo ? lo : x0 > hi ? hi : x0;
      out[i] = x0Coeff * x0 + dirCoeff * (epsS * s + epsM * m);
    }
    if (varianceNoise !== null) {
      for (let i = 0; i < n; i++) out[i] += stdDevT * varianceNoise[i];
    }
    this.cursor.advance();
    return out;
  }
}

import type { NoiseSource } from '../noise/noise-source';
import {
  SchedulerUsageError,
  TimestepCursor,
  addNoiseByAlpha,
  alphasCumprod,
  assertInferenceSteps,
  assertTimestepsInRange,
  checkStepInputs,
  reuseBuffer,
  spacedTimesteps,
} from './common';
import { alphaPredictedOriginalCoefficients, predictedOriginalFrom, type PredictedOriginalRecipe } from './predicted-original';
import type { Scheduler } from './scheduler';
import type { PndmSchedulerConfig } from './scheduler-config';

const LABEL = 'pndm';
/** diffusers' `pndm_order`: the Runge-Kutta warm-up covers the last 4 grid points. */
const PNDM_ORDER = 4;

/**
 * diffusers' PNDMScheduler: pseudo numerical methods (arXiv 2202.09778). With skip_prk_steps
 * (Stable Diffusion's config) it is the PLMS sampler, whose second UNet call repeats the first
 * grid timestep; without, 12 Runge-Kutta calls precede the linear multistep ones.
 */
export class PndmScheduler implements Scheduler {
  readonly name = 'pndm' as const;
  readonly order = 1;
  readonly initNoiseSigma = 1;

  private readonly acp: Float64Array;
  private readonly finalAlphaCumprod: number;
  private readonly cursor = new TimestepCursor(LABEL, 'first');
  private schedule: readonly number[] = [];
  private numInferenceSteps = 0;
  private prkCount = 0;

  // Running state, as in diffusers.
  private counter = 0;
  /** Past model outputs (at most 4 kept), oldest first. */
  private ets: Float32Array[] = [];
  private curSample: Float32Array | null = null;
  /** PRK: the weighted sum of the four model outputs of one Runge-Kutta step. */
  private curModelOutput: Float32Array | null = null;
  private sampleLength: number | null = null;
  /** The last step's x0, as a recipe: diffusers' PNDM has no pred_original_sample, so from that step's output and sample. */
  private lastPrediction: PredictedOriginalRecipe | null = null;

  constructor(readonly config: PndmSchedulerConfig) {
    this.acp = alphasCumprod(config);
    this.finalAlphaCumprod = config.setAlphaToOne ? 1 : this.acp[0];
  }

  get timesteps(): readonly number[] {
    return this.schedule;
  }

  setTimesteps(numInferenceSteps: number): void {
    const { numTrainTimesteps: trainSteps, skipPrkSteps } = this.config;
    assertInferenceSteps(LABEL, numInferenceSteps, trainSteps);
    if (!skipPrkSteps && numInferenceSteps < PNDM_ORDER) {
      throw new RangeError(
        `${LABEL}: numInferenceSteps must be at least ${PNDM_ORDER} with skip_prk_steps false, got ${numInferenceSteps}`,
      );
    }
    // The grid ascending, as diffusers' `_timesteps`.
    const grid = spacedTimesteps(
      this.config.timestepSpacing,
      trainSteps,
      numInferenceSteps,
      this.config.stepsOffset,
      true,
    ).reverse();
    let prk: number[] = [];
    let plms: number[];
    if (skipPrkSteps) {
      // concat(grid[:-1], grid[-2:-1], grid[-1:])[::-1]: the second-to-last grid point twice.
      plms = [...grid.slice(0, -1), ...grid.slice(-2, -1), ...grid.slice(-1)].reverse();
    } else {
      const half = Math.floor(Math.floor(trainSteps / numInferenceSteps) / 2);
      const pairs: number[] = [];
      for (const t of grid.slice(-PNDM_ORDER)) pairs.push(t, t + half);
      // prk_timesteps[:-1].repeat(2)[1:-1][::-1]
      const doubled: number[] = [];
      for (const t of pairs.slice(0, -1)) doubled.push(t, t);
      prk = doubled.slice(1, -1).reverse();
      plms = grid.slice(0, -3).reverse();
    }
    const schedule = [...prk, ...plms];
    assertTimestepsInRange(LABEL, schedule, trainSteps);
    this.numInferenceSteps = numInferenceSteps;
    this.prkCount = prk.length;
    this.schedule = Object.freeze(schedule);
    this.cursor.reset(this.schedule);
    this.counter = 0;
    this.ets = [];
    this.curSample = null;
    this.curModelOutput = null;
    this.sampleLength = null;
    this.lastPrediction = null;
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

  step(modelOutput: Float32Array, timestep: number, sample: Float32Array, _noise?: NoiseSource): Float32Array {
    checkStepInputs(LABEL, modelOutput, sample, this.sampleLength);
    this.cursor.locate(timestep);
    this.sampleLength = sample.length;
    const alphaProdT = this.acp[timestep];
    const [p, q] = alphaPredictedOriginalCoefficients(this.config.predictionType, Math.sqrt(alphaProdT), Math.sqrt(1 - alphaProdT));
    this.lastPrediction = { sample, output: modelOutput, p, q };
    const out =
      this.counter < this.prkCount && !this.config.skipPrkSteps
        ? this.stepPrk(modelOutput, timestep, sample)
        : this.stepPlms(modelOutput, timestep, sample);
    this.cursor.advance();
    return out;
  }

  predictedOriginalSample(): Float32Array | null {
    return this.lastPrediction === null ? null : predictedOriginalFrom(this.lastPrediction);
  }

  private stepPrk(modelOutput: Float32Array, timestep: number, sample: Float32Array): Float32Array {
    const n = sample.length;
    const diffToPrev =
      this.counter % 2 ? 0 : Math.floor(Math.floor(this.config.numTrainTimesteps / this.numInferenceSteps) / 2);
    const prevTimestep = timestep - diffToPrev;
    const t = this.schedule[Math.floor(this.counter / 4) * 4];
    const phase = this.counter % 4;

    const acc = (this.curModelOutput = reuseBuffer(this.curModelOutput, n));
    let out: Float32Array;
    if (phase === 0) {
      // A new Runge-Kutta step: start the weighted sum and remember the output and sample.
      const kept = reuseBuffer(this.ets.length >= PNDM_ORDER ? this.ets.shift() : null, n);
      kept.set(modelOutput);
      this.ets.push(kept);
      const weight = 1 / 6;
      for (let i = 0; i < n; i++) acc[i] = weight * modelOutput[i];
      const curSample = reuseBuffer(this.curSample, n);
      curSample.set(sample);
      this.curSample = curSample;
      out = this.prevSample(curSample, t, prevTimestep, modelOutput, null, 0, 0, 0);
    } else if (phase === 1 || phase === 2) {
      const weight = 1 / 3;
      for (let i = 0; i < n; i++) acc[i] += weight * modelOutput[i];
      out = this.prevSample(this.curSample ?? sample, t, prevTimestep, modelOutput, null, 0, 0, 0);
    } else {
      // The Runge-Kutta combination: cur_model_output + model_output / 6.
      out = this.prevSample(this.curSample ?? sample, t, prevTimestep, acc, [modelOutput], 1, 1 / 6, 0);
      acc.fill(0);
    }
    this.counter += 1;
    return out;
  }

  private stepPlms(modelOutput: Float32Array, timestep: number, sample: Float32Array): Float32Array {
    if (!this.config.skipPrkSteps && this.ets.length < 3) {
      throw new SchedulerUsageError(`${LABEL}: linear multistep steps need the 12 Runge-Kutta steps first`);
    }
    const n = sample.length;
    const ratio = Math.floor(this.config.numTrainTimesteps / this.numInferenceSteps);
    let t = timestep;
    let prevTimestep = timestep - ratio;
    if (this.counter !== 1) {
      // ets = ets[-3:] + [model_output]; the dropped buffers are reused.
      const dropped = this.ets.length > 3 ? this.ets.splice(0, this.ets.length - 3) : [];
      const kept = reuseBuffer(dropped[0], n);
      kept.set(modelOutput);
      this.ets.push(kept);
    } else {
      // The repeated timestep: step from t + ratio to t again, with the averaged output.
      prevTimestep = timestep;
      t = timestep + ratio;
    }

    const ets = this.ets;
    const count = ets.length;
    let base = sample;
    let out: Float32Array;
    if (count === 1 && this.counter === 0) {
      const curSample = reuseBuffer(this.curSample, n);
      curSample.set(sample);
      this.curSample = curSample;
      out = this.prevSample(sample, t, prevTimestep, modelOutput, null, 0, 0, 0);
    } else if (count === 1 && this.counter === 1) {
      // (model_output + ets[-1]) / 2, applied to the sample of the first call.
      base = this.curSample ?? sample;
      this.curSample = null;
      out = this.prevSample(base, t, prevTimestep, modelOutput, [ets[0]], 0.5, 0.5, 0);
    } else if (count === 2) {
      out = this.prevSample(base, t, prevTimestep, ets[1], [ets[0]], 3 / 2, -1 / 2, 0);
    } else if (count === 3) {
      out = this.prevSample(base, t, prevTimestep, ets[2], [ets[1], ets[0]], 23 / 12, -16 / 12, 5 / 12);
    } else {
      out = this.prevSample(base, t, prevTimestep, ets[3], [ets[2], ets[1], ets[0]], 55 / 24, -59 / 24, 37 / 24, -9 / 24);
    }
    this.counter += 1;
    return out;
  }

  /**
   * diffusers' `_get_prev_sample` (formula 9 of the PNDM paper) applied to the model output
   * `w0 * e0 + w1 * older[0] + w2 * older[1] + w3 * older[2]` (or `e0` alone without `older`).
   */
  private prevSample(
    sample: Float32Array,
    timestep: number,
    prevTimestep: number,
    e0: Float32Array,
    older: readonly Float32Array[] | null,
    w0: number,
    w1: number,
    w2: number,
    w3 = 0,
  ): Float32Array {
    const alphaProdT = this.acp[timestep];
    const alphaProdPrev = prevTimestep >= 0 ? this.acp[prevTimestep] : this.finalAlphaCumprod;
    const betaProdT = 1 - alphaProdT;
    const betaProdPrev = 1 - alphaProdPrev;
    const sampleCoeff = Math.sqrt(alphaProdPrev / alphaProdT);
    const denom = alphaProdT * Math.sqrt(betaProdPrev) + Math.sqrt(alphaProdT * betaProdT * alphaProdPrev);
    const outputCoeff = (alphaProdPrev - alphaProdT) / denom;
    // v_prediction: eps = sqrt(a_t) * v + sqrt(1 - a_t) * sample.
    const vPrediction = this.config.predictionType === 'v_prediction';
    const vScale = vPrediction ? Math.sqrt(alphaProdT) : 1;
    const vSample = vPrediction ? Math.sqrt(betaProdT) : 0;

    const n = sample.length;
    const out = new Float32Array(n);
    if (older === null) {
      for (let i = 0; i < n; i++) {
        const s = sample[i];
        const eps = vScale * e0[i] + vSample * s;
        out[i] = sampleCoeff * s - outputCoeff * eps;
      }
    } else if (older.length === 1) {
      const e1 = older[0];
      for (let i = 0; i < n; i++) {
        const s = sample[i];
        const eps = vScale * (w0 * e0[i] + w1 * e1[i]) + vSample * s;
        out[i] = sampleCoeff * s - outputCoeff * eps;
      }
    } else if (older.length === 2) {
      const e1 = older[0];
      const e2 = older[1];
      for (let i = 0; i < n; i++) {
        const s = sample[i];
        const eps = vScale * (w0 * e0[i] + w1 * e1[i] + w2 * e2[i]) + vSample * s;
        out[i] = sampleCoeff * s - outputCoeff * eps;
      }
    } else {
      const e1 = older[0];
      const e2 = older[1];
      const e3 = older[2];
      for (let i = 0; i < n; i++) {
        const s = sample[i];
        const eps = vScale * (w0 * e0[i] + w1 * e1[i] + w2 * e2[i] + w3 * e3[i]) + vSample * s;
        out[i] = sampleCoeff * s - outputCoeff * eps;
      }
    }
    return out;
  }
}

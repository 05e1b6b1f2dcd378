import type { NoiseSource } from '../noise/noise-source';
import { addNoiseByAlphaSigma, alphasCumprod, assertInferenceSteps, checkStepInputs, TimestepCursor } from './common';
import { multistepSchedule } from './multistep-schedule';
import { alphaPredictedOriginalCoefficients, predictedOriginalFrom, type PredictedOriginalRecipe } from './predicted-original';
import type { Scheduler } from './scheduler';
import type { DeisSchedulerConfig } from './second-order-and-unipc-configs';
import { smallestTrainingSigma } from './sigma-schedule';
import { alphaSigmaLambda } from './vp-sigma';

const LABEL = 'deis';

/** ∫ (log t − log c) / (log b − log c) dt, diffusers' second-order `ind_fn`. */
function ind2(t: number, b: number, c: number): number {
  return (t * (-Math.log(c) + Math.log(t) - 1)) / (Math.log(b) - Math.log(c));
}

/** ∫ (log t − log c)(log t − log d) / ((log b − log c)(log b − log d)) dt, the third-order `ind_fn`. */
function ind3(t: number, b: number, c: number, d: number): number {
  const [lt, lb, lc, ld] = [Math.log(t), Math.log(b), Math.log(c), Math.log(d)];
  const numerator = t * (lc * (ld - lt + 1) - ld * lt + ld + lt * lt - 2 * lt + 2);
  return numerator / ((lb - lc) * (lb - ld));
}

/**
 * diffusers' DEISMultistepScheduler (Zhang & Chen 2023, "log-rho" DEIS): an exponential
 * integrator on noise predictions whose multistep coefficients integrate a Lagrange polynomial in
 * log(sigma) exactly. First order on the first step, then up to solver_order; with fewer than 15
 * steps and lower_order_final the last steps drop back. Its last sigma is the smallest training
 * sigma, not 0, as in diffusers 0.30.
 */
export class DeisMultistepScheduler implements Scheduler {
  readonly name = 'deis' as const;
  readonly order = 1;
  readonly initNoiseSigma = 1;

  private readonly acp: Float64Array;
  private readonly cursor = new TimestepCursor(LABEL, 'second');
  private schedule: readonly number[] = [];
  private sigmaValues: Float64Array = new Float64Array(0);
  /** Noise predictions of the last solver_order steps, oldest first. */
  private modelOutputs: (Float32Array | null)[];
  private lowerOrderNums = 0;
  private sampleLength: number | null = null;
  private lastPrediction: PredictedOriginalRecipe | null = null;

  constructor(readonly config: DeisSchedulerConfig) {
    this.acp = alphasCumprod(config);
    this.modelOutputs = new Array<Float32Array | null>(config.solverOrder).fill(null);
  }

  get timesteps(): readonly number[] {
    return this.schedule;
  }

  get sigmas(): readonly number[] {
    return Array.from(this.sigmaValues);
  }

  setTimesteps(numInferenceSteps: number): void {
    const c = this.config;
    assertInferenceSteps(LABEL, numInferenceSteps, c.numTrainTimesteps);
    const { timesteps, sigmas } = multistepSchedule(c, this.acp, numInferenceSteps, smallestTrainingSigma(this.acp));
    this.sigmaValues = sigmas;
    this.schedule = Object.freeze(timesteps);
    this.cursor.reset(this.schedule);
    this.modelOutputs.fill(null);
    this.lowerOrderNums = 0;
    this.sampleLength = null;
    this.lastPrediction = null;
  }

  /** diffusers' `set_begin_index`: image to image enters the schedule at `beginIndex` (t_start × order). */
  setBeginIndex(beginIndex: number): void {
    this.cursor.setBegin(beginIndex);
  }

  /** diffusers' `add_noise` for this family: `α·x0 + σ_t·noise`, α = 1/√(σ² + 1), σ_t = σ·α. */
  addNoise(original: Float32Array, noise: Float32Array, timestep: number): Float32Array {
    return addNoiseByAlphaSigma(LABEL, this.sigmaValues[this.cursor.noiseIndex(timestep)] as number, original, noise);
  }

  scaleModelInput(sample: Float32Array, timestep: number): Float32Array {
    this.cursor.locate(timestep);
    return sample;
  }

  predictedOriginalSample(): Float32Array | null {
    return this.lastPrediction === null ? null : predictedOriginalFrom(this.lastPrediction);
  }

  step(modelOutput: Float32Array, timestep: number, sample: Float32Array, _noise?: NoiseSource): Float32Array {
    checkStepInputs(LABEL, modelOutput, sample, this.sampleLength);
    const index = this.cursor.locate(timestep);
    const c = this.config;
    const n = sample.length;
    const count = this.schedule.length;
    this.sampleLength = n;
    const sigmas = this.sigmaValues;
    const [alpha, sigmaT] = alphaSigmaLambda(sigmas[index] as number);
    const [px, qx] = alphaPredictedOriginalCoefficients(c.predictionType, alpha, sigmaT);
    this.lastPrediction = { sample, output: modelOutput, p: px, q: qx };

    // convert_model_output: DEIS steps on the noise prediction eps = p * sample + q * output.
    const [p, q] = c.predictionType === 'epsilon' ? [0, 1] : c.predictionType === 'sample' ? [1 / sigmaT, -alpha / sigmaT] : [sigmaT, alpha];
    const outputs = this.modelOutputs;
    for (let k = 0; k < outputs.length - 1; k++) outputs[k] = outputs[k + 1] as Float32Array | null;
    const m0 = new Float32Array(n);
    for (let i = 0; i < n; i++) m0[i] = p * (sample[i] as number) + q * (modelOutput[i] as number);
    outputs[outputs.length - 1] = m0;

    const lowerOrderFinal = index === count - 1 && c.lowerOrderFinal && count < 15;
    const lowerOrderSecond = index === count - 2 && c.lowerOrderFinal && count < 15;
    const [alphaT, sT] = alphaSigmaLambda(sigmas[index + 1] as number);
    const rhoT = sT / alphaT;
    const rho = (k: number): number => {
      const [a, s] = alphaSigmaLambda(sigmas[index - k] as number);
      return s / a;
    };
    const out = new Float32Array(n);
    if (c.solverOrder === 1 || this.lowerOrderNums < 1 || lowerOrderFinal) {
      // x_t = (alpha_t / alpha_s) x − sigma_t (e^h − 1) eps, h = lambda_t − lambda_s.
      const h = alphaSigmaLambda(sigmas[index + 1] as number)[2] - alphaSigmaLambda(sigmas[index] as number)[2];
      const cs = alphaT / alpha;
      const cm = -sT * Math.expm1(h);
      for (let i = 0; i < n; i++) out[i] = cs * (sample[i] as number) + cm * (m0[i] as number);
    } else if (c.solverOrder === 2 || this.lowerOrderNums < 2 || lowerOrderSecond) {
      const [r0, r1] = [rho(0), rho(1)];
      const c1 = alphaT * (ind2(rhoT, r0, r1) - ind2(r0, r0, r1));
      const c2 = alphaT * (ind2(rhoT, r1, r0) - ind2(r0, r1, r0));
      const m1 = outputs[outputs.length - 2] as Float32Array;
      const cs = alphaT / alpha;
      for (let i = 0; i < n; i++) out[i] = cs * (sample[i] as number) + c1 * (m0[i] as number) + c2 * (m1[i] as number);
    } else {
      const [r0, r1, r2] = [rho(0), rho(1), rho(2)];
      const c1 = alphaT * (ind3(rhoT, r0, r1, r2) - ind3(r0, r0, r1, r2));
      const c2 = alphaT * (ind3(rhoT, r1, r2, r0) - ind3(r0, r1, r2, r0));
      const c3 = alphaT * (ind3(rhoT, r2, r0, r1) - ind3(r0, r2, r0, r1));
      const m1 = outputs[outputs.length - 2] as Float32Array;
      const m2 = outputs[outputs.length - 3] as Float32Array;
      const cs = alphaT / alpha;
      for (let i = 0; i < n; i++) out[i] = cs * (sample[i] as number) + c1 * (m0[i] as number) + c2 * (m1[i] as number) + c3 * (m2[i] as number);
    }
    if (this.lowerOrderNums < c.solverOrder) this.lowerOrderNums += 1;
    this.cursor.advance();
    return out;
  }
}

import type { NoiseSource } from '../noise/noise-source';
import { addNoiseByAlphaSigma, alphasCumprod, assertInferenceSteps, checkStepInputs, TimestepCursor } from './common';
import { multistepSchedule } from './multistep-schedule';
import { alphaPredictedOriginalCoefficients, predictedOriginalFrom, type PredictedOriginalRecipe } from './predicted-original';
import type { Scheduler } from './scheduler';
import type { UniPcSchedulerConfig } from './second-order-and-unipc-configs';
import { smallestTrainingSigma } from './sigma-schedule';
import { alphaSigmaLambda } from './vp-sigma';

const LABEL = 'unipc';

/**
 * diffusers' UniPCMultistepScheduler (Zhao et al. 2023, the B(h) variants): a multistep predictor
 * (UniP) on data predictions and, from the second step on, a corrector (UniC) that refines the
 * sample the UNet was just evaluated at with that evaluation, before predicting the next one. One
 * UNet call per step: the corrector reuses the call the next predictor needs anyway.
 */
export class UniPcMultistepScheduler implements Scheduler {
  readonly name = 'unipc' as const;
  readonly order = 1;
  readonly initNoiseSigma = 1;

  private readonly acp: Float64Array;
  private readonly cursor = new TimestepCursor(LABEL, 'second');
  private schedule: readonly number[] = [];
  private sigmaValues: Float64Array = new Float64Array(0);
  /** Converted model outputs of the last solver_order steps, oldest first. */
  private modelOutputs: (Float32Array | null)[];
  private lowerOrderNums = 0;
  /** The sample the last predictor started from (corrected), and the order it ran at. */
  private lastSample: Float32Array | null = null;
  private thisOrder = 1;
  private lastPrediction: PredictedOriginalRecipe | null = null;

  constructor(readonly config: UniPcSchedulerConfig) {
    const acp = alphasCumprod(config);
    if (config.rescaleBetasZeroSnr) acp[acp.length - 1] = 2 ** -24;
    this.acp = acp;
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
    const { timesteps, sigmas } = multistepSchedule(c, this.acp, numInferenceSteps, c.finalSigmasType === 'sigma_min' ? smallestTrainingSigma(this.acp) : 0);
    this.sigmaValues = sigmas;
    this.schedule = Object.freeze(timesteps);
    this.cursor.reset(this.schedule);
    this.modelOutputs.fill(null);
    this.lowerOrderNums = 0;
    this.lastSample = null;
    this.thisOrder = 1;
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
    checkStepInputs(LABEL, modelOutput, sample, this.lastSample?.length ?? null);
    const index = this.cursor.locate(timestep);
    const c = this.config;
    const n = sample.length;
    const [alpha, sigmaT] = alphaSigmaLambda(this.sigmaValues[index] as number);
    const [px, qx] = alphaPredictedOriginalCoefficients(c.predictionType, alpha, sigmaT);
    this.lastPrediction = { sample, output: modelOutput, p: px, q: qx };
    // convert_model_output: x0 (predict_x0) or epsilon = p * sample + q * output.
    let [p, q] = [px, qx];
    if (!c.predictX0) [p, q] = c.predictionType === 'epsilon' ? [0, 1] : c.predictionType === 'sample' ? [1 / sigmaT, -alpha / sigmaT] : [sigmaT, alpha];
    const converted = new Float32Array(n);
    for (let i = 0; i < n; i++) converted[i] = p * (sample[i] as number) + q * (modelOutput[i] as number);

    let current = sample;
    if (index > 0 && this.lastSample !== null && !c.disableCorrector.includes(index - 1)) {
      current = this.correct(index, converted, this.lastSample, this.thisOrder);
    }
    const outputs = this.modelOutputs;
    for (let k = 0; k < outputs.length - 1; k++) outputs[k] = outputs[k + 1] as Float32Array | null;
    outputs[outputs.length - 1] = converted;

    const wanted = c.lowerOrderFinal ? Math.min(c.solverOrder, this.schedule.length - index) : c.solverOrder;
    this.thisOrder = Math.min(wanted, this.lowerOrderNums + 1);
    // A copy when uncorrected: the caller may reuse its buffer before the next step.
    this.lastSample = current === sample ? sample.slice() : current;
    const out = this.predict(index, current, this.thisOrder);
    if (this.lowerOrderNums < c.solverOrder) this.lowerOrderNums += 1;
    this.cursor.advance();
    return out;
  }

  /** h and the B(h) coefficients both updates share (hh = −h for data prediction). */
  private coefficients(sigmaT: number, sigmaS0: number): { h: number; hPhi1: number; bH: number; alphaT: number; ratio: number; hh: number } {
    const [alphaT, sT, lambdaT] = alphaSigmaLambda(sigmaT);
    const [alphaS0, sS0, lambdaS0] = alphaSigmaLambda(sigmaS0);
    const h = lambdaT - lambdaS0;
    const hh = this.config.predictX0 ? -h : h;
    const hPhi1 = Math.expm1(hh);
    const bH = this.config.solverType === 'bh1' ? hh : Math.expm1(hh);
    // x_t_ = ratio * x - scale * hPhi1 * m0, with (ratio, scale) = (sigma_t / sigma_s0, alpha_t) for x0 predictions.
    return this.config.predictX0 ? { h, hPhi1, bH, alphaT, ratio: sT / sS0, hh } : { h, hPhi1, bH, alphaT: sT, ratio: alphaT / alphaS0, hh };
  }

  /** b_i = h_phi_(i+1) · i! / B(h) for i = 1..order, diffusers' recurrence. */
  private bVector(hh: number, hPhi1: number, bH: number, order: number): number[] {
    const b: number[] = [];
    let hPhiK = hPhi1 / hh - 1;
    let factorial = 1;
    for (let i = 1; i <= order; i++) {
      b.push((hPhiK * factorial) / bH);
      factorial *= i + 1;
      hPhiK = hPhiK / hh - 1 / factorial;
    }
    return b;
  }

  /** UniP: the next sample from `x` at this step's sigma. */
  private predict(index: number, x: Float32Array, order: number): Float32Array {
    const sigmas = this.sigmaValues;
    const { h, hPhi1, bH, alphaT, ratio, hh } = this.coefficients(sigmas[index + 1] as number, sigmas[index] as number);
    const outputs = this.modelOutputs;
    const m0 = outputs[outputs.length - 1] as Float32Array;
    const lambdaS0 = alphaSigmaLambda(sigmas[index] as number)[2];
    const terms: { m: Float32Array; rk: number }[] = [];
    for (let i = 1; i < order; i++) {
      const rk = (alphaSigmaLambda(sigmas[index - i] as number)[2] - lambdaS0) / h;
      terms.push({ m: outputs[outputs.length - 1 - i] as Float32Array, rk });
    }
    let rhos: number[] = [];
    if (order === 2) rhos = [0.5];
    else if (order > 2) {
      const rks = [...terms.map((t) => t.rk), 1];
      const b = this.bVector(hh, hPhi1, bH, order);
      rhos = solve(vandermonde(rks, order - 1, order - 1), b.slice(0, order - 1));
    }
    return this.combine(x, ratio, alphaT, hPhi1, bH, m0, terms, rhos, null, 0);
  }

  /** UniC: `thisSample` (where the UNet just ran) corrected with that evaluation. */
  private correct(index: number, modelT: Float32Array, lastSample: Float32Array, order: number): Float32Array {
    const sigmas = this.sigmaValues;
    const { h, hPhi1, bH, alphaT, ratio, hh } = this.coefficients(sigmas[index] as number, sigmas[index - 1] as number);
    const outputs = this.modelOutputs;
    const m0 = outputs[outputs.length - 1] as Float32Array;
    const lambdaS0 = alphaSigmaLambda(sigmas[index - 1] as number)[2];
    const terms: { m: Float32Array; rk: number }[] = [];
    for (let i = 1; i < order; i++) {
      const rk = (alphaSigmaLambda(sigmas[index - 1 - i] as number)[2] - lambdaS0) / h;
      terms.push({ m: outputs[outputs.length - 1 - i] as Float32Array, rk });
    }
    let rhos: number[];
    if (order === 1) rhos = [0.5];
    else {
      const rks = [...terms.map((t) => t.rk), 1];
      rhos = solve(vandermonde(rks, order, order), this.bVector(hh, hPhi1, bH, order));
    }
    return this.combine(lastSample, ratio, alphaT, hPhi1, bH, m0, terms, rhos.slice(0, -1), modelT, rhos[rhos.length - 1] as number);
  }

  /**
   * ratio * x − scale * hPhi1 * m0 − scale * B(h) * (Σ rho_k * (m_k − m0) / r_k + rhoT * (modelT − m0)),
   * scale being alpha_t (data prediction) or sigma_t (noise prediction).
   */
  private combine(
    x: Float32Array,
    ratio: number,
    scale: number,
    hPhi1: number,
    bH: number,
    m0: Float32Array,
    terms: readonly { m: Float32Array; rk: number }[],
    rhos: readonly number[],
    modelT: Float32Array | null,
    rhoT: number,
  ): Float32Array {
    const n = x.length;
    const out = new Float32Array(n);
    const k = terms.map((t, j) => (rhos[j] ?? 0) / t.rk);
    for (let i = 0; i < n; i++) {
      const m0i = m0[i] as number;
      let res = 0;
      for (let j = 0; j < terms.length; j++) res += (k[j] as number) * ((terms[j]?.m[i] as number) - m0i);
      if (modelT !== null) res += rhoT * ((modelT[i] as number) - m0i);
      // A first-order prediction has no B(h) term (skipping it keeps bh1's infinite B(h) at sigma 0 out).
      out[i] = ratio * (x[i] as number) - scale * hPhi1 * m0i - (res === 0 ? 0 : scale * bH * res);
    }
    return out;
  }
}

/** Rows rks^0, rks^1, … (diffusers' R), cut to `rows` × `cols`. */
function vandermonde(rks: readonly number[], rows: number, cols: number): number[][] {
  return Array.from({ length: rows }, (_, i) => rks.slice(0, cols).map((r) => r ** i));
}

/** Solves a small linear system by Gaussian elimination with partial pivoting. */
function solve(matrix: number[][], rhs: readonly number[]): number[] {
  const n = rhs.length;
  const a = matrix.map((row, i) => [...row, rhs[i] as number]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r]?.[col] as number) > Math.abs(a[pivot]?.[col] as number)) pivot = r;
    [a[col], a[pivot]] = [a[pivot] as number[], a[col] as number[]];
    const p = a[col] as number[];
    for (let r = col + 1; r < n; r++) {
      const row = a[r] as number[];
      const f = (row[col] as number) / (p[col] as number);
      for (let c = col; c <= n; c++) row[c] = (row[c] as number) - f * (p[c] as number);
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    const row = a[r] as number[];
    let s = row[n] as number;
    for (let c = r + 1; c < n; c++) s -= (row[c] as number) * (x[c] as number);
    x[r] = s / (row[r] as number);
  }
  return x;
}

import type { NoiseSource } from '../noise/noise-source';
import {
  TimestepCursor,
  addNoiseByAlphaSigma,
  alphasCumprod,
  assertInferenceSteps,
  checkStepInputs,
  drawNoise,
  f32,
  karrasSigmas,
  logSigmasOf,
  numpyLinspace,
  reuseBuffer,
  roundHalfEven,
  sigmaToT,
  trainingSigmas,
} from './common';
import { alphaPredictedOriginalCoefficients, predictedOriginalFrom, type PredictedOriginalRecipe } from './predicted-original';
import type { Scheduler } from './scheduler';
import type { DpmSolverSchedulerConfig } from './scheduler-config';
import { smallestTrainingSigma } from './sigma-schedule';

const LABEL = 'dpm++2m';

/**
 * The `timesteps` diffusers' DPMSolverMultistepScheduler.set_timesteps builds (before Karras /
 * Lu sigmas replace them): "linspace" rounds `linspace(0, last - 1, n + 1)` (half to even) and
 * drops its final 0, e.g. 20 steps: 999, 949, ..., 549, 500, 450, ..., 50.
 */
export function dpmSolverTimesteps(
  config: Pick<DpmSolverSchedulerConfig, 'numTrainTimesteps' | 'timestepSpacing' | 'stepsOffset'>,
  numInferenceSteps: number,
  lastTimestep: number,
): number[] {
  const n = numInferenceSteps;
  if (config.timestepSpacing === 'linspace') {
    const grid = numpyLinspace(0, lastTimestep - 1, n + 1);
    const out: number[] = [];
    for (let i = n; i >= 1; i--) out.push(roundHalfEven(grid[i]));
    return out;
  }
  if (config.timestepSpacing === 'leading') {
    const ratio = Math.floor(lastTimestep / (n + 1));
    const out: number[] = [];
    for (let i = n; i >= 1; i--) out.push(i * ratio + config.stepsOffset);
    return out;
  }
  // trailing: round(arange(last, 0, -N / n)) - 1, with the intended ceil(last * n / N) entries.
  const ratio = config.numTrainTimesteps / n;
  const count = Math.floor((lastTimestep * n + config.numTrainTimesteps - 1) / config.numTrainTimesteps);
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(roundHalfEven(lastTimestep + i * -ratio) - 1);
  return out;
}

/** alpha_t = 1 / sqrt(sigma^2 + 1), sigma_t = sigma * alpha_t, lambda = log(alpha_t) - log(sigma_t). */
function alphaSigmaLambda(sigma: number): [alpha: number, sigmaT: number, lambda: number] {
  const alpha = 1 / Math.sqrt(sigma * sigma + 1);
  const sigmaT = sigma * alpha;
  return [alpha, sigmaT, Math.log(alpha) - Math.log(sigmaT)];
}

/**
 * diffusers' DPMSolverMultistepScheduler (DPM-Solver++, arXiv 2211.01095): by default the
 * second-order multistep "2M" solver on data (x0) predictions, first order on the first step
 * and, with final_sigmas_type "zero" (or lower_order_final below 15 steps), on the last.
 *
 * The SDE variants (algorithm_type sde-dpmsolver++ / sde-dpmsolver) draw sample-sized noise
 * from the NoiseSource every step, as diffusers does.
 */
export class DpmSolverMultistepScheduler implements Scheduler {
  readonly order = 1;
  readonly initNoiseSigma = 1;

  private readonly acp: Float64Array;
  private readonly cursor = new TimestepCursor(LABEL, 'second');
  private schedule: readonly number[] = [];
  private sigmaValues: Float64Array = new Float64Array(0);
  /** Converted model outputs of the last solver_order steps, oldest first; null where none yet. */
  private modelOutputs: (Float32Array | null)[];
  private lowerOrderNums = 0;
  private sampleLength: number | null = null;
  /** The last step's x0 (what DPM-Solver++ converts the model output to), as a recipe. */
  private lastPrediction: PredictedOriginalRecipe | null = null;

  constructor(
    readonly config: DpmSolverSchedulerConfig,
    /** The id it was made for (the Karras and SDE ids are this class with other settings). */
    readonly name: 'dpm++2m' | 'dpm++2m-karras' | 'dpm++2m-sde' | 'dpm++2m-sde-karras' = 'dpm++2m',
  ) {
    const acp = alphasCumprod(config);
    if (config.rescaleBetasZeroSnr) acp[acp.length - 1] = 2 ** -24;
    this.acp = acp;
    this.modelOutputs = new Array<Float32Array | null>(config.solverOrder).fill(null);
  }

  get timesteps(): readonly number[] {
    return this.schedule;
  }

  /** timesteps.length + 1 sigmas after setTimesteps (float32 values). */
  get sigmas(): readonly number[] {
    return Array.from(this.sigmaValues);
  }

  /** The training timestep count left after lambda_min_clipped (num_train_timesteps by default). */
  private lastTimestep(): number {
    const { lambdaMinClipped, numTrainTimesteps } = this.config;
    if (lambdaMinClipped === -Infinity) return numTrainTimesteps;
    // torch.searchsorted(flip(lambda_t), lambda_min_clipped): lambda_t in float32.
    let clipped = 0;
    for (let i = this.acp.length - 1; i >= 0; i--) {
      const a = this.acp[i];
      const lambda = f32(f32(Math.log(f32(Math.sqrt(a)))) - f32(Math.log(f32(Math.sqrt(f32(1 - a))))));
      if (lambda < lambdaMinClipped) clipped += 1;
      else break;
    }
    return numTrainTimesteps - clipped;
  }

  setTimesteps(numInferenceSteps: number): void {
    const c = this.config;
    assertInferenceSteps(LABEL, numInferenceSteps, c.numTrainTimesteps);
    let timesteps = dpmSolverTimesteps(c, numInferenceSteps, this.lastTimestep());
    if (timesteps.length === 0) {
      throw new RangeError(`${LABEL}: lambda_min_clipped leaves no timesteps for ${numInferenceSteps} steps`);
    }
    const train = trainingSigmas(this.acp);
    let sigmas: ArrayLike<number>;
    if (c.useKarrasSigmas) {
      sigmas = karrasSigmas(train[0], train[train.length - 1], numInferenceSteps);
      const logSigmas = logSigmasOf(train);
      timesteps = Array.from(sigmas, (s) => roundHalfEven(sigmaToT(s, logSigmas)));
    } else if (c.useLuLambdas) {
      // Lu et al. (2022): uniform in log-sigma between the training extremes.
      const logSigmas = logSigmasOf(train);
      const lambdaMin = logSigmas[0];
      const lambdaMax = logSigmas[logSigmas.length - 1];
      const ramp = numpyLinspace(0, 1, numInferenceSteps);
      sigmas = Float64Array.from(ramp, (r) => Math.exp(lambdaMax + r * (lambdaMin - lambdaMax)));
      timesteps = Array.from(sigmas, (s) => roundHalfEven(sigmaToT(s, logSigmas)));
    } else {
      sigmas = Float64Array.from(timesteps, (t) => train[t]);
    }
    const out = new Float64Array(sigmas.length + 1);
    for (let i = 0; i < sigmas.length; i++) out[i] = f32(sigmas[i]);
    out[sigmas.length] = c.finalSigmasType === 'sigma_min' ? smallestTrainingSigma(this.acp) : 0;

    this.sigmaValues = out;
    this.schedule = Object.freeze(timesteps);
    this.cursor.reset(this.schedule);
    this.modelOutputs.fill(null);
    this.lowerOrderNums = 0;
    this.sampleLength = null;
    this.lastPrediction = null;
  }

  predictedOriginalSample(): Float32Array | null {
    return this.lastPrediction === null ? null : predictedOriginalFrom(this.lastPrediction);
  }

  scaleModelInput(sample: Float32Array, timestep: number): Float32Array {
    this.cursor.locate(timestep);
    return sample;
  }

  /** A begun schedule starts with an empty history, so the solver runs first order again (as diffusers after set_timesteps). */
  setBeginIndex(beginIndex: number): void {
    this.cursor.setBegin(beginIndex);
  }

  addNoise(original: Float32Array, noise: Float32Array, timestep: number): Float32Array {
    return addNoiseByAlphaSigma(LABEL, this.sigmaValues[this.cursor.noiseIndex(timestep)], original, noise);
  }

  step(modelOutput: Float32Array, timestep: number, sample: Float32Array, noise?: NoiseSource): Float32Array {
    checkStepInputs(LABEL, modelOutput, sample, this.sampleLength);
    const index = this.cursor.locate(timestep);
    const c = this.config;
    const n = sample.length;
    const count = this.schedule.length;
    const sde = c.algorithmType === 'sde-dpmsolver++' || c.algorithmType === 'sde-dpmsolver';
    const stepNoise = sde ? drawNoise(LABEL, noise, n) : null;
    this.sampleLength = n;
    const [alphaS, sigmaS] = alphaSigmaLambda(this.sigmaValues[index]);
    const [p, q] = alphaPredictedOriginalCoefficients(c.predictionType, alphaS, sigmaS);
    this.lastPrediction = { sample, output: modelOutput, p, q };

    const lowerOrderFinal =
      index === count - 1 &&
      (c.eulerAtFinal || (c.lowerOrderFinal && count < 15) || c.finalSigmasType === 'zero');
    const lowerOrderSecond = index === count - 2 && c.lowerOrderFinal && count < 15;

    // convert_model_output, into the history slot freed by the oldest output.
    const outputs = this.modelOutputs;
    const converted = reuseBuffer(outputs[0], n);
    for (let k = 0; k < outputs.length - 1; k++) outputs[k] = outputs[k + 1];
    outputs[outputs.length - 1] = converted;
    this.convertModelOutput(modelOutput, sample, this.sigmaValues[index], converted);

    let out: Float32Array;
    if (c.solverOrder === 1 || this.lowerOrderNums < 1 || lowerOrderFinal) {
      out = this.firstOrderUpdate(index, converted, sample, stepNoise);
    } else if (c.solverOrder === 2 || this.lowerOrderNums < 2 || lowerOrderSecond) {
      out = this.secondOrderUpdate(index, outputs, sample, stepNoise);
    } else {
      out = this.thirdOrderUpdate(index, outputs, sample);
    }
    if (this.lowerOrderNums < c.solverOrder) this.lowerOrderNums += 1;
    this.cursor.advance();
    return out;
  }

  /** DPM-Solver++ works on x0 predictions, DPM-Solver on epsilon predictions. */
  private convertModelOutput(modelOutput: Float32Array, sample: Float32Array, sigma: number, into: Float32Array): void {
    const [alpha, sigmaT] = alphaSigmaLambda(sigma);
    const type = this.config.predictionType;
    let p: number;
    let q: number;
    if (this.config.algorithmType === 'dpmsolver++' || this.config.algorithmType === 'sde-dpmsolver++') {
      // x0 = p * sample + q * output
      if (type === 'epsilon') [p, q] = [1 / alpha, -sigmaT / alpha];
      else if (type === 'sample') [p, q] = [0, 1];
      else [p, q] = [alpha, -sigmaT];
    } else {
      // eps = p * sample + q * output
      if (type === 'epsilon') [p, q] = [0, 1];
      else if (type === 'sample') [p, q] = [1 / sigmaT, -alpha / sigmaT];
      else [p, q] = [sigmaT, alpha];
    }
    for (let i = 0; i < into.length; i++) into[i] = p * sample[i] + q * modelOutput[i];
  }

  private firstOrderUpdate(
    index: number,
    m0: Float32Array,
    sample: Float32Array,
    noise: Float32Array | null,
  ): Float32Array {
    const [alphaT, sigmaT, lambdaT] = alphaSigmaLambda(this.sigmaValues[index + 1]);
    const [alphaS, sigmaS, lambdaS] = alphaSigmaLambda(this.sigmaValues[index]);
    const h = lambdaT - lambdaS;
    let cs: number;
    let cm: number;
    let cn = 0;
    switch (this.config.algorithmType) {
      case 'dpmsolver++':
        cs = sigmaT / sigmaS;
        cm = -alphaT * Math.expm1(-h);
        break;
      case 'dpmsolver':
        cs = alphaT / alphaS;
        cm = -sigmaT * Math.expm1(h);
        break;
      case 'sde-dpmsolver++':
        cs = (sigmaT / sigmaS) * Math.exp(-h);
        cm = alphaT * -Math.expm1(-2 * h);
        cn = sigmaT * Math.sqrt(-Math.expm1(-2 * h));
        break;
      default:
        cs = alphaT / alphaS;
        cm = -2 * sigmaT * Math.expm1(h);
        cn = sigmaT * Math.sqrt(Math.expm1(2 * h));
    }
    return combine(sample, cs, m0, cm, null, 0, null, 0, noise, cn);
  }

  private secondOrderUpdate(
    index: number,
    outputs: readonly (Float32Array | null)[],
    sample: Float32Array,
    noise: Float32Array | null,
  ): Float32Array {
    const m0 = outputs[outputs.length - 1] as Float32Array;
    const m1 = outputs[outputs.length - 2] as Float32Array;
    const [alphaT, sigmaT, lambdaT] = alphaSigmaLambda(this.sigmaValues[index + 1]);
    const [alphaS0, sigmaS0, lambdaS0] = alphaSigmaLambda(this.sigmaValues[index]);
    const [, , lambdaS1] = alphaSigmaLambda(this.sigmaValues[index - 1]);
    const h = lambdaT - lambdaS0;
    const r0 = (lambdaS0 - lambdaS1) / h;
    const heun = this.config.solverType === 'heun';
    // x_t = cs * sample + cd0 * D0 + cd1 * D1 (+ cn * noise), D0 = m0, D1 = (m0 - m1) / r0.
    let cs: number;
    let cd0: number;
    let cd1: number;
    let cn = 0;
    switch (this.config.algorithmType) {
      case 'dpmsolver++': {
        const e = Math.expm1(-h); // exp(-h) - 1
        cs = sigmaT / sigmaS0;
        cd0 = -alphaT * e;
        cd1 = heun ? alphaT * (e / h + 1) : -0.5 * alphaT * e;
        break;
      }
      case 'dpmsolver': {
        const e = Math.expm1(h);
        cs = alphaT / alphaS0;
        cd0 = -sigmaT * e;
        cd1 = heun ? -sigmaT * (e / h - 1) : -0.5 * sigmaT * e;
        break;
      }
      case 'sde-dpmsolver++': {
        const e = -Math.expm1(-2 * h); // 1 - exp(-2h)
        cs = (sigmaT / sigmaS0) * Math.exp(-h);
        cd0 = alphaT * e;
        cd1 = heun ? alphaT * (e / (-2 * h) + 1) : 0.5 * alphaT * e;
        cn = sigmaT * Math.sqrt(e);
        break;
      }
      default: {
        const e = Math.expm1(h);
        cs = alphaT / alphaS0;
        cd0 = -2 * sigmaT * e;
        cd1 = heun ? -2 * sigmaT * (e / h - 1) : -sigmaT * e;
        cn = sigmaT * Math.sqrt(Math.expm1(2 * h));
      }
    }
    const k = cd1 / r0;
    return combine(sample, cs, m0, cd0 + k, m1, -k, null, 0, noise, cn);
  }

  private thirdOrderUpdate(index: number, outputs: readonly (Float32Array | null)[], sample: Float32Array): Float32Array {
    const m0 = outputs[outputs.length - 1] as Float32Array;
    const m1 = outputs[outputs.length - 2] as Float32Array;
    const m2 = outputs[outputs.length - 3] as Float32Array;
    const [alphaT, sigmaT, lambdaT] = alphaSigmaLambda(this.sigmaValues[index + 1]);
    const [alphaS0, sigmaS0, lambdaS0] = alphaSigmaLambda(this.sigmaValues[index]);
    const [, , lambdaS1] = alphaSigmaLambda(this.sigmaValues[index - 1]);
    const [, , lambdaS2] = alphaSigmaLambda(this.sigmaValues[index - 2]);
    const h = lambdaT - lambdaS0;
    const r0 = (lambdaS0 - lambdaS1) / h;
    const r1 = (lambdaS1 - lambdaS2) / h;
    // x_t = cs * sample + cd0 * D0 + cd1 * D1 + cd2 * D2 with D1_0 = (m0 - m1) / r0,
    // D1_1 = (m1 - m2) / r1, D1 = D1_0 + r0 / (r0 + r1) * (D1_0 - D1_1), D2 = (D1_0 - D1_1) / (r0 + r1).
    let cs: number;
    let cd0: number;
    let cd1: number;
    let cd2: number;
    if (this.config.algorithmType === 'dpmsolver++') {
      const e = Math.expm1(-h);
      cs = sigmaT / sigmaS0;
      cd0 = -alphaT * e;
      cd1 = alphaT * (e / h + 1);
      cd2 = -alphaT * ((e + h) / (h * h) - 0.5);
    } else {
      const e = Math.expm1(h);
      cs = alphaT / alphaS0;
      cd0 = -sigmaT * e;
      cd1 = -sigmaT * (e / h - 1);
      cd2 = -sigmaT * ((e - h) / (h * h) - 0.5);
    }
    const ratio = r0 / (r0 + r1);
    const c10 = cd1 * (1 + ratio) + cd2 / (r0 + r1); // coefficient of D1_0
    const c11 = -cd1 * ratio - cd2 / (r0 + r1); // coefficient of D1_1
    return combine(sample, cs, m0, cd0 + c10 / r0, m1, -c10 / r0 + c11 / r1, m2, -c11 / r1, null, 0);
  }
}

/** cs * sample + c0 * m0 + c1 * m1 + c2 * m2 + cn * noise, the optional terms skipped when null. */
function combine(
  sample: Float32Array,
  cs: number,
  m0: Float32Array,
  c0: number,
  m1: Float32Array | null,
  c1: number,
  m2: Float32Array | null,
  c2: number,
  noise: Float32Array | null,
  cn: number,
): Float32Array {
  const n = sample.length;
  const out = new Float32Array(n);
  if (m1 === null) {
    for (let i = 0; i < n; i++) out[i] = cs * sample[i] + c0 * m0[i];
  } else if (m2 === null) {
    for (let i = 0; i < n; i++) out[i] = cs * sample[i] + c0 * m0[i] + c1 * m1[i];
  } else {
    for (let i = 0; i < n; i++) out[i] = cs * sample[i] + c0 * m0[i] + c1 * m1[i] + c2 * m2[i];
  }
  if (noise !== null) {
    for (let i = 0; i < n; i++) out[i] += cn * noise[i];
  }
  return out;
}

import type { NoiseSource } from '../noise/noise-source';
import { alphasCumprod, checkStepInputs, reuseBuffer } from './common';
import { predictedOriginalCoefficients } from './euler-scheduler';
import type { Scheduler } from './scheduler';
import type { LmsSchedulerConfig } from './scheduler-config';
import { SigmaScheduler, type SigmaChoices } from './sigma-scheduler';

const LABEL = 'lms';
/** diffusers' default `order` argument of LMSDiscreteScheduler.step (the SD pipeline passes none). */
const LMS_ORDER = 4;

// 4-point Gauss-Legendre nodes and weights on [-1, 1]: exact for polynomials of degree <= 7.
const GL_NODES = [-0.8611363115940526, -0.3399810435848563, 0.3399810435848563, 0.8611363115940526];
const GL_WEIGHTS = [0.3478548451374538, 0.6521451548625461, 0.6521451548625461, 0.3478548451374538];

/**
 * The linear multistep coefficient diffusers' `get_lms_coefficient` integrates with
 * scipy.integrate.quad: the integral from sigmas[t] to sigmas[t + 1] of the Lagrange basis
 * polynomial of node `current` over the nodes sigmas[t], sigmas[t - 1], ..., sigmas[t - order + 1].
 * The integrand has degree order - 1 <= 3, so Gauss-Legendre quadrature is exact here.
 */
export function lmsCoefficient(sigmas: ArrayLike<number>, order: number, t: number, current: number): number {
  const basis = (tau: number): number => {
    let prod = 1;
    for (let k = 0; k < order; k++) {
      if (k === current) continue;
      prod *= (tau - sigmas[t - k]) / (sigmas[t - current] - sigmas[t - k]);
    }
    return prod;
  };
  const a = sigmas[t];
  const b = sigmas[t + 1];
  const half = (b - a) / 2;
  const mid = (a + b) / 2;
  let sum = 0;
  for (let i = 0; i < GL_NODES.length; i++) sum += GL_WEIGHTS[i] * basis(mid + half * GL_NODES[i]);
  return sum * half;
}

/**
 * diffusers' LMSDiscreteScheduler: k-diffusion's linear multistep sampler of order 4, on the
 * derivatives (x - x0) / sigma of up to the last 4 steps.
 */
export class LmsDiscreteScheduler extends SigmaScheduler<LmsSchedulerConfig> implements Scheduler {

  /** Derivatives of past steps, oldest first, at most LMS_ORDER. */
  private derivatives: Float32Array[] = [];
  private sampleLength: number | null = null;

  constructor(
    config: LmsSchedulerConfig,
    /** The id it was made for (lms-karras is this class with Karras sigmas). */
    readonly name: 'lms' | 'lms-karras' = 'lms',
  ) {
    super(config, LABEL, alphasCumprod(config));
  }

  protected sigmaChoices(): SigmaChoices {
    return { useKarrasSigmas: this.config.useKarrasSigmas, karrasSigmaMin: null, karrasSigmaMax: null, finalSigma: 0 };
  }

  protected override resetHistory(): void {
    this.derivatives = [];
    this.sampleLength = null;
  }

  step(modelOutput: Float32Array, timestep: number, sample: Float32Array, _noise?: NoiseSource): Float32Array {
    checkStepInputs(LABEL, modelOutput, sample, this.sampleLength);
    const index = this.cursor.locate(timestep);
    this.sampleLength = sample.length;
    const n = sample.length;
    const sigmas = this.sigmaValues;
    const sigma = sigmas[index];

    // derivative = (x - x0) / sigma with x0 = p * x + q * output.
    const [p, q] = predictedOriginalCoefficients(this.config.predictionType, sigma);
    this.lastPrediction = { sample, output: modelOutput, p, q };
    const dS = (1 - p) / sigma;
    const dM = -q / sigma;
    const derivative = reuseBuffer(this.derivatives.length >= LMS_ORDER ? this.derivatives.shift() : null, n);
    for (let i = 0; i < n; i++) derivative[i] = dS * sample[i] + dM * modelOutput[i];
    this.derivatives.push(derivative);

    // diffusers takes the order from the step index and zips the coefficients with the
    // derivatives newest first, so a schedule entered part way uses what it has.
    const order = Math.min(index + 1, LMS_ORDER);
    const used = Math.min(order, this.derivatives.length);
    const coeffs = new Float64Array(4);
    const history: Float32Array[] = [];
    for (let k = 0; k < used; k++) {
      coeffs[k] = lmsCoefficient(sigmas, order, index, k);
      history.push(this.derivatives[this.derivatives.length - 1 - k]);
    }
    const out = new Float32Array(n);
    const [c0, c1, c2, c3] = coeffs;
    const [d0, d1, d2, d3] = history;
    if (used === 1) {
      for (let i = 0; i < n; i++) out[i] = sample[i] + c0 * d0[i];
    } else if (used === 2) {
      for (let i = 0; i < n; i++) out[i] = sample[i] + (c0 * d0[i] + c1 * d1[i]);
    } else if (used === 3) {
      for (let i = 0; i < n; i++) out[i] = sample[i] + (c0 * d0[i] + c1 * d1[i] + c2 * d2[i]);
    } else {
      for (let i = 0; i < n; i++) out[i] = sample[i] + (c0 * d0[i] + c1 * d1[i] + c2 * d2[i] + c3 * d3[i]);
    }
    this.cursor.advance();
    return out;
  }
}

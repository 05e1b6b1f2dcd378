import type { NoiseSource } from '../noise/noise-source';
import { alphasCumprod, checkStepInputs, drawNoise, f32 } from './common';
import type { Scheduler } from './scheduler';
import type { EulerSchedulerConfig } from './scheduler-config';
import { smallestTrainingSigma } from './sigma-schedule';
import { SigmaScheduler, type SigmaChoices } from './sigma-scheduler';

const LABEL = 'euler';

/** EulerDiscreteScheduler.step's "churn" arguments (Karras et al. 2022, Algorithm 2); all off by default. */
export interface EulerOptions {
  readonly sChurn?: number;
  readonly sTmin?: number;
  readonly sTmax?: number;
  readonly sNoise?: number;
}

/**
 * x0 = p * sample + q * modelOutput for each prediction type (k-diffusion parameterization,
 * where the UNet input is sample / sqrt(sigma^2 + 1)).
 */
export function predictedOriginalCoefficients(
  predictionType: 'epsilon' | 'v_prediction' | 'sample',
  sigma: number,
  sigmaHat: number = sigma,
): [p: number, q: number] {
  if (predictionType === 'epsilon') return [1, -sigmaHat];
  if (predictionType === 'v_prediction') {
    const s2 = sigma * sigma + 1;
    return [1 / s2, -sigma / Math.sqrt(s2)];
  }
  return [0, 1];
}

/**
 * diffusers' EulerDiscreteScheduler (Karras et al. 2022, Algorithm 2 without churn by default):
 * `x_prev = x + (x - x0) / sigma * (sigma_next - sigma)`.
 *
 * With churn (s_churn > 0) a step draws sample-sized noise from the NoiseSource; without, it
 * draws none. (diffusers 0.30 draws that noise every step and discards it when churn is off;
 * 0.31+ only draws it when used. Either way the images are the same as long as nothing else
 * reads the stream afterwards, which is the case for one image's stream.)
 */
export class EulerDiscreteScheduler extends SigmaScheduler<EulerSchedulerConfig> implements Scheduler {

  private readonly sChurn: number;
  private readonly sTmin: number;
  private readonly sTmax: number;
  private readonly sNoise: number;

  constructor(
    config: EulerSchedulerConfig,
    options: EulerOptions = {},
    /** The id it was made for (euler-karras is this class with Karras sigmas). */
    readonly name: 'euler' | 'euler-karras' = 'euler',
  ) {
    const acp = alphasCumprod(config);
    // diffusers keeps the zero-SNR terminal step finite.
    if (config.rescaleBetasZeroSnr) acp[acp.length - 1] = 2 ** -24;
    super(config, LABEL, acp);
    this.sChurn = checkOption('sChurn', options.sChurn, 0, 0);
    this.sTmin = checkOption('sTmin', options.sTmin, 0, 0);
    this.sTmax = checkOption('sTmax', options.sTmax, Infinity, 0);
    this.sNoise = checkOption('sNoise', options.sNoise, 1, 0);
  }

  protected sigmaChoices(): SigmaChoices {
    const c = this.config;
    return {
      useKarrasSigmas: c.useKarrasSigmas,
      karrasSigmaMin: c.sigmaMin,
      karrasSigmaMax: c.sigmaMax,
      finalSigma: c.finalSigmasType === 'sigma_min' ? smallestTrainingSigma(this.acp) : 0,
    };
  }

  protected override timestepsFor(timesteps: number[], sigmas: Float64Array): number[] {
    const c = this.config;
    if (c.timestepType !== 'continuous' || c.predictionType !== 'v_prediction') return timesteps;
    // The UNet is conditioned on 0.25 * log(sigma) instead of a training timestep.
    return Array.from(sigmas.subarray(0, sigmas.length - 1), (s) => f32(0.25 * f32(Math.log(s))));
  }

  step(modelOutput: Float32Array, timestep: number, sample: Float32Array, noise?: NoiseSource): Float32Array {
    checkStepInputs(LABEL, modelOutput, sample, null);
    const index = this.cursor.locate(timestep);
    const n = sample.length;
    const sigmas = this.sigmaValues;
    const sigma = sigmas[index];

    const gamma =
      this.sTmin <= sigma && sigma <= this.sTmax ? Math.min(this.sChurn / (sigmas.length - 1), Math.SQRT2 - 1) : 0;
    const sigmaHat = f32(sigma * (gamma + 1));
    let churnNoise: Float32Array | null = null;
    let churnScale = 0;
    if (gamma > 0) {
      churnNoise = drawNoise(LABEL, noise, n);
      churnScale = this.sNoise * Math.sqrt(sigmaHat * sigmaHat - sigma * sigma);
    }

    // x_prev = x + (x - x0) / sigma_hat * dt with x0 = p * x + q * output.
    const [p, q] = predictedOriginalCoefficients(this.config.predictionType, sigma, sigmaHat);
    const dt = sigmas[index + 1] - sigmaHat;
    const sampleCoeff = 1 + ((1 - p) * dt) / sigmaHat;
    const outputCoeff = (-q * dt) / sigmaHat;

    this.lastPrediction = churnNoise === null ? { sample, output: modelOutput, p, q } : { sample, output: modelOutput, p, q, noise: churnNoise, noiseScale: churnScale };
    const out = new Float32Array(n);
    if (churnNoise === null) {
      for (let i = 0; i < n; i++) out[i] = sampleCoeff * sample[i] + outputCoeff * modelOutput[i];
    } else {
      for (let i = 0; i < n; i++) {
        const s = Math.fround(sample[i] + churnScale * churnNoise[i]);
        out[i] = sampleCoeff * s + outputCoeff * modelOutput[i];
      }
    }
    this.cursor.advance();
    return out;
  }
}

function checkOption(name: string, value: number | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || Number.isNaN(value) || value < min) {
    throw new RangeError(`${LABEL}: ${name} must be a number >= ${min}, got ${String(value)}`);
  }
  return value;
}

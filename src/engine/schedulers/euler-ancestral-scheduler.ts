import type { NoiseSource } from '../noise/noise-source';
import { alphasCumprod, checkStepInputs, drawNoise } from './common';
import { predictedOriginalCoefficients } from './euler-scheduler';
import type { Scheduler } from './scheduler';
import type { EulerAncestralSchedulerConfig } from './scheduler-config';
import { SigmaScheduler, type SigmaChoices } from './sigma-scheduler';

const LABEL = 'euler-a';

/**
 * diffusers' EulerAncestralDiscreteScheduler: an Euler step down to
 * `sigma_down = sqrt(sigma_next^2 - sigma_up^2)`, then fresh noise times
 * `sigma_up = sqrt(sigma_next^2 (sigma^2 - sigma_next^2) / sigma^2)`.
 *
 * Every step, the last one included (where sigma_up is 0), draws sample-sized noise from the
 * NoiseSource, as diffusers draws `randn_tensor(model_output.shape, generator)`.
 */
export class EulerAncestralDiscreteScheduler extends SigmaScheduler<EulerAncestralSchedulerConfig> implements Scheduler {
  readonly name = 'euler-a' as const;

  constructor(config: EulerAncestralSchedulerConfig) {
    const acp = alphasCumprod(config);
    // diffusers keeps the zero-SNR terminal step finite.
    if (config.rescaleBetasZeroSnr) acp[acp.length - 1] = 2 ** -24;
    super(config, LABEL, acp);
  }

  protected sigmaChoices(): SigmaChoices {
    return { useKarrasSigmas: false, karrasSigmaMin: null, karrasSigmaMax: null, finalSigma: 0 };
  }

  step(modelOutput: Float32Array, timestep: number, sample: Float32Array, noise?: NoiseSource): Float32Array {
    checkStepInputs(LABEL, modelOutput, sample, null);
    const index = this.cursor.locate(timestep);
    const n = sample.length;
    const sigma = this.sigmaValues[index];
    const sigmaTo = this.sigmaValues[index + 1];
    const sigmaUp = Math.sqrt((sigmaTo * sigmaTo * (sigma * sigma - sigmaTo * sigmaTo)) / (sigma * sigma));
    const sigmaDown = Math.sqrt(Math.max(0, sigmaTo * sigmaTo - sigmaUp * sigmaUp));

    // x_prev = x + (x - x0) / sigma * (sigma_down - sigma) + sigma_up * noise, x0 = p * x + q * output.
    const [p, q] = predictedOriginalCoefficients(this.config.predictionType, sigma);
    const dt = sigmaDown - sigma;
    const sampleCoeff = 1 + ((1 - p) * dt) / sigma;
    const outputCoeff = (-q * dt) / sigma;
    const stepNoise = drawNoise(LABEL, noise, n);
    this.lastPrediction = { sample, output: modelOutput, p, q };

    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const deterministic = Math.fround(sampleCoeff * sample[i] + outputCoeff * modelOutput[i]);
      out[i] = deterministic + sigmaUp * stepNoise[i];
    }
    this.cursor.advance();
    return out;
  }
}

import type { NoiseSource } from '../noise/noise-source';
import { TimestepCursor, alphasCumprod, assertInferenceSteps, checkStepInputs, drawNoise, scaleBySigma } from './common';
import { predictedOriginalCoefficients } from './euler-scheduler';
import type { Scheduler } from './scheduler';
import type { EulerAncestralSchedulerConfig } from './scheduler-config';
import { initNoiseSigmaOf, initialSigmas, sigmaSchedule } from './sigma-schedule';

const LABEL = 'euler-a';

/**
 * diffusers' EulerAncestralDiscreteScheduler: an Euler step down to
 * `sigma_down = sqrt(sigma_next^2 - sigma_up^2)`, then fresh noise times
 * `sigma_up = sqrt(sigma_next^2 (sigma^2 - sigma_next^2) / sigma^2)`.
 *
 * Every step, the last one included (where sigma_up is 0), draws sample-sized noise from the
 * NoiseSource, as diffusers draws `randn_tensor(model_output.shape, generator)`.
 */
export class EulerAncestralDiscreteScheduler implements Scheduler {
  readonly name = 'euler-a' as const;
  readonly order = 1;

  private readonly acp: Float64Array;
  private readonly cursor = new TimestepCursor(LABEL, 'second');
  private schedule: readonly number[] = [];
  private sigmaValues: Float64Array;

  constructor(readonly config: EulerAncestralSchedulerConfig) {
    const acp = alphasCumprod(config);
    if (config.rescaleBetasZeroSnr) acp[acp.length - 1] = 2 ** -24;
    this.acp = acp;
    this.sigmaValues = initialSigmas(acp);
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
      useKarrasSigmas: false,
      karrasSigmaMin: null,
      karrasSigmaMax: null,
      finalSigma: 0,
    });
    this.sigmaValues = sigmas;
    this.schedule = Object.freeze(timesteps);
    this.cursor.reset(this.schedule);
  }

  scaleModelInput(sample: Float32Array, timestep: number): Float32Array {
    return scaleBySigma(sample, this.sigmaValues[this.cursor.locate(timestep)]);
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

    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const deterministic = Math.fround(sampleCoeff * sample[i] + outputCoeff * modelOutput[i]);
      out[i] = deterministic + sigmaUp * stepNoise[i];
    }
    this.cursor.advance();
    return out;
  }
}

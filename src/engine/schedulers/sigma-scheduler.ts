/**
 * What Euler, Euler ancestral and LMS share (k-diffusion samplers in diffusers): a sigma for each
 * training timestep, a schedule of (timestep, sigma) pairs set by `setTimesteps`, the initial noise
 * scale and `scaleModelInput = sample / sqrt(sigma² + 1)`. Subclasses add their step.
 */
import { TimestepCursor, addNoiseBySigma, assertInferenceSteps, scaleBySigma } from './common';
import { predictedOriginalFrom, type PredictedOriginalRecipe } from './predicted-original';
import type { CommonSchedulerConfig } from './scheduler-config';
import { initNoiseSigmaOf, initialSigmas, sigmaSchedule, type SigmaScheduleSpec } from './sigma-schedule';

export type SigmaChoices = Pick<SigmaScheduleSpec, 'useKarrasSigmas' | 'karrasSigmaMin' | 'karrasSigmaMax' | 'finalSigma'>;

export abstract class SigmaScheduler<C extends CommonSchedulerConfig> {
  readonly order = 1;

  protected readonly cursor: TimestepCursor;
  protected schedule: readonly number[] = [];
  protected sigmaValues: Float64Array;
  /** The last step's x0, as a recipe (see predicted-original.ts). */
  protected lastPrediction: PredictedOriginalRecipe | null = null;

  protected constructor(
    readonly config: C,
    protected readonly label: string,
    protected readonly acp: Float64Array,
  ) {
    this.cursor = new TimestepCursor(label, 'second');
    this.sigmaValues = initialSigmas(acp);
  }

  get timesteps(): readonly number[] {
    return this.schedule;
  }

  /** numInferenceSteps + 1 sigmas after setTimesteps (float32 values). */
  get sigmas(): readonly number[] {
    return Array.from(this.sigmaValues);
  }

  get initNoiseSigma(): number {
    return initNoiseSigmaOf(this.sigmaValues, this.config.timestepSpacing);
  }

  setTimesteps(numInferenceSteps: number): void {
    const c = this.config;
    assertInferenceSteps(this.label, numInferenceSteps, c.numTrainTimesteps);
    const { timesteps, sigmas } = sigmaSchedule(this.acp, numInferenceSteps, {
      numTrainTimesteps: c.numTrainTimesteps,
      timestepSpacing: c.timestepSpacing,
      stepsOffset: c.stepsOffset,
      ...this.sigmaChoices(),
    });
    this.sigmaValues = sigmas;
    this.schedule = Object.freeze(this.timestepsFor(timesteps, sigmas));
    this.cursor.reset(this.schedule);
    this.lastPrediction = null;
    this.resetHistory();
  }

  scaleModelInput(sample: Float32Array, timestep: number): Float32Array {
    return scaleBySigma(sample, this.sigmaValues[this.cursor.locate(timestep)]);
  }

  setBeginIndex(beginIndex: number): void {
    this.cursor.setBegin(beginIndex);
  }

  addNoise(original: Float32Array, noise: Float32Array, timestep: number): Float32Array {
    return addNoiseBySigma(this.label, this.sigmaValues[this.cursor.noiseIndex(timestep)], original, noise);
  }

  predictedOriginalSample(): Float32Array | null {
    return this.lastPrediction === null ? null : predictedOriginalFrom(this.lastPrediction);
  }

  /** Karras sigmas and the final sigma, as this class's config asks. */
  protected abstract sigmaChoices(): SigmaChoices;

  /** The timesteps the UNet is conditioned on; training timesteps unless a subclass says otherwise. */
  protected timestepsFor(timesteps: number[], _sigmas: Float64Array): number[] {
    return timesteps;
  }

  /** Multistep samplers forget their past derivatives here. */
  protected resetHistory(): void {}
}

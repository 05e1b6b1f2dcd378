import {
  f32,
  interpOnIndexGrid,
  karrasSigmas,
  logSigmasOf,
  sigmaToT,
  spacedTimesteps,
  trainingSigmas,
} from './common';
import type { TimestepSpacing } from './common';

/**
 * The sigma schedule of diffusers' k-diffusion style schedulers (EulerDiscrete,
 * EulerAncestralDiscrete, LMSDiscrete): timesteps on the `timestep_spacing` grid (fractional
 * for "linspace"), sigmas `sqrt((1 - acp) / acp)` linearly interpolated at them, optionally
 * replaced by Karras sigmas, then a final sigma appended.
 */
export interface SigmaScheduleSpec {
  readonly numTrainTimesteps: number;
  readonly timestepSpacing: TimestepSpacing;
  readonly stepsOffset: number;
  readonly useKarrasSigmas: boolean;
  /** Karras range overrides (EulerDiscrete's sigma_min / sigma_max); null: the interpolated ends. */
  readonly karrasSigmaMin: number | null;
  readonly karrasSigmaMax: number | null;
  /** The sigma appended after the last step (0, or sigma of timestep 0 for final_sigmas_type sigma_min). */
  readonly finalSigma: number;
}

export interface SigmaSchedule {
  /** float32 values, as diffusers returns them. */
  readonly timesteps: number[];
  /** numInferenceSteps + 1 float32 values, the last one the final sigma. */
  readonly sigmas: Float64Array;
}

export function sigmaSchedule(
  alphasCumprodValues: Float64Array,
  numInferenceSteps: number,
  spec: SigmaScheduleSpec,
): SigmaSchedule {
  const train = trainingSigmas(alphasCumprodValues);
  let timesteps: ArrayLike<number> = spacedTimesteps(
    spec.timestepSpacing,
    spec.numTrainTimesteps,
    numInferenceSteps,
    spec.stepsOffset,
    false,
  );
  let sigmas: Float64Array = Float64Array.from(timesteps, (t) => interpOnIndexGrid(t, train));
  if (spec.useKarrasSigmas) {
    const sigmaMin = spec.karrasSigmaMin ?? sigmas[sigmas.length - 1];
    const sigmaMax = spec.karrasSigmaMax ?? sigmas[0];
    sigmas = karrasSigmas(sigmaMin, sigmaMax, numInferenceSteps);
    const logSigmas = logSigmasOf(train);
    timesteps = Float64Array.from(sigmas, (s) => sigmaToT(s, logSigmas));
  }
  const out = new Float64Array(sigmas.length + 1);
  for (let i = 0; i < sigmas.length; i++) out[i] = f32(sigmas[i]);
  out[sigmas.length] = f32(spec.finalSigma);
  return { timesteps: Array.from(timesteps, f32), sigmas: out };
}

/** The sigmas a k-diffusion style scheduler holds before set_timesteps: training sigmas, descending, then 0. */
export function initialSigmas(alphasCumprodValues: Float64Array): Float64Array {
  const train = trainingSigmas(alphasCumprodValues);
  const out = new Float64Array(train.length + 1);
  for (let i = 0; i < train.length; i++) out[i] = train[train.length - 1 - i];
  return out;
}

/** diffusers' `init_noise_sigma`: the largest sigma, or sqrt(max^2 + 1) for "leading" spacing. */
export function initNoiseSigmaOf(sigmas: Float64Array, spacing: TimestepSpacing): number {
  let max = -Infinity;
  for (let i = 0; i < sigmas.length; i++) if (sigmas[i] > max) max = sigmas[i];
  return spacing === 'leading' ? f32(Math.sqrt(f32(f32(max * max) + 1))) : max;
}

/** sqrt((1 - acp[0]) / acp[0]) in float32: final_sigmas_type "sigma_min". */
export function smallestTrainingSigma(alphasCumprodValues: Float64Array): number {
  const a = alphasCumprodValues[0];
  return f32(Math.sqrt(f32(f32(1 - a) / a)));
}

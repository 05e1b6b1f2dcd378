/**
 * The schedule UniPC and DEIS build in `set_timesteps` (diffusers 0.30): DPM-Solver's timestep
 * spacing, the training sigmas at those timesteps (or Karras sigmas over the training range, the
 * timesteps then rounded from them), and one final sigma appended. Sigmas are kept as float32 values.
 */
import { f32, karrasSigmas, logSigmasOf, roundHalfEven, sigmaToT, trainingSigmas } from './common';
import { dpmSolverTimesteps } from './dpm-solver-multistep-scheduler';

export interface MultistepSchedule {
  readonly timesteps: number[];
  /** timesteps.length + 1 values. */
  readonly sigmas: Float64Array;
}

export function multistepSchedule(
  config: Parameters<typeof dpmSolverTimesteps>[0] & { readonly useKarrasSigmas: boolean; readonly numTrainTimesteps: number },
  acp: Float64Array,
  numInferenceSteps: number,
  /** The sigma appended after the spaced ones (Karras schedules repeat their last sigma instead). */
  finalSigma: number,
): MultistepSchedule {
  let timesteps = dpmSolverTimesteps(config, numInferenceSteps, config.numTrainTimesteps);
  const train = trainingSigmas(acp);
  let sigmas: ArrayLike<number>;
  let last: number;
  if (config.useKarrasSigmas) {
    sigmas = karrasSigmas(train[0] as number, train[train.length - 1] as number, numInferenceSteps);
    const logSigmas = logSigmasOf(train);
    timesteps = Array.from(sigmas, (s) => roundHalfEven(sigmaToT(s, logSigmas)));
    // diffusers 0.30 repeats the last Karras sigma here, whatever final_sigmas_type says.
    last = sigmas[sigmas.length - 1] as number;
  } else {
    sigmas = Float64Array.from(timesteps, (t) => train[t] as number);
    last = finalSigma;
  }
  const out = new Float64Array(sigmas.length + 1);
  for (let i = 0; i < sigmas.length; i++) out[i] = f32(sigmas[i] as number);
  out[sigmas.length] = f32(last);
  return { timesteps, sigmas: out };
}

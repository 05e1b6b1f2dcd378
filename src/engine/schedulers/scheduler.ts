import type { NoiseSource } from '../noise/noise-source';

/** The samplers this server offers; each maps onto one diffusers scheduler class. */
export const SCHEDULER_NAMES = ['pndm', 'ddim', 'euler', 'euler-a', 'dpm++2m', 'lms'] as const;

export type SchedulerName = (typeof SCHEDULER_NAMES)[number];

/** The diffusers class each name stands for; configs are read with that class's keys and defaults. */
export const SCHEDULER_CLASS_NAMES: Readonly<Record<SchedulerName, string>> = {
  pndm: 'PNDMScheduler',
  ddim: 'DDIMScheduler',
  euler: 'EulerDiscreteScheduler',
  'euler-a': 'EulerAncestralDiscreteScheduler',
  'dpm++2m': 'DPMSolverMultistepScheduler',
  lms: 'LMSDiscreteScheduler',
};

/**
 * One generation's denoising schedule and solver state, mirroring a diffusers scheduler object.
 *
 * Samples are one sequence's latents as a flat Float32Array (e.g. 4×h×w). Every generation gets
 * its own object, so generations can be interleaved freely.
 */
export interface Scheduler {
  readonly name: SchedulerName;
  /** One entry per UNet call, after setTimesteps (PNDM repeats one, as diffusers does). */
  readonly timesteps: readonly number[];
  /** Standard deviation the initial N(0, 1) latents are multiplied by. */
  readonly initNoiseSigma: number;
  readonly order: number;
  setTimesteps(numInferenceSteps: number): void;
  /** Returns `sample` itself when the scheduler does not scale the UNet input. */
  scaleModelInput(sample: Float32Array, timestep: number): Float32Array;
  /** Returns the previous (less noisy) sample; draws from `noise` exactly when diffusers would. */
  step(modelOutput: Float32Array, timestep: number, sample: Float32Array, noise?: NoiseSource): Float32Array;
}

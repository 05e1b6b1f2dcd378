import type { NoiseSource } from '../noise/noise-source';

/**
 * The samplers this server offers; each maps onto one diffusers scheduler class, some with
 * `from_config` keyword arguments (the Karras and SDE variants; see sampler-catalog.ts).
 */
export const SCHEDULER_NAMES = [
  'pndm',
  'ddim',
  'euler',
  'euler-a',
  'dpm++2m',
  'lms',
  'dpm++2m-karras',
  'dpm++2m-sde',
  'dpm++2m-sde-karras',
  'euler-karras',
  'lms-karras',
  'heun',
  'dpm2',
  'dpm2-karras',
  'unipc',
  'deis',
] as const;

export type SchedulerName = (typeof SCHEDULER_NAMES)[number];

/** The diffusers class each name stands for; configs are read with that class's keys and defaults. */
export const SCHEDULER_CLASS_NAMES: Readonly<Record<SchedulerName, string>> = {
  pndm: 'PNDMScheduler',
  ddim: 'DDIMScheduler',
  euler: 'EulerDiscreteScheduler',
  'euler-a': 'EulerAncestralDiscreteScheduler',
  'dpm++2m': 'DPMSolverMultistepScheduler',
  lms: 'LMSDiscreteScheduler',
  'dpm++2m-karras': 'DPMSolverMultistepScheduler',
  'dpm++2m-sde': 'DPMSolverMultistepScheduler',
  'dpm++2m-sde-karras': 'DPMSolverMultistepScheduler',
  'euler-karras': 'EulerDiscreteScheduler',
  'lms-karras': 'LMSDiscreteScheduler',
  heun: 'HeunDiscreteScheduler',
  dpm2: 'KDPM2DiscreteScheduler',
  'dpm2-karras': 'KDPM2DiscreteScheduler',
  unipc: 'UniPCMultistepScheduler',
  deis: 'DEISMultistepScheduler',
};

/**
 * One generation's denoising schedule and solver state, mirroring a diffusers scheduler object.
 *
 * Samples are one sequence's latents as a flat Float32Array (e.g. 4×h×w). Every generation gets
 * its own object, so generations can be interleaved freely.
 *
 * Usage, as diffusers' pipelines do: `setTimesteps(n)`, latents = N(0, 1) noise times
 * `initNoiseSigma`, then for each `t` of `timesteps`: UNet on `scaleModelInput(latents, t)`,
 * `latents = step(output, t, latents, noise)`. The first call may enter the schedule part way
 * (img2img); later calls must follow it in order. Misuse (no setTimesteps, a timestep off the
 * schedule or out of order, mismatched lengths, a stochastic step without a NoiseSource) throws
 * SchedulerUsageError without changing the state; a bad step count throws RangeError.
 */
export interface Scheduler {
  /** The sampler id the scheduler was made for. */
  readonly name: SchedulerName;
  /**
   * One entry per UNet call, after setTimesteps: PNDM repeats one, Heun repeats every timestep
   * after the first and DPM2 interleaves midpoints, so second-order samplers list 2N − 1 entries
   * for N steps, as diffusers does. Integers for PNDM, DDIM, DPM-Solver, UniPC and DEIS; float32
   * values (e.g. 978.6122) for Euler, Euler ancestral, LMS, Heun and DPM2, as diffusers passes
   * them to the UNet.
   */
  readonly timesteps: readonly number[];
  /** Standard deviation the initial N(0, 1) latents are multiplied by (read it after setTimesteps). */
  readonly initNoiseSigma: number;
  readonly order: number;
  /** Builds the schedule for `numInferenceSteps` (1..num_train_timesteps) and resets the solver state. */
  setTimesteps(numInferenceSteps: number): void;
  /**
   * diffusers' `set_begin_index`, for image to image: the first step is at schedule index
   * `beginIndex` (t_start × order). Call after setTimesteps and before the first step; without it the
   * first step locates its timestep. DDIM and PNDM have no such method in diffusers; here it only
   * positions the schedule, which is where their first step would land anyway.
   */
  setBeginIndex(beginIndex: number): void;
  /**
   * diffusers' `add_noise`: `original` (clean latents) noised to the level of `timestep`, as image to
   * image starts. DDIM, PNDM: `sqrt(acp_t) x0 + sqrt(1 - acp_t) noise`; Euler, Euler ancestral, LMS:
   * `x0 + sigma noise` (not times initNoiseSigma); DPM-Solver: `alpha_t x0 + sigma_t noise`. The
   * sigma is the begin index's when one is set, else the timestep's. Returns a new array.
   */
  addNoise(original: Float32Array, noise: Float32Array, timestep: number): Float32Array;
  /** Returns `sample` itself when the scheduler does not scale the UNet input, else a new array. */
  scaleModelInput(sample: Float32Array, timestep: number): Float32Array;
  /**
   * Returns the previous (less noisy) sample as a new array; the inputs are not modified and may
   * be reused by the caller. Draws from `noise` exactly when, and as much as, diffusers would.
   */
  step(modelOutput: Float32Array, timestep: number, sample: Float32Array, noise?: NoiseSource): Float32Array;
  /**
   * The clean sample x0 the last `step` predicted (diffusers' `pred_original_sample`; for PNDM,
   * which has none, x0 from that step's model output and sample), as a new array; null before the
   * first step. Computed on demand from the step's inputs, so it costs nothing unless asked: ask
   * before modifying the arrays passed to that step.
   */
  predictedOriginalSample(): Float32Array | null;
}

/**
 * Image to image: where in the schedule a request starts and the latents it starts from, as the
 * diffusers pipeline each noise mode reproduces computes them (the rules, with worked examples, are
 * in shared/data/diffusers-reference/README.md, "Image to image").
 *
 * torch (StableDiffusionImg2ImgPipeline): `init_timestep = min(int(steps × strength), steps)` (a
 * float64 product truncated: 0.58 × 50 → 28), `t_start = max(steps − init_timestep, 0)`; the loop
 * runs `timesteps[t_start × order:]` from begin index t_start × order and noise is added at its
 * first timestep. PNDM's list has steps + 1 entries, so it runs init_timestep + 1 calls.
 * Draws from the image's generator: the encoder's sample `eps`, then `noise`, then the steps'.
 * `x0 = scaling × (mean + std × eps)`, `latents = add_noise(x0, noise, t0)`.
 *
 * numpy (OnnxStableDiffusionImg2ImgPipeline): `offset = steps_offset`,
 * `init_timestep = min(int(steps × strength) + offset, steps)`, noise at `timesteps[−init_timestep]`,
 * loop from `t_start = max(steps − init_timestep + offset, 0)` with no begin index (for DDIM the two
 * disagree by one step). `x0 = scaling × mean` (the deterministic variant of that pipeline: its
 * graph samples with onnxruntime's unseeded generator); one draw, `noise`.
 */
import { InvalidInputError } from '../errors';
import type { NoiseMode, NoiseSource } from '../noise';
import type { Scheduler, SchedulerName } from '../schedulers';
import { readSchedulerConfig, type RawSchedulerConfig } from '../schedulers';
import type { LatentDistribution } from './encode-init-images';
import type { GenerationRequest } from './generation-request';

export interface ImageToImageStart {
  /** Schedule index of the first UNet call. */
  readonly startIndex: number;
  /** diffusers' `set_begin_index` argument, or null where the pipeline sets none (numpy mode). */
  readonly beginIndex: number | null;
  /** The timestep the image latents are noised to. */
  readonly noiseTimestep: number;
  /** diffusers' `init_timestep`. */
  readonly initTimestep: number;
}

/** torch mode's `init_timestep`: the float64 product steps × strength, truncated, at most steps. */
export function initTimestepOf(steps: number, strength: number): number {
  return Math.min(Math.floor(steps * strength), steps);
}

/**
 * About how many denoising steps a request runs, before its scheduler exists (for estimates such as
 * a queue's wait): image to image runs torch mode's init_timestep; the exact count, scheduler and
 * noise mode included, is the sequence's totalSteps.
 */
export function denoisingSteps(request: Pick<GenerationRequest, 'steps' | 'strength' | 'initImage'>): number {
  return request.initImage === undefined ? request.steps : Math.max(1, initTimestepOf(request.steps, request.strength ?? 1));
}

/** Where a request starts in `scheduler`'s schedule (setTimesteps(steps) already called). */
export function imageToImageStart(
  scheduler: Scheduler,
  schedulerName: SchedulerName,
  rawConfig: object,
  steps: number,
  strength: number,
  mode: NoiseMode,
): ImageToImageStart {
  const timesteps = scheduler.timesteps;
  let start: ImageToImageStart;
  if (mode === 'torch') {
    const initTimestep = initTimestepOf(steps, strength);
    const startIndex = Math.max(steps - initTimestep, 0) * scheduler.order;
    start = { startIndex, beginIndex: startIndex, noiseTimestep: timesteps[startIndex] as number, initTimestep };
  } else {
    const offset = readSchedulerConfig(schedulerName, rawConfig as RawSchedulerConfig).stepsOffset;
    const initTimestep = Math.min(Math.floor(steps * strength) + offset, steps);
    // numpy's timesteps[-k]; timesteps[-0] is timesteps[0].
    const noiseIndex = initTimestep === 0 ? 0 : timesteps.length - initTimestep;
    const startIndex = Math.max(steps - initTimestep + offset, 0);
    start = { startIndex, beginIndex: null, noiseTimestep: timesteps[noiseIndex] as number, initTimestep };
  }
  if (start.startIndex >= timesteps.length) {
    throw new InvalidInputError('strength', `${strength} with ${steps} steps leaves no denoising step to run`);
  }
  return start;
}

/**
 * The latents a sequence starts from: `scheduler` is positioned at the start (begin index set) and
 * the image's draws are taken from `noise` in the pipeline's order. Returns them with the start.
 */
export function imageToImageLatents(
  scheduler: Scheduler,
  start: ImageToImageStart,
  distribution: LatentDistribution,
  scalingFactor: number,
  noise: NoiseSource,
  mode: NoiseMode,
): Float32Array {
  const { mean, std } = distribution;
  const n = mean.length;
  const scale = Math.fround(scalingFactor);
  const x0 = new Float32Array(n);
  if (mode === 'torch') {
    // latent_dist.sample(generator): mean + std × eps, in float32 steps; then × scaling_factor.
    const eps = noise.randn(n);
    for (let i = 0; i < n; i++) x0[i] = Math.fround((mean[i] as number) + Math.fround((std[i] as number) * (eps[i] as number))) * scale;
  } else {
    for (let i = 0; i < n; i++) x0[i] = (mean[i] as number) * scale;
  }
  const added = noise.randn(n);
  if (start.beginIndex !== null) scheduler.setBeginIndex(start.beginIndex);
  return scheduler.addNoise(x0, added, start.noiseTimestep);
}

import type { NoiseSource } from '../noise/noise-source';

/**
 * Shared noise-schedule math, reproducing what diffusers (~0.30) computes in its scheduler
 * constructors and `set_timesteps`.
 *
 * diffusers holds betas, alphas_cumprod and sigmas in float32 torch tensors and builds timestep
 * grids with numpy in float64. Tables here are Float64Arrays whose entries are rounded to float32
 * (`Math.fround`) at the points where diffusers' tensors round, so they equal diffusers' values to
 * about one float32 ulp; per-step coefficients are then computed from them in float64.
 */

export const f32 = Math.fround;

export type BetaSchedule = 'linear' | 'scaled_linear' | 'squaredcos_cap_v2';
export type TimestepSpacing = 'linspace' | 'leading' | 'trailing';

export const BETA_SCHEDULES: readonly BetaSchedule[] = ['linear', 'scaled_linear', 'squaredcos_cap_v2'];
export const TIMESTEP_SPACINGS: readonly TimestepSpacing[] = ['linspace', 'leading', 'trailing'];

/** A scheduler used out of order: step() before setTimesteps(), a timestep off the schedule, bad sample sizes. */
export class SchedulerUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SchedulerUsageError';
  }
}

// ---------------------------------------------------------------------------------------------
// Grids

/** `torch.linspace(start, end, steps, dtype=torch.float32)` on CPU (step and sums in float32). */
export function torchLinspaceF32(start: number, end: number, steps: number): Float64Array {
  const out = new Float64Array(steps);
  const s = f32(start);
  const e = f32(end);
  if (steps === 1) {
    out[0] = s;
    return out;
  }
  const step = f32(f32(e - s) / (steps - 1));
  const halfway = Math.floor(steps / 2);
  for (let i = 0; i < steps; i++) {
    out[i] = i < halfway ? f32(s + f32(step * i)) : f32(e - f32(step * (steps - i - 1)));
  }
  return out;
}

/** `numpy.linspace(start, stop, num)` in float64 (`i * step + start`, last entry exactly `stop`). */
export function numpyLinspace(start: number, stop: number, num: number): Float64Array {
  const out = new Float64Array(num);
  if (num === 1) {
    out[0] = start;
    return out;
  }
  const step = (stop - start) / (num - 1);
  for (let i = 0; i < num; i++) out[i] = i * step + start;
  out[num - 1] = stop;
  return out;
}

/** numpy's `round`: halves go to the even neighbour. */
export function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** `numpy.interp(x, arange(len(fp)), fp)` for one point. */
export function interpOnIndexGrid(x: number, fp: ArrayLike<number>): number {
  const last = fp.length - 1;
  if (!(x > 0)) return fp[0];
  if (x >= last) return fp[last];
  const j = Math.floor(x);
  if (x === j) return fp[j];
  const slope = fp[j + 1] - fp[j];
  return slope * (x - j) + fp[j];
}

// ---------------------------------------------------------------------------------------------
// Betas and alphas

export interface BetaScheduleConfig {
  readonly numTrainTimesteps: number;
  /** Only read for linear / scaled_linear without trained_betas. */
  readonly betaStart: number;
  readonly betaEnd: number;
  readonly betaSchedule: BetaSchedule;
  /** Used as given (in float32) when set; then beta_schedule is not consulted, as in diffusers. */
  readonly trainedBetas: readonly number[] | null;
  /** Only DDIM, Euler, Euler ancestral and DPM-Solver take this key; the others always get false. */
  readonly rescaleBetasZeroSnr: boolean;
}

/** diffusers' `betas_for_alpha_bar` with the cosine ("squaredcos_cap_v2") transform. */
export function cosineBetas(numDiffusionTimesteps: number, maxBeta = 0.999): Float64Array {
  const alphaBar = (t: number): number => Math.cos(((t + 0.008) / 1.008) * (Math.PI / 2)) ** 2;
  const out = new Float64Array(numDiffusionTimesteps);
  for (let i = 0; i < numDiffusionTimesteps; i++) {
    const t1 = i / numDiffusionTimesteps;
    const t2 = (i + 1) / numDiffusionTimesteps;
    out[i] = f32(Math.min(1 - alphaBar(t2) / alphaBar(t1), maxBeta));
  }
  return out;
}

/** The betas diffusers' constructors build (float32 values). */
export function makeBetas(config: BetaScheduleConfig): Float64Array {
  let betas: Float64Array;
  if (config.trainedBetas !== null) {
    betas = Float64Array.from(config.trainedBetas, f32);
  } else if (config.betaSchedule === 'linear') {
    betas = torchLinspaceF32(config.betaStart, config.betaEnd, config.numTrainTimesteps);
  } else if (config.betaSchedule === 'scaled_linear') {
    betas = torchLinspaceF32(Math.sqrt(config.betaStart), Math.sqrt(config.betaEnd), config.numTrainTimesteps);
    for (let i = 0; i < betas.length; i++) betas[i] = f32(betas[i] * betas[i]);
  } else {
    betas = cosineBetas(config.numTrainTimesteps);
  }
  return config.rescaleBetasZeroSnr ? rescaleZeroTerminalSnr(betas) : betas;
}

/** `torch.cumprod(1 - betas)` in float32 (torch's CPU cumprod rounds the running product each step). */
export function alphasCumprodFromBetas(betas: ArrayLike<number>): Float64Array {
  const out = new Float64Array(betas.length);
  let acc = 1;
  for (let i = 0; i < betas.length; i++) {
    acc = f32(acc * f32(1 - betas[i]));
    out[i] = acc;
  }
  return out;
}

/** diffusers' `rescale_zero_terminal_snr` (arXiv 2305.08891, Algorithm 1), in float32 steps. */
export function rescaleZeroTerminalSnr(betas: ArrayLike<number>): Float64Array {
  const acp = alphasCumprodFromBetas(betas);
  const n = acp.length;
  const sqrtBar = new Float64Array(n);
  for (let i = 0; i < n; i++) sqrtBar[i] = f32(Math.sqrt(acp[i]));
  const first = sqrtBar[0];
  const last = sqrtBar[n - 1];
  const scale = f32(first / f32(first - last));
  const bar = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const shifted = f32(f32(sqrtBar[i] - last) * scale);
    bar[i] = f32(shifted * shifted);
  }
  const out = new Float64Array(n);
  out[0] = f32(1 - bar[0]);
  for (let i = 1; i < n; i++) out[i] = f32(1 - f32(bar[i] / bar[i - 1]));
  return out;
}

/** alphas_cumprod as diffusers' constructor leaves it (float32 values). */
export function alphasCumprod(config: BetaScheduleConfig): Float64Array {
  return alphasCumprodFromBetas(makeBetas(config));
}

/** `((1 - alphas_cumprod) / alphas_cumprod) ** 0.5` in float32, indexed by training timestep. */
export function trainingSigmas(alphasCumprodValues: ArrayLike<number>): Float64Array {
  const out = new Float64Array(alphasCumprodValues.length);
  for (let i = 0; i < out.length; i++) {
    const a = alphasCumprodValues[i];
    out[i] = f32(Math.sqrt(f32(f32(1 - a) / a)));
  }
  return out;
}

/** `np.log(sigmas)` of a float32 sigma table (float32 results). */
export function logSigmasOf(sigmas: ArrayLike<number>): Float64Array {
  const out = new Float64Array(sigmas.length);
  for (let i = 0; i < out.length; i++) out[i] = f32(Math.log(sigmas[i]));
  return out;
}

/** Karras et al. (2022) sigmas, rho = 7, as diffusers' `_convert_to_karras` (float64). */
export function karrasSigmas(sigmaMin: number, sigmaMax: number, numInferenceSteps: number): Float64Array {
  const rho = 7;
  const ramp = numpyLinspace(0, 1, numInferenceSteps);
  const minInvRho = sigmaMin ** (1 / rho);
  const maxInvRho = sigmaMax ** (1 / rho);
  const out = new Float64Array(numInferenceSteps);
  for (let i = 0; i < out.length; i++) out[i] = (maxInvRho + ramp[i] * (minInvRho - maxInvRho)) ** rho;
  return out;
}

/** diffusers' `_sigma_to_t`: the fractional training timestep whose log-sigma interpolates to `sigma`. */
export function sigmaToT(sigma: number, logSigmas: ArrayLike<number>): number {
  const logSigma = Math.log(Math.max(sigma, 1e-10));
  const n = logSigmas.length;
  // Index of the last training log-sigma <= logSigma (0 when there is none), clipped to n - 2.
  let low = 0;
  for (let j = 0; j < n; j++) if (logSigma - logSigmas[j] >= 0) low = j;
  low = Math.min(low, n - 2);
  const lo = logSigmas[low];
  const hi = logSigmas[low + 1];
  // numpy subtracts the two float32 table entries in float32.
  let w = (lo - logSigma) / f32(lo - hi);
  w = Math.min(Math.max(w, 0), 1);
  return (1 - w) * low + w * (low + 1);
}

// ---------------------------------------------------------------------------------------------
// Timesteps

/**
 * The `timestep_spacing` grid of DDIM, PNDM, Euler and LMS, in descending order.
 *
 * - linspace: `linspace(0, N - 1, n)`, rounded (half to even) when `roundLinspace` (the integer
 *   schedulers), kept fractional otherwise (Euler, LMS: float32 values);
 * - leading: `arange(n) * (N // n) + steps_offset`;
 * - trailing: `round(arange(N, 0, -N / n)) - 1`.
 *
 * numpy's float `arange` sometimes yields one entry too many for "trailing" (e.g. N = 1000,
 * n = 61 gives 62 entries, the last being -1, which diffusers then uses as index -1); this
 * returns the n entries that were meant.
 */
export function spacedTimesteps(
  spacing: TimestepSpacing,
  numTrainTimesteps: number,
  numInferenceSteps: number,
  stepsOffset: number,
  roundLinspace: boolean,
): number[] {
  const n = numInferenceSteps;
  const out = new Array<number>(n);
  if (spacing === 'linspace') {
    const grid = numpyLinspace(0, numTrainTimesteps - 1, n);
    for (let i = 0; i < n; i++) out[i] = roundLinspace ? roundHalfEven(grid[n - 1 - i]) : f32(grid[n - 1 - i]);
  } else if (spacing === 'leading') {
    const ratio = Math.floor(numTrainTimesteps / n);
    for (let i = 0; i < n; i++) out[i] = (n - 1 - i) * ratio + stepsOffset;
  } else {
    const ratio = numTrainTimesteps / n;
    for (let i = 0; i < n; i++) out[i] = roundHalfEven(numTrainTimesteps + i * -ratio) - 1;
  }
  return out;
}

/** setTimesteps' argument: a positive integer no larger than num_train_timesteps. */
export function assertInferenceSteps(label: string, numInferenceSteps: number, numTrainTimesteps: number): void {
  if (!Number.isInteger(numInferenceSteps) || numInferenceSteps < 1 || numInferenceSteps > numTrainTimesteps) {
    throw new RangeError(
      `${label}: numInferenceSteps must be an integer from 1 to num_train_timesteps (${numTrainTimesteps}), ` +
        `got ${String(numInferenceSteps)}`,
    );
  }
}

/** For schedulers that index alphas_cumprod by timestep: every timestep must be a training step. */
export function assertTimestepsInRange(label: string, timesteps: readonly number[], numTrainTimesteps: number): void {
  for (const t of timesteps) {
    if (!Number.isInteger(t) || t < 0 || t >= numTrainTimesteps) {
      throw new RangeError(
        `${label}: this config and step count give timestep ${t}, outside 0..${numTrainTimesteps - 1} ` +
          '(check steps_offset and timestep_spacing)',
      );
    }
  }
}

function preview(timesteps: readonly number[]): string {
  const shown = timesteps.slice(0, 6).join(', ');
  return timesteps.length > 6 ? `${shown}, ...` : shown;
}

/**
 * Where a scheduler is in its schedule. The first step (or scaleModelInput) locates the timestep
 * the way diffusers' `index_for_timestep` does (so a schedule may be entered part way, as
 * img2img does); every later call must pass the next timestep of the schedule.
 */
export class TimestepCursor {
  private schedule: readonly number[] = [];
  private position: number | null = null;
  private begin: number | null = null;

  constructor(
    private readonly label: string,
    /** Which of two equal timesteps the first call lands on: diffusers' k-diffusion style schedulers pick the second. */
    private readonly duplicatePick: 'first' | 'second',
  ) {}

  reset(schedule: readonly number[]): void {
    this.schedule = schedule;
    this.position = null;
    this.begin = null;
  }

  /** The index set by `setBegin` (diffusers' `begin_index`), or null when the first step locates itself. */
  get beginIndex(): number | null {
    return this.begin;
  }

  /**
   * diffusers' `set_begin_index`: the first step is at schedule index `index` (image to image enters
   * the schedule part way), whatever index its timestep's first occurrence has.
   */
  setBegin(index: number): void {
    const schedule = this.schedule;
    if (schedule.length === 0) throw new SchedulerUsageError(`${this.label}: call setTimesteps() before setBeginIndex()`);
    if (this.position !== null) throw new SchedulerUsageError(`${this.label}: setBeginIndex() must come before the first step`);
    if (!Number.isInteger(index) || index < 0 || index >= schedule.length) {
      throw new SchedulerUsageError(`${this.label}: begin index must be an integer from 0 to ${schedule.length - 1}, got ${String(index)}`);
    }
    this.begin = index;
    this.position = index;
  }

  /**
   * The schedule index noise is added at for `timestep` before the first step: the begin index when
   * set, else diffusers' `index_for_timestep` (the second of two equal timesteps for k-diffusion
   * style schedulers).
   */
  noiseIndex(timestep: number): number {
    if (this.begin !== null) return this.begin;
    const schedule = this.schedule;
    if (schedule.length === 0) throw new SchedulerUsageError(`${this.label}: call setTimesteps() before addNoise()`);
    const first = schedule.indexOf(timestep);
    if (first < 0) throw new SchedulerUsageError(`${this.label}: timestep ${String(timestep)} is not in the schedule (${schedule.length} steps: ${preview(schedule)})`);
    const second = this.duplicatePick === 'second' ? schedule.indexOf(timestep, first + 1) : -1;
    return second >= 0 ? second : first;
  }

  /** True once a step has been taken (or scaleModelInput called) since the last reset. */
  get started(): boolean {
    return this.position !== null;
  }

  /** The schedule index for `timestep` at the current position; does not advance. */
  locate(timestep: number): number {
    const schedule = this.schedule;
    if (schedule.length === 0) throw new SchedulerUsageError(`${this.label}: call setTimesteps() before stepping`);
    if (this.position === null) {
      const first = schedule.indexOf(timestep);
      if (first < 0) {
        throw new SchedulerUsageError(
          `${this.label}: timestep ${String(timestep)} is not in the schedule (${schedule.length} steps: ${preview(schedule)})`,
        );
      }
      const second = this.duplicatePick === 'second' ? schedule.indexOf(timestep, first + 1) : -1;
      this.position = second >= 0 ? second : first;
      return this.position;
    }
    if (this.position >= schedule.length) {
      throw new SchedulerUsageError(
        `${this.label}: all ${schedule.length} steps of the schedule are done; call setTimesteps() to start again`,
      );
    }
    const expected = schedule[this.position];
    if (timestep !== expected) {
      throw new SchedulerUsageError(
        `${this.label}: expected timestep ${expected} (step ${this.position + 1} of ${schedule.length}), ` +
          `got ${String(timestep)}`,
      );
    }
    return this.position;
  }

  advance(): void {
    if (this.position !== null) this.position += 1;
  }
}

// ---------------------------------------------------------------------------------------------
// Sample checks

/**
 * Checks step() inputs: equal, non-zero lengths, and the length the scheduler's history was
 * built with (`expectedLength`, or null before the first step).
 */
export function checkStepInputs(
  label: string,
  modelOutput: Float32Array,
  sample: Float32Array,
  expectedLength: number | null,
): void {
  if (!(modelOutput instanceof Float32Array) || !(sample instanceof Float32Array)) {
    throw new SchedulerUsageError(`${label}: modelOutput and sample must be Float32Arrays`);
  }
  if (sample.length === 0) throw new SchedulerUsageError(`${label}: sample is empty`);
  if (modelOutput.length !== sample.length) {
    throw new SchedulerUsageError(
      `${label}: modelOutput has ${modelOutput.length} values but sample has ${sample.length}`,
    );
  }
  if (expectedLength !== null && sample.length !== expectedLength) {
    throw new SchedulerUsageError(
      `${label}: sample has ${sample.length} values but earlier steps had ${expectedLength}`,
    );
  }
}

/** Draws `count` standard normals, as diffusers' `randn_tensor(model_output.shape, generator)`. */
export function drawNoise(label: string, noise: NoiseSource | undefined, count: number): Float32Array {
  if (noise === undefined) throw new SchedulerUsageError(`${label}: this scheduler needs a NoiseSource for step()`);
  const values = noise.randn(count);
  if (values.length !== count) {
    throw new SchedulerUsageError(`${label}: NoiseSource returned ${values.length} values, asked for ${count}`);
  }
  return values;
}

/** `sample / sqrt(sigma^2 + 1)`, sigma a float32 value as in diffusers' k-diffusion style schedulers. */
export function scaleBySigma(sample: Float32Array, sigma: number): Float32Array {
  const denom = f32(Math.sqrt(f32(f32(sigma * sigma) + 1)));
  const out = new Float32Array(sample.length);
  for (let i = 0; i < out.length; i++) out[i] = sample[i] / denom;
  return out;
}

/** A history buffer for `count` values, reusing `recycled` when it has the right size. */
export function reuseBuffer(recycled: Float32Array | undefined | null, count: number): Float32Array {
  return recycled && recycled.length === count ? recycled : new Float32Array(count);
}

// ---------------------------------------------------------------------------------------------
// Noise at a start timestep (image to image)

function checkNoiseInputs(label: string, original: Float32Array, noise: Float32Array): void {
  if (original.length === 0 || original.length !== noise.length) {
    throw new SchedulerUsageError(`${label}: addNoise needs equal, non-empty sample and noise, got ${original.length} and ${noise.length} values`);
  }
}

/**
 * DDPM-style `add_noise` (DDIM, PNDM): `sqrt(acp[t]) * x0 + sqrt(1 - acp[t]) * noise`, every
 * operation in float32 as diffusers' torch code (alphas_cumprod cast to the sample's float32, `** 0.5`).
 */
export function addNoiseByAlpha(label: string, acp: Float64Array, timestep: number, original: Float32Array, noise: Float32Array): Float32Array {
  checkNoiseInputs(label, original, noise);
  if (!Number.isInteger(timestep) || timestep < 0 || timestep >= acp.length) {
    throw new SchedulerUsageError(`${label}: addNoise timestep must be a training timestep 0..${acp.length - 1}, got ${String(timestep)}`);
  }
  const a = acp[timestep];
  const sqrtAlpha = f32(Math.sqrt(a));
  const sqrtOneMinus = f32(Math.sqrt(f32(1 - a)));
  const out = new Float32Array(original.length);
  for (let i = 0; i < out.length; i++) out[i] = f32(sqrtAlpha * original[i]) + f32(sqrtOneMinus * noise[i]);
  return out;
}

/** k-diffusion style `add_noise` (Euler, Euler ancestral, LMS): `x0 + noise * sigma`, not scaled by init_noise_sigma. */
export function addNoiseBySigma(label: string, sigma: number, original: Float32Array, noise: Float32Array): Float32Array {
  checkNoiseInputs(label, original, noise);
  const s = f32(sigma);
  const out = new Float32Array(original.length);
  for (let i = 0; i < out.length; i++) out[i] = original[i] + f32(noise[i] * s);
  return out;
}

/** DPM-Solver style `add_noise`: `alpha_t * x0 + sigma_t * noise`, alpha_t = 1 / sqrt(sigma² + 1), sigma_t = sigma * alpha_t, in float32. */
export function addNoiseByAlphaSigma(label: string, sigma: number, original: Float32Array, noise: Float32Array): Float32Array {
  checkNoiseInputs(label, original, noise);
  const s = f32(sigma);
  const alpha = f32(1 / f32(Math.sqrt(f32(f32(s * s) + 1))));
  const sigmaT = f32(s * alpha);
  const out = new Float32Array(original.length);
  for (let i = 0; i < out.length; i++) out[i] = f32(alpha * original[i]) + f32(sigmaT * noise[i]);
  return out;
}

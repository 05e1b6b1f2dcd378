/**
 * Where image to image starts and what it starts from, against the numbers the diffusers reference
 * README states (shared/data/diffusers-reference, cases-img2img): strength rounding, PNDM's extra
 * step, the ONNX pipeline's offset rule, the draw order and add_noise per scheduler family.
 */
import { createNoiseSource, type NoiseSource } from '../noise';
import { createScheduler, type SchedulerName } from '../schedulers';
import { imageToImageLatents, imageToImageStart, initTimestepOf } from './image-to-image';

/** SD 1.4's scheduler config as diffusers 0.30 saves it (every key, "leading" spacing, steps_offset 1). */
const CONFIG = {
  _class_name: 'PNDMScheduler',
  beta_end: 0.012,
  beta_schedule: 'scaled_linear',
  beta_start: 0.00085,
  clip_sample: false,
  num_train_timesteps: 1000,
  prediction_type: 'epsilon',
  set_alpha_to_one: false,
  skip_prk_steps: true,
  steps_offset: 1,
  timestep_spacing: 'leading',
  trained_betas: null,
};

function start(name: SchedulerName, steps: number, strength: number, mode: 'torch' | 'numpy' = 'torch') {
  const scheduler = createScheduler(name, CONFIG);
  scheduler.setTimesteps(steps);
  return { scheduler, start: imageToImageStart(scheduler, name, CONFIG, steps, strength, mode) };
}

/** A NoiseSource that hands out 1, 2, 3, … so the order of draws shows in the values. */
class CountingNoise implements NoiseSource {
  private next = 1;
  randn(count: number): Float32Array {
    return Float32Array.from({ length: count }, () => this.next++);
  }
}

describe('init_timestep: the float64 product steps × strength, truncated', () => {
  it.each([
    [50, 0.58, 28], // 0.58 × 50 = 28.999999999999996
    [15, 0.75, 11],
    [25, 0.3, 7],
    [10, 0.6, 6],
    [8, 1, 8],
  ])('%i steps at strength %p run %i', (steps, strength, expected) => {
    expect(initTimestepOf(steps, strength)).toBe(expected);
    const { scheduler, start: s } = start('ddim', steps, strength);
    expect(scheduler.timesteps.length - s.startIndex).toBe(expected);
  });
});

describe('imageToImageStart, torch mode (StableDiffusionImg2ImgPipeline)', () => {
  it('starts DDIM at t_start and noises at the first timestep run (i01: 501, 6 calls)', () => {
    const { scheduler, start: s } = start('ddim', 10, 0.6);
    expect(s).toEqual({ startIndex: 4, beginIndex: 4, noiseTimestep: 501, initTimestep: 6 });
    expect(scheduler.timesteps.slice(s.startIndex)).toEqual([501, 401, 301, 201, 101, 1]);
  });

  it("slices PNDM's steps + 1 list one value later: init_timestep + 1 calls (i05: 601, 501, …, 1)", () => {
    const { scheduler, start: s } = start('pndm', 10, 0.6);
    expect(s.noiseTimestep).toBe(601);
    expect(scheduler.timesteps.slice(s.startIndex)).toEqual([601, 501, 401, 301, 201, 101, 1]);
  });

  it('keeps strength 1 on the image: t = timesteps[0] (i08: DDIM 901; i06: Euler a 8 steps at 876)', () => {
    expect(start('ddim', 10, 1).start.noiseTimestep).toBe(901);
    expect(start('euler-a', 8, 1).start).toMatchObject({ startIndex: 0, noiseTimestep: 876 });
  });

  it('runs DPM++ 2M 11 steps at 0.75 × 15 from 683 (i04)', () => {
    const { scheduler, start: s } = start('dpm++2m', 15, 0.75);
    expect(s.noiseTimestep).toBe(683);
    expect(scheduler.timesteps.length - s.startIndex).toBe(11);
  });
});

describe('imageToImageStart, numpy mode (OnnxStableDiffusionImg2ImgPipeline)', () => {
  it('adds steps_offset and noises DDIM one step before the loop starts (i12: noise at 601, loop from 501)', () => {
    const { scheduler, start: s } = start('ddim', 10, 0.6, 'numpy');
    expect(s).toEqual({ startIndex: 4, beginIndex: null, noiseTimestep: 601, initTimestep: 7 });
    expect(scheduler.timesteps.slice(s.startIndex)).toHaveLength(6);
  });

  it('agrees for PNDM, whose list is one longer (i11: both at 751, 16 calls)', () => {
    const { scheduler, start: s } = start('pndm', 20, 0.75, 'numpy');
    expect(s.noiseTimestep).toBe(751);
    expect(scheduler.timesteps[s.startIndex]).toBe(751);
    expect(scheduler.timesteps.length - s.startIndex).toBe(16);
  });
});

describe('imageToImageLatents: draw order and add_noise per family', () => {
  const mean = Float32Array.from([0.5, -0.25, 1, 0]);
  const std = Float32Array.from([2, 0.5, 1, 3]);
  const scaling = 0.18215;
  const f = Math.fround;
  /** x0 with eps = 1..4 (the first draw), as diffusers: (mean + std × eps) × scaling, float32. */
  const x0 = Array.from(mean, (m, i) => f(f(m + f((std[i] as number) * (i + 1))) * f(scaling)));
  /** The second draw: 5..8. */
  const noise = [5, 6, 7, 8];

  it('DDIM and PNDM: sqrt(ᾱ_t) x0 + sqrt(1 − ᾱ_t) noise at the start timestep', () => {
    for (const name of ['ddim', 'pndm'] as const) {
      const { scheduler, start: s } = start(name, 10, 0.6);
      const latents = imageToImageLatents(scheduler, s, { mean, std }, scaling, new CountingNoise(), 'torch');
      // ᾱ at 501 (or 601 for PNDM's later slice) from the scaled_linear betas.
      let acp = 1;
      for (let t = 0; t <= s.noiseTimestep; t++) {
        const beta = f(f(Math.sqrt(0.00085) + f(f(f(Math.sqrt(0.012)) - f(Math.sqrt(0.00085))) / 999) * t) ** 2);
        acp = f(acp * f(1 - beta));
      }
      const expected = x0.map((x, i) => f(Math.sqrt(acp)) * x + f(Math.sqrt(f(1 - acp))) * (noise[i] as number));
      Array.from(latents).forEach((v, i) => expect(v).toBeCloseTo(expected[i] as number, 4));
    }
  });

  it('Euler and Euler a: x0 + σ(begin) · noise, not times init_noise_sigma (σ(876) = 7.372 at strength 1, 8 steps)', () => {
    for (const name of ['euler', 'euler-a', 'lms'] as const) {
      const { scheduler, start: s } = start(name, 8, 1);
      const sigma = (scheduler as unknown as { sigmas: number[] }).sigmas[0] as number;
      expect(sigma).toBeCloseTo(7.372, 3);
      expect(scheduler.initNoiseSigma).not.toBeCloseTo(sigma, 3);
      const latents = imageToImageLatents(scheduler, s, { mean, std }, scaling, new CountingNoise(), 'torch');
      Array.from(latents).forEach((v, i) => expect(v).toBe(f((x0[i] as number) + f((noise[i] as number) * f(sigma)))));
    }
  });

  it('DPM-Solver: α x0 + σ_t noise with α = 1 / sqrt(σ² + 1), σ_t = σ α', () => {
    const { scheduler, start: s } = start('dpm++2m', 15, 0.75);
    const sigma = (scheduler as unknown as { sigmas: number[] }).sigmas[s.startIndex] as number;
    const alpha = f(1 / f(Math.sqrt(f(f(sigma * sigma) + 1))));
    const latents = imageToImageLatents(scheduler, s, { mean, std }, scaling, new CountingNoise(), 'torch');
    Array.from(latents).forEach((v, i) => expect(v).toBe(f(f(alpha * (x0[i] as number)) + f(f(sigma * alpha) * (noise[i] as number)))));
  });

  it('numpy mode takes the mean (no encoder draw) and one noise draw', () => {
    const { scheduler, start: s } = start('ddim', 10, 0.6, 'numpy');
    const counting = new CountingNoise();
    imageToImageLatents(scheduler, s, { mean, std }, scaling, counting, 'numpy');
    expect(counting.randn(1)[0]).toBe(5);
  });

  it('torch mode draws the encoder sample first, then the noise, from the image’s own generator', () => {
    const { scheduler, start: s } = start('euler-a', 10, 0.6);
    const latents = imageToImageLatents(scheduler, s, { mean, std }, scaling, createNoiseSource('torch', 500n), 'torch');
    const generator = createNoiseSource('torch', 500n);
    const eps = generator.randn(4);
    const drawn = generator.randn(4);
    const sigma = f((scheduler as unknown as { sigmas: number[] }).sigmas[s.startIndex] as number);
    Array.from(latents).forEach((v, i) => expect(v).toBe(f(f(f((mean[i] as number) + f((std[i] as number) * (eps[i] as number))) * f(scaling)) + f((drawn[i] as number) * sigma))));
  });
});

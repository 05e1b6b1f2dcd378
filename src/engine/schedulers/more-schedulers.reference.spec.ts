/**
 * The seven newer samplers against diffusers 0.30.3 (shared/data/diffusers-reference/cases-schedulers):
 * built from the model's scheduler_config.json by id, each must give the case's timesteps exactly,
 * its sigmas and init_noise_sigma to float32 precision, and, fed each recorded UNet output (with
 * guidance applied) and the recorded latents before it, the UNet input diffusers scaled and the
 * latents diffusers' step() returned, one step() per UNet call (2N − 1 for Heun and DPM2). SDE
 * cases replay the recorded per-step noise. Skipped, saying so, where the folder is absent.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { NoiseSource } from '../noise/noise-source';
import { createScheduler, parseSchedulerName } from './create-scheduler';

const CANDIDATES = [process.env['DIFFUSERS_REFERENCE_DIR'], path.resolve(__dirname, '../../../../shared/data/diffusers-reference'), '/work/shared/data/diffusers-reference'];
const ROOT = CANDIDATES.find((d): d is string => d !== undefined && existsSync(path.join(d, 'cases-schedulers')));

function readNpy(file: string): { shape: number[]; data: Float32Array } {
  const bytes = readFileSync(file);
  const headerLength = bytes.readUInt16LE(8);
  const header = bytes.subarray(10, 10 + headerLength).toString('latin1');
  if (!header.includes("'<f4'")) throw new Error(`${file}: not little-endian float32`);
  const shape = (/'shape': \(([^)]*)\)/.exec(header)?.[1] ?? '').split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const start = 10 + headerLength;
  return { shape, data: new Float32Array(bytes.buffer.slice(bytes.byteOffset + start, bytes.byteOffset + bytes.length)) };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

interface CaseJson {
  parameters: { scheduler: string; guidance_scale: number; num_images_per_prompt: number; num_inference_steps: number };
  scheduler: { timesteps: number[]; sigmas: number[]; init_noise_sigma: number };
}

/** Replays recorded draws: row `image` of each step's noise, in order. */
class RecordedNoise implements NoiseSource {
  private step = 0;
  constructor(
    private readonly noise: { shape: number[]; data: Float32Array },
    private readonly image: number,
  ) {}

  randn(count: number): Float32Array {
    const [, n] = this.noise.shape as [number, number];
    const start = (this.step * n + this.image) * count;
    this.step += 1;
    return this.noise.data.slice(start, start + count);
  }
}

const ids = ROOT ? readdirSync(path.join(ROOT, 'cases-schedulers')).filter((d) => existsSync(path.join(ROOT, 'cases-schedulers', d, 'case.json'))) : [];

describe('newer samplers step exactly as diffusers 0.30.3 on recorded UNet outputs', () => {
  if (!ROOT) {
    it('is skipped: no diffusers reference folder', () => {
      console.warn('SKIPPED: cases-schedulers — shared/data/diffusers-reference is absent (set DIFFUSERS_REFERENCE_DIR)');
    });
    return;
  }
  const modelConfig = JSON.parse(readFileSync(path.join(ROOT, 'model', 'scheduler', 'scheduler_config.json'), 'utf8')) as object;

  it('has the nine cases', () => {
    expect(ids).toHaveLength(9);
  });

  it.each(ids.map((id) => [id]))('%s', (id) => {
    const dir = path.join(ROOT, 'cases-schedulers', id);
    const c = JSON.parse(readFileSync(path.join(dir, 'case.json'), 'utf8')) as CaseJson;
    const p = c.parameters;
    const name = parseSchedulerName(p.scheduler);
    const unetOut = readNpy(path.join(dir, 'unet_out.npy'));
    const unetSample = readNpy(path.join(dir, 'unet_sample.npy'));
    const steps = readNpy(path.join(dir, 'step_latents.npy'));
    const initial = readNpy(path.join(dir, 'initial_latents.npy'));
    const stepNoise = existsSync(path.join(dir, 'step_noise.npy')) ? readNpy(path.join(dir, 'step_noise.npy')) : null;
    const images = p.num_images_per_prompt;
    const guided = p.guidance_scale > 1;
    const size = initial.data.length / images;
    const calls = c.scheduler.timesteps.length;
    expect(unetOut.shape[0]).toBe(calls);
    expect(calls).toBe(name === 'heun' || name === 'dpm2-karras' ? 2 * p.num_inference_steps - 1 : p.num_inference_steps);

    for (let image = 0; image < images; image++) {
      const scheduler = createScheduler(name, modelConfig);
      scheduler.setTimesteps(p.num_inference_steps);
      // Integer timesteps exactly; timesteps interpolated in log-sigma (Euler's and DPM2's Karras ones) to 5e-4:
      // they magnify the last-ulp differences between torch's float32 alphas_cumprod and ours (about 1e-7 in sigma).
      expect(scheduler.timesteps).toHaveLength(calls);
      c.scheduler.timesteps.forEach((t, k) => {
        const ours = scheduler.timesteps[k] as number;
        if (Number.isInteger(t) && Number.isInteger(ours)) expect(ours).toBe(t);
        else expect(Math.abs(ours - t)).toBeLessThan(5e-4);
      });
      expect(maxAbsDiff((scheduler as unknown as { sigmas: number[] }).sigmas, c.scheduler.sigmas)).toBeLessThan(1e-5);
      expect(Math.fround(scheduler.initNoiseSigma)).toBeCloseTo(c.scheduler.init_noise_sigma, 5);
      const noise = stepNoise ? new RecordedNoise(stepNoise, image) : undefined;
      let latents = initial.data.slice(image * size, (image + 1) * size);
      let worstStep = 0;
      let worstInput = 0;
      for (let k = 0; k < calls; k++) {
        const t = scheduler.timesteps[k] as number;
        expect(scheduler.timesteps.length).toBe(calls);
        const rows = guided ? 2 * images : images;
        const rowOf = (r: number): Float32Array => unetOut.data.subarray((k * rows + r) * size, (k * rows + r + 1) * size);
        const inputRow = unetSample.data.subarray((k * rows + (guided ? images + image : image)) * size, (k * rows + (guided ? images + image : image) + 1) * size);
        worstInput = Math.max(worstInput, maxAbsDiff(scheduler.scaleModelInput(latents, t), inputRow));
        const cond = rowOf(guided ? images + image : image);
        let prediction = cond;
        if (guided) {
          const uncond = rowOf(image);
          prediction = new Float32Array(size);
          for (let i = 0; i < size; i++) prediction[i] = (uncond[i] as number) + p.guidance_scale * ((cond[i] as number) - (uncond[i] as number));
        }
        const next = scheduler.step(prediction, t, latents, noise);
        const expected = steps.data.subarray((k * images + image) * size, (k * images + image + 1) * size);
        worstStep = Math.max(worstStep, maxAbsDiff(next, expected));
        // Teacher forcing: go on from diffusers' own latents so one step's error does not compound.
        latents = expected.slice();
      }
      expect(worstInput).toBeLessThan(1e-4);
      expect(worstStep).toBeLessThan(2e-4);
    }
  });
});

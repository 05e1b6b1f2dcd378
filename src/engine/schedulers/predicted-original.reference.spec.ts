/**
 * x0 on real diffusers runs (shared/data/diffusers-reference, diffusers 0.30.3): for each step of a
 * case, our scheduler is given the case's own latents and guided UNet output; its next sample must
 * still match diffusers' (asking for x0 changes nothing), and its x0 must be the closed form:
 * x0 = x - sigma * eps (k-diffusion samplers), x0 = (x - sqrt(1 - a_t) eps) / sqrt(a_t) (DDIM, PNDM).
 * Skipped, saying so, where the reference folder is absent.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createScheduler } from './create-scheduler';
import type { SchedulerName } from './scheduler';

const CANDIDATES = [process.env['DIFFUSERS_REFERENCE_DIR'], path.resolve(__dirname, '../../../../shared/data/diffusers-reference'), '/work/shared/data/diffusers-reference'];
const ROOT = CANDIDATES.find((d): d is string => d !== undefined && existsSync(path.join(d, 'cases.json')));

/** A little-endian float32, C-order .npy file. */
function readNpy(file: string): { shape: number[]; data: Float32Array } {
  const bytes = readFileSync(file);
  const headerLength = bytes.readUInt16LE(8);
  const header = bytes.subarray(10, 10 + headerLength).toString('latin1');
  if (!header.includes("'<f4'") || header.includes("'fortran_order': True")) throw new Error(`${file}: not little-endian float32 C-order`);
  const shape = (/'shape': \(([^)]*)\)/.exec(header)?.[1] ?? '').split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const start = 10 + headerLength;
  const data = new Float32Array(bytes.buffer.slice(bytes.byteOffset + start, bytes.byteOffset + bytes.length));
  return { shape, data };
}

/** alphas_cumprod for SD's scaled_linear betas (independent of the engine's code). */
function alphasCumprod(): Float64Array {
  const n = 1000;
  const a = Math.sqrt(0.00085);
  const b = Math.sqrt(0.012);
  const out = new Float64Array(n);
  let prod = 1;
  for (let i = 0; i < n; i++) {
    const beta = (a + ((b - a) * i) / (n - 1)) ** 2;
    prod *= 1 - beta;
    out[i] = prod;
  }
  return out;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] as number));
  return m;
}

const CASES: readonly [string, SchedulerName][] = [
  ['a03-ddim', 'ddim'],
  ['a01-pndm', 'pndm'],
  ['a05-euler', 'euler'],
  ['a11-lms', 'lms'],
  ['a09-dpmpp2m-negative-96x64', 'dpm++2m'],
];

const describeIfData = ROOT ? describe : describe.skip;
if (!ROOT) console.warn(`predicted-original.reference.spec: skipped, no diffusers reference folder (tried ${CANDIDATES.filter(Boolean).join(', ')}; set DIFFUSERS_REFERENCE_DIR)`);

describeIfData('x0 on diffusers reference cases', () => {
  const acp = alphasCumprod();

  it.each(CASES)('%s (%s): next samples as diffusers, x0 the closed form at every step', (id, name) => {
    const dir = path.join(ROOT as string, 'cases', id);
    const info = JSON.parse(readFileSync(path.join(dir, 'case.json'), 'utf8')) as {
      parameters: { guidance_scale: number; num_inference_steps: number };
      scheduler: { sigmas: number[] | null };
    };
    const guidance = info.parameters.guidance_scale;
    const initial = readNpy(path.join(dir, 'initial_latents.npy')).data;
    const steps = readNpy(path.join(dir, 'step_latents.npy'));
    const out = readNpy(path.join(dir, 'unet_out.npy'));
    const n = initial.length;
    const calls = out.shape[0] as number;
    // Every case here was run with the model's own scheduler_config.json (read as the named class, as from_config).
    const config = JSON.parse(readFileSync(path.join(ROOT as string, 'model', 'scheduler', 'scheduler_config.json'), 'utf8')) as object;
    const scheduler = createScheduler(name, config);
    scheduler.setTimesteps(info.parameters.num_inference_steps);
    expect(scheduler.timesteps).toHaveLength(calls);
    const sigmas = info.scheduler.sigmas;

    for (let k = 0; k < calls; k++) {
      const sample = k === 0 ? initial : steps.data.slice((k - 1) * n, k * n);
      const uncond = out.data.subarray(2 * k * n, (2 * k + 1) * n);
      const cond = out.data.subarray((2 * k + 1) * n, (2 * k + 2) * n);
      const eps = Float32Array.from(cond, (c, i) => (uncond[i] as number) + guidance * (c - (uncond[i] as number)));
      const t = scheduler.timesteps[k] as number;
      const prev = scheduler.step(eps, t, sample);
      const x0 = scheduler.predictedOriginalSample() as Float32Array;

      const reference = steps.data.subarray(k * n, (k + 1) * n);
      expect(maxAbsDiff(prev, reference)).toBeLessThan(1e-3 * Math.max(1, maxAbs(reference)));

      let expected: Float64Array;
      if (sigmas !== null) {
        const sigma = sigmas[k] as number;
        // DPM-Solver's x_t is alpha_t (x0 + sigma eps) with alpha_t = 1 / sqrt(sigma² + 1); the k-diffusion samplers' is x0 + sigma eps.
        const scale = name === 'dpm++2m' ? Math.sqrt(sigma * sigma + 1) : 1;
        expected = Float64Array.from(sample, (x, i) => scale * x - sigma * (eps[i] as number));
      } else {
        const a = acp[t] as number;
        expected = Float64Array.from(sample, (x, i) => (x - Math.sqrt(1 - a) * (eps[i] as number)) / Math.sqrt(a));
      }
      expect(maxAbsDiff(x0, expected)).toBeLessThan(1e-3 * Math.max(1, maxAbs(expected)));
    }
  });
});

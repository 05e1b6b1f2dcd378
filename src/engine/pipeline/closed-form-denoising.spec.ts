/**
 * The whole denoising loop against closed form. The generated UNet predicts `out_sample = k · sample`,
 * so every latent of a run is its initial value times one number that the DDIM and PNDM (PLMS)
 * formulas give. Those formulas are written out here again, on scalars, from the papers' update
 * rules as diffusers states them, independently of the scheduler classes under test.
 */
import { TINY_PRESET } from '../../model-generator/config/presets';
import { ensureModelDirectory } from '../../model-generator/ensure-model-directory';
import { parseGenerationRequest } from './generation-request';
import { StableDiffusionPipeline } from './stable-diffusion-pipeline';

const K = 0.1;
const TRAIN_STEPS = 1000;

/** SD 1.4's scaled_linear betas → alphas_cumprod. */
const alphasCumprod = ((): number[] => {
  const lo = Math.sqrt(0.00085);
  const hi = Math.sqrt(0.012);
  let product = 1;
  return Array.from({ length: TRAIN_STEPS }, (_, i) => {
    const beta = (lo + ((hi - lo) * i) / (TRAIN_STEPS - 1)) ** 2;
    product *= 1 - beta;
    return product;
  });
})();
/** set_alpha_to_one false: the step past t = 0 uses alphas_cumprod[0]. */
const alphaAt = (t: number): number => (t >= 0 ? (alphasCumprod[t] as number) : (alphasCumprod[0] as number));

/** DDIM, eta 0, "leading" spacing with steps_offset 1: x' = √ā'·x̂₀ + √(1-ā')·ε with ε = k·x. */
function ddimFactor(steps: number): number {
  const ratio = Math.floor(TRAIN_STEPS / steps);
  let x = 1;
  for (let i = steps - 1; i >= 0; i--) {
    const t = i * ratio + 1;
    const a = alphaAt(t);
    const aPrev = alphaAt(t - ratio);
    const eps = K * x;
    const x0 = (x - Math.sqrt(1 - a) * eps) / Math.sqrt(a);
    x = Math.sqrt(aPrev) * x0 + Math.sqrt(1 - aPrev) * eps;
  }
  return x;
}

/** PNDM with skip_prk_steps: PLMS linear multistep with its warm-up on a repeated timestep. */
function plmsFactor(steps: number): number {
  const ratio = Math.floor(TRAIN_STEPS / steps);
  const base = Array.from({ length: steps }, (_, i) => i * ratio + 1);
  const timesteps = [...base.slice(0, -1), base[base.length - 2] as number, base[base.length - 1] as number].reverse();
  const prevSample = (x: number, t: number, prev: number, e: number): number => {
    const a = alphaAt(t);
    const ap = alphaAt(prev);
    const denominator = a * Math.sqrt(1 - ap) + Math.sqrt(a * (1 - a) * ap);
    return Math.sqrt(ap / a) * x - ((ap - a) * e) / denominator;
  };
  const ets: number[] = [];
  let x = 1;
  let warmupSample = 0;
  timesteps.forEach((timestep, counter) => {
    const modelOutput = K * x;
    let t = timestep;
    let prev = t - ratio;
    let e: number;
    if (counter !== 1) ets.push(modelOutput);
    else {
      prev = t;
      t += ratio;
    }
    const n = ets.length;
    const [e1, e2, e3, e4] = [ets[n - 1], ets[n - 2], ets[n - 3], ets[n - 4]] as number[];
    let sample = x;
    if (n === 1 && counter === 0) {
      e = modelOutput;
      warmupSample = x;
    } else if (n === 1 && counter === 1) {
      e = (modelOutput + (e1 as number)) / 2;
      sample = warmupSample;
    } else if (n === 2) e = (3 * (e1 as number) - (e2 as number)) / 2;
    else if (n === 3) e = (23 * (e1 as number) - 16 * (e2 as number) + 5 * (e3 as number)) / 12;
    else e = (55 * (e1 as number) - 59 * (e2 as number) + 37 * (e3 as number) - 9 * (e4 as number)) / 24;
    x = prevSample(sample, t, prev, e);
  });
  return x;
}

describe('denoising loop against closed form (UNet = k · sample)', () => {
  let pipeline: StableDiffusionPipeline;
  beforeAll(async () => {
    const dir = ensureModelDirectory({ ...TINY_PRESET, analyticUnet: { sampleFactor: K } });
    pipeline = await StableDiffusionPipeline.load(dir, { device: 'cpu', intraOpThreads: 1 });
  });
  afterAll(() => pipeline.release());

  it.each([
    ['ddim', 10, 1],
    ['ddim', 50, 7.5],
    ['pndm', 20, 1],
    ['pndm', 7, 7.5],
  ] as const)('%s, %i steps, guidance %p lands on the predicted latents', async (scheduler, steps, guidanceScale) => {
    const request = parseGenerationRequest({ prompt: 'wax print', width: 64, height: 72, steps, guidanceScale, seed: 3, scheduler });
    const { plans, ...embeddings } = await pipeline.encodeRequest(request);
    expect(plans).toHaveLength(guidanceScale > 1 ? 2 : 1);
    const [sequence] = pipeline.createSequences(request, embeddings);
    if (!sequence) throw new Error('no sequence');
    const initial = sequence.latents.slice();
    while (!sequence.done) await pipeline.step([sequence]);

    const factor = scheduler === 'ddim' ? ddimFactor(steps) : plmsFactor(steps);
    let worst = 0;
    for (let i = 0; i < initial.length; i++) {
      worst = Math.max(worst, Math.abs((sequence.latents[i] as number) - factor * (initial[i] as number)));
    }
    // float32 arithmetic over up to 51 steps on values of order 1.
    expect(worst).toBeLessThan(1e-4 * Math.max(1, Math.abs(factor)));
    expect(Math.abs(factor - 1)).toBeGreaterThan(1e-3); // the check would be vacuous if the loop were an identity
  });
});

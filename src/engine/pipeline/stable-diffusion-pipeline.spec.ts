import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TINY_PRESET } from '../../model-generator/config/presets';
import type { ModelConfig } from '../../model-generator/config/model-config';
import { ensureModelDirectory } from '../../model-generator/ensure-model-directory';
import { CancelledError, ModelDirectoryError } from '../errors';
import { toRgb } from './decode-latents';
import { parseGenerationRequest, type GenerationInput } from './generation-request';
import { StableDiffusionPipeline } from './stable-diffusion-pipeline';

const RUNTIME = { device: 'cpu', intraOpThreads: 1 } as const;
const BASE: GenerationInput = { prompt: 'a red kente dress', negativePrompt: 'blurry', width: 64, height: 64, steps: 6, seed: 42 };

async function withPipeline<T>(overrides: Partial<ModelConfig>, use: (p: StableDiffusionPipeline) => Promise<T>): Promise<T> {
  const pipeline = await StableDiffusionPipeline.load(ensureModelDirectory({ ...TINY_PRESET, ...overrides }), RUNTIME);
  try {
    return await use(pipeline);
  } finally {
    await pipeline.release();
  }
}

function maxDifference(a: Uint8Array, b: Uint8Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs((a[i] as number) - (b[i] as number)));
  return worst;
}

describe('StableDiffusionPipeline on the tiny preset', () => {
  let pipeline: StableDiffusionPipeline;
  beforeAll(async () => {
    pipeline = await StableDiffusionPipeline.load(ensureModelDirectory(TINY_PRESET), RUNTIME);
  });
  afterAll(() => pipeline.release());

  it('reads the model: float32, float timestep per row, 4 latent channels, SD scaling factor', () => {
    expect(pipeline.model.signature).toEqual({
      dtype: 'float32',
      tokenInputType: 'int32',
      sequenceLength: 77,
      contextWidth: 32,
      maxPromptChunks: 3,
      latentChannels: 4,
      timestep: { type: 'float32', batched: true },
      vaeTileable: true,
    });
    expect(pipeline.model.directory.vaeScalingFactor).toBe(0.18215);
  });

  it('generates width × height RGB images, one per requested image, reporting every step', async () => {
    const steps: number[] = [];
    const result = await pipeline.generate(parseGenerationRequest({ ...BASE, width: 96, height: 64, numImages: 2, scheduler: 'euler-a' }), {
      onProgress: (p) => steps.push(p.step),
    });
    expect(result.images.map((i) => [i.index, i.seed, i.image.width, i.image.height, i.image.data.length])).toEqual([
      [0, 42n, 96, 64, 96 * 64 * 3],
      [1, 43n, 96, 64, 96 * 64 * 3],
    ]);
    expect(steps).toEqual([1, 2, 3, 4, 5, 6]);
    expect([result.prompt.chunks, result.prompt.tokens.droppedTokenCount]).toEqual([1, 0]);
  });

  it('gives the same bytes for the same request, and different ones for another seed', async () => {
    const request = parseGenerationRequest({ ...BASE, scheduler: 'dpm++2m' });
    const [a, b, c] = await Promise.all([
      pipeline.generate(request),
      pipeline.generate(request),
      pipeline.generate({ ...request, seed: 43n }),
    ]);
    expect(Buffer.from(a.images[0]!.image.data).equals(Buffer.from(b.images[0]!.image.data))).toBe(true);
    expect(Buffer.from(a.images[0]!.image.data).equals(Buffer.from(c.images[0]!.image.data))).toBe(false);
  });

  it.each(['pndm', 'euler-a', 'ddim'] as const)(
    'batch invariance (%s): image i of a batch equals seed + i generated alone, bit for bit',
    async (scheduler) => {
      const batched = await pipeline.generate(parseGenerationRequest({ ...BASE, scheduler, numImages: 3, guidanceScale: 5 }));
      for (const index of [0, 2]) {
        const alone = await pipeline.generate(parseGenerationRequest({ ...BASE, scheduler, seed: 42 + index, guidanceScale: 5 }));
        expect(maxDifference(batched.images[index]!.image.data, alone.images[0]!.image.data)).toBe(0);
      }
    },
  );

  it('steps sequences of different requests, schedulers and guidance together in one UNet call', async () => {
    const a = parseGenerationRequest({ ...BASE, scheduler: 'euler', guidanceScale: 1 });
    const b = parseGenerationRequest({ ...BASE, prompt: 'indigo adire', scheduler: 'lms', guidanceScale: 9, seed: 7 });
    const [sa] = pipeline.createSequences(a, await pipeline.encodeRequest(a), 'a');
    const [sb] = pipeline.createSequences(b, await pipeline.encodeRequest(b), 'b');
    if (!sa || !sb) throw new Error('no sequences');
    expect([sa.rows, sb.rows]).toEqual([1, 2]);
    while (!sa.done) await pipeline.step([sa, sb]);
    const [together] = await pipeline.decode([sb]);
    const alone = await pipeline.generate(b);
    expect(maxDifference(together!.data, alone.images[0]!.image.data)).toBe(0);
  });

  it('cancels between steps through an AbortSignal', async () => {
    const controller = new AbortController();
    const seen: number[] = [];
    const run = pipeline.generate(parseGenerationRequest({ ...BASE, steps: 20 }), {
      signal: controller.signal,
      onProgress: (p) => {
        seen.push(p.step);
        if (p.step === 3) controller.abort();
      },
    });
    await expect(run).rejects.toBeInstanceOf(CancelledError);
    expect(seen).toEqual([1, 2, 3]);
  });
});

describe('UNet export variants', () => {
  it.each([
    ['int64 timestep', { timestep: 'int64-batch' }],
    ['scalar timestep', { timestep: 'float-scalar' }],
  ] as const)('generates with a %s UNet', async (_label, overrides) => {
    await withPipeline(overrides, async (p) => {
      expect(p.model.signature.timestep.batched).toBe(overrides.timestep !== 'float-scalar');
      const result = await p.generate(parseGenerationRequest({ ...BASE, numImages: 2 }));
      expect(result.images).toHaveLength(2);
    });
  });

  it('refuses to batch sequences at different timesteps through a scalar-timestep UNet', async () => {
    await withPipeline({ timestep: 'float-scalar' }, async (p) => {
      const request = parseGenerationRequest(BASE);
      const embeddings = await p.encodeRequest(request);
      const [first] = p.createSequences(request, embeddings, 'first');
      const [second] = p.createSequences(request, embeddings, 'second');
      await p.step([first!]);
      await expect(p.step([first!, second!])).rejects.toThrow(/scalar timestep/);
    });
  });

  it('float16 and float32 exports of one config give images within float16 tolerance', async () => {
    const request = parseGenerationRequest({ ...BASE, steps: 10, scheduler: 'ddim' });
    const full = await withPipeline({}, (p) => p.generate(request));
    const half = await withPipeline({ dtype: 'float16' }, (p) => p.generate(request));
    const a = full.images[0]!.image.data;
    const b = half.images[0]!.image.data;
    let total = 0;
    for (let i = 0; i < a.length; i++) total += Math.abs((a[i] as number) - (b[i] as number));
    expect(total / a.length).toBeLessThan(2); // mean error under 2 of 255 levels
    expect(maxDifference(a, b)).toBeLessThan(16);
  });
});

describe('broken model directories', () => {
  const source = ensureModelDirectory(TINY_PRESET);
  function broken(breakIt: (dir: string) => void): string {
    const dir = join(mkdtempSync(join(tmpdir(), 'afd-broken-')), 'model');
    cpSync(source, dir, { recursive: true });
    breakIt(dir);
    return dir;
  }

  it.each([
    ['a missing UNet', (d: string) => rmSync(join(d, 'unet'), { recursive: true }), /unet\/model\.onnx: is missing/],
    ['a truncated UNet', (d: string) => writeFileSync(join(d, 'unet', 'model.onnx'), Buffer.alloc(100)), /unet\/model\.onnx: onnxruntime cannot load it/],
    ['invalid scheduler JSON', (d: string) => writeFileSync(join(d, 'scheduler', 'scheduler_config.json'), '{'), /scheduler\/scheduler_config\.json: is not valid JSON/],
    ['a missing vocabulary', (d: string) => rmSync(join(d, 'tokenizer', 'vocab.json')), /tokenizer\/vocab\.json/],
    ['a bad VAE scaling factor', (d: string) => writeFileSync(join(d, 'vae_decoder', 'config.json'), '{"scaling_factor": -1}'), /vae_decoder\/config\.json: scaling_factor must be a positive number/],
    ['swapped components', (d: string) => cpSync(join(d, 'vae_decoder', 'model.onnx'), join(d, 'unet', 'model.onnx')), /unet\/model\.onnx: has no input "sample"/],
  ])('names the file and the problem for %s', async (_label, breakIt, message) => {
    const load = StableDiffusionPipeline.load(broken(breakIt), RUNTIME);
    await expect(load).rejects.toBeInstanceOf(ModelDirectoryError);
    await expect(load).rejects.toThrow(message);
  });

  it('refuses a path that is not a directory', async () => {
    await expect(StableDiffusionPipeline.load('/nonexistent/model', RUNTIME)).rejects.toThrow(/is not a directory/);
  });
});

describe('pixel mapping', () => {
  it('maps clip(x / 2 + 0.5, 0, 1) · 255 with round-half-to-even, NCHW to HWC', () => {
    // Two pixels, channel planes R = [-1, 1], G = [0, 3], B = [NaN, -0.992157] (→ 0.5039 · 255 = 128.5 → 128).
    const nchw = Float32Array.from([-1, 1, 0, 3, Number.NaN, Math.fround(2 * (128.5 / 255) - 1)]);
    expect(Array.from(toRgb(nchw, 2, 1).data)).toEqual([0, 128, 0, 255, 255, 128]);
  });
});

describe('StableDiffusionPipeline: image to image on generated models', () => {
  const photo = { width: 80, height: 48, data: Uint8Array.from({ length: 80 * 48 * 3 }, (_, i) => (i * 13) % 256) };
  const img2img = (overrides: GenerationInput = {}) => parseGenerationRequest({ ...BASE, steps: 10, scheduler: 'ddim', initImage: photo, strength: 0.5, ...overrides });

  it.each([
    ['float32', {}],
    ['float16 with an int64 timestep', { dtype: 'float16', timestep: 'int64-batch' }],
  ] as const)('%s: runs floor(steps × strength) steps, the same bytes every time, image i from seed + i', async (_label, overrides) => {
    await withPipeline({ ...overrides, withVaeEncoder: true }, async (pipeline) => {
      expect(pipeline.model.vaeEncoder).toBeDefined();
      const steps: [number, number][] = [];
      const first = await pipeline.generate(img2img(), { onProgress: (p) => steps.push([p.step, p.totalSteps]) });
      expect(steps).toEqual([1, 2, 3, 4, 5].map((s) => [s, 5]));
      const again = await pipeline.generate(img2img());
      expect(Buffer.from(again.images[0]!.image.data).equals(Buffer.from(first.images[0]!.image.data))).toBe(true);
      // Two images: seeds s and s + 1 give different variations of the same photo.
      const two = await pipeline.generate(img2img({ numImages: 2 }));
      expect(Buffer.from(two.images[0]!.image.data).equals(Buffer.from(first.images[0]!.image.data))).toBe(true);
      expect(maxDifference(two.images[0]!.image.data, two.images[1]!.image.data)).toBeGreaterThan(0);
    });
  });

  it('refuses image to image, naming initImage, on a checkpoint without a VAE encoder', async () => {
    await withPipeline({}, async (pipeline) => {
      expect(pipeline.model.vaeEncoder).toBeUndefined();
      await expect(pipeline.generate(img2img())).rejects.toThrow(/initImage: this checkpoint cannot do image to image: the checkpoint has no vae_encoder component/);
    });
  });
});

import sharp from 'sharp';
import { parseGenerationRequest, type GenerationInput } from '../../engine/pipeline/generation-request';
import { makeCheckpointFamily, type CheckpointFamily } from '../testing/checkpoint-family.fixture';
import { InferencePool } from './inference-pool';
import type { JobResult, PreviewOptions, ProgressEvent } from './pool-types';
import { denoiseStep } from '../../engine/pipeline/denoise-step';
import { StableDiffusionPipeline } from '../../engine/pipeline/stable-diffusion-pipeline';
import { latentPreview } from '../protocol/latent-preview';
import { PoolError } from '../protocol/pool-errors';
import { encodePreview } from './preview-encoding';

const BASE: GenerationInput = { prompt: 'a red kente dress', negativePrompt: 'blurry', width: 64, height: 96, steps: 8, guidanceScale: 5, seed: 42, scheduler: 'euler' };
const request = (overrides: GenerationInput = {}) => parseGenerationRequest({ ...BASE, ...overrides });

async function rgbOf(bytes: Uint8Array, width: number, height: number): Promise<Buffer> {
  return sharp(bytes).resize(width, height, { fit: 'fill' }).removeAlpha().raw().toBuffer();
}

function meanAbsoluteDifference(a: Buffer, b: Buffer): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs((a[i] as number) - (b[i] as number));
  return sum / a.length;
}

describe('InferencePool: previews (x0 of the first image, WebP, every intervalSteps)', () => {
  let family: CheckpointFamily;
  let pool: InferencePool;

  beforeAll(async () => {
    family = makeCheckpointFamily(2);
    pool = await InferencePool.start({
      devices: [{ device: 'cpu', maxBatch: 8, maxInFlightRows: 32, intraOpThreads: 1 }],
      checkpoints: family.dirs.map((dir, i) => ({ id: `ft-${i}`, dir, pinned: i === 0 })),
    });
  });
  afterAll(async () => {
    await pool?.close();
    family?.remove();
  });

  async function run(preview?: PreviewOptions, overrides: GenerationInput = {}): Promise<{ events: ProgressEvent[]; result: JobResult }> {
    const events: ProgressEvent[] = [];
    const handle = pool.submit({ checkpointId: 'ft-0', request: request(overrides), onProgress: (e) => events.push(e), ...(preview ? { preview } : {}) });
    return { events, result: await handle.result };
  }

  it('sends a preview every intervalSteps steps and on the last one, for the first image only, before the result', async () => {
    const { events } = await run({ intervalSteps: 3 }, { numImages: 2 });
    expect(events.filter((e) => e.preview).map((e) => [e.imageIndex, e.step])).toEqual([
      [0, 3],
      [0, 6],
      [0, 8],
    ]);
    expect(events.filter((e) => e.imageIndex === 0).map((e) => e.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('a preview is a small WebP at latent size with the request aspect ratio', async () => {
    const { events } = await run({ intervalSteps: 4 });
    const previews = events.flatMap((e) => (e.preview ? [e.preview] : []));
    expect(previews).toHaveLength(2);
    for (const p of previews) {
      expect([p.mimeType, p.width, p.height]).toEqual(['image/webp', 8, 12]);
      const meta = await sharp(p.bytes).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['webp', 8, 12]);
      expect(p.bytes.length).toBeLessThan(8 * 1024);
    }
  });

  it('previews change across steps and converge on the final latents (Euler\'s last x0 is its final sample)', async () => {
    // The tiny test VAE has random weights, unrelated to the SD 1.x latent → RGB matrix, so the
    // previews are compared with the last one (the final latents through that matrix), not with the decoded image.
    const { events } = await run({ intervalSteps: 1 }, { steps: 10 });
    const previews = await Promise.all(events.flatMap((e) => (e.preview ? [rgbOf(e.preview.bytes, 8, 12)] : [])));
    expect(previews).toHaveLength(10);
    const last = previews[9] as Buffer;
    const early = meanAbsoluteDifference(previews[0] as Buffer, last);
    const late = meanAbsoluteDifference(previews[8] as Buffer, last);
    expect(early).toBeGreaterThan(0);
    expect(late).toBeLessThan(early);
  });

  it('a preview is made from the step\'s predicted clean latents x0, not from the noisy sample', async () => {
    const req = request({ steps: 3 });
    const { events } = await run({ intervalSteps: 1 }, { steps: 3 });
    // The same generation in-process (the pool's images are bit-for-bit the engine's: batching spec).
    const pipeline = await StableDiffusionPipeline.load(family.dirs[0] as string, { device: 'cpu', intraOpThreads: 1 });
    try {
      const { states } = await pipeline.encodePrompts([req.prompt, req.negativePrompt]);
      const [sequence] = pipeline.createSequences(req, { cond: states[0] as Float32Array, uncond: states[1] });
      const s = sequence!;
      await denoiseStep([s], pipeline.model.unet, pipeline.model.signature);
      const fromX0 = await encodePreview(latentPreview(s.predictedOriginal() as Float32Array, s.latentShape));
      const fromNoisy = await encodePreview(latentPreview(s.latents, s.latentShape));
      const first = events.find((e) => e.step === 1)?.preview;
      expect(Buffer.from(first!.bytes).equals(Buffer.from(fromX0.bytes))).toBe(true);
      expect(Buffer.from(fromX0.bytes).equals(Buffer.from(fromNoisy.bytes))).toBe(false);
    } finally {
      await pipeline.release();
    }
  });

  it('without preview, events carry no preview field (exactly as before)', async () => {
    const { events } = await run(undefined, { numImages: 2 });
    expect(events).toHaveLength(16);
    for (const e of events) expect(Object.keys(e).sort()).toEqual(['checkpointId', 'elapsedMs', 'etaMs', 'imageIndex', 'jobId', 'jobStep', 'step', 'totalSteps']);
  });

  it('images are bit-for-bit the same with and without previews (batched together or not)', async () => {
    const plain = await run(undefined, { numImages: 2 });
    const [withPreview, alongside] = await Promise.all([run({ intervalSteps: 1 }, { numImages: 2 }), run({ intervalSteps: 2 }, { seed: 7 })]);
    for (const index of [0, 1]) {
      expect(Buffer.from(withPreview.result.images[index]!.image.data).equals(Buffer.from(plain.result.images[index]!.image.data))).toBe(true);
    }
    expect(alongside.events.some((e) => e.preview)).toBe(true);
  });

  it('a comparison previews every cell', async () => {
    const events: ProgressEvent[] = [];
    const handle = pool.submitComparison({ checkpointIds: ['ft-0', 'ft-1'], request: request({ steps: 4 }), preview: { intervalSteps: 2 }, onProgress: (e) => events.push(e) });
    await handle.result;
    for (const id of ['ft-0', 'ft-1']) {
      expect(events.filter((e) => e.checkpointId === id && e.preview).map((e) => e.step)).toEqual([2, 4]);
    }
  });

  it.each([0, 1.5, -2, '2', null])('refuses preview.intervalSteps %p with INVALID_INPUT naming the field', (intervalSteps) => {
    const preview = { intervalSteps } as unknown as PreviewOptions;
    let caught: unknown;
    try {
      pool.submit({ checkpointId: 'ft-0', request: request(), preview });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(PoolError);
    expect(caught).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('preview.intervalSteps: must be an integer >= 1') as unknown });
  });
});

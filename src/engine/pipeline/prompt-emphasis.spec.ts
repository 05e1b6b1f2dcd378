/**
 * Weighted and long prompts through the engine pipeline on generated models: the emphasis modes on a
 * text encoder whose states have a mean (the demo's) and on one whose states have mean ~0 (the tiny
 * preset's bias-free final LayerNorm, where the guard keeps the rescale off), and a 3-chunk prompt
 * with a short negative padded to the same length, generated end to end.
 */
import { demoCheckpointDir, ensureDemoRelease } from '../../model-generator/demo/write-demo-release';
import { TINY_PRESET } from '../../model-generator/config/presets';
import { ensureModelDirectory } from '../../model-generator/ensure-model-directory';
import { parseGenerationRequest } from './generation-request';
import { StableDiffusionPipeline } from './stable-diffusion-pipeline';

const mean = (v: Float32Array): number => v.reduce((s, x) => s + x, 0) / v.length;
const equalBits = (a: Float32Array, b: Float32Array): boolean => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
const request = (prompt: string, extra: Record<string, unknown> = {}) => parseGenerationRequest({ prompt, negativePrompt: 'blurry', width: 64, height: 64, steps: 3, seed: 1, ...extra });

describe('prompt emphasis and chunks in the pipeline', () => {
  let demo: StableDiffusionPipeline;
  let tiny: StableDiffusionPipeline;
  beforeAll(async () => {
    demo = await StableDiffusionPipeline.load(demoCheckpointDir(ensureDemoRelease(), 'final'), { device: 'cpu' });
    tiny = await StableDiffusionPipeline.load(ensureModelDirectory(TINY_PRESET), { device: 'cpu' });
  }, 120_000);
  afterAll(async () => {
    await Promise.all([demo?.release(), tiny?.release()]);
  });

  it('original rescales weighted states back to the unweighted mean; no-norm does not', async () => {
    const prompt = 'a (red:1.8) kente [dress]';
    const original = await demo.encodeRequest(request(prompt));
    const noNorm = await demo.encodeRequest(request(prompt, { emphasis: 'no-norm' }));
    const plain = await demo.encodeRequest(request('a red kente dress'));
    expect(mean(plain.cond)).not.toBe(0);
    expect(mean(original.cond)).toBeCloseTo(mean(plain.cond), 9);
    expect(mean(noNorm.cond)).not.toBeCloseTo(mean(plain.cond), 6);
    expect(equalBits(original.cond, noNorm.cond)).toBe(false);
  });

  it('original leaves the rescale off where the mean is rounding residue: it equals no-norm', async () => {
    const prompt = 'a (red:1.8) kente [dress]';
    const original = await tiny.encodeRequest(request(prompt));
    const noNorm = await tiny.encodeRequest(request(prompt, { emphasis: 'no-norm' }));
    expect(equalBits(original.cond, noNorm.cond)).toBe(true);
  });

  it('encodes a prompt of 3 chunks with its short negative padded to 3 chunks, and generates from them', async () => {
    const { signature } = tiny.model;
    const long = request('kente '.repeat(100), { numImages: 2 });
    const plans = tiny.planRequest(long);
    expect(plans.map((p) => p.chunks)).toEqual([3, 3]);
    const { cond, uncond } = await tiny.encodeRequest(long);
    expect([cond.length, uncond?.length]).toEqual([3 * 77 * signature.contextWidth, 3 * 77 * signature.contextWidth]);
    const result = await tiny.generate(long);
    expect(result.images.map((i) => i.image.data.length)).toEqual([64 * 64 * 3, 64 * 64 * 3]);
    expect(result.prompt.tokens.ids).toHaveLength(tiny.model.directory.tokenizer.tokenize('kente '.repeat(100)).length);
    expect(result.prompt.tokens.droppedTokenCount).toBe(0);
  });
});

import { TINY_PRESET } from '../../model-generator/config/presets';
import { demoCheckpointDir, ensureDemoRelease } from '../../model-generator/demo/write-demo-release';
import { ensureModelDirectory } from '../../model-generator/ensure-model-directory';
import { readSignature } from '../model/component-signatures';
import { createNoiseSource } from '../noise';
import type { TensorRunner, ValueInfo } from '../runtime/onnx-runtime';
import { tensor } from '../runtime/tensor';
import { decodeLatents, MAX_PIXELS_PER_VAE_CALL, toRgb } from './decode-latents';
import { StableDiffusionPipeline } from './stable-diffusion-pipeline';
import { tileLayoutFor, tileStarts } from './vae-tiling';

const RUNTIME = { device: 'cpu', intraOpThreads: 1 } as const;
const UNTILED = { tileAbovePixels: Number.POSITIVE_INFINITY };

/** The decoder, counting its calls and the latent shapes they got. */
function counting(vae: TensorRunner): { runner: TensorRunner; calls: number[][] } {
  const calls: number[][] = [];
  return { calls, runner: { run: (feeds) => (calls.push([...(feeds['latent_sample']?.dims ?? [])]), vae.run(feeds)) } };
}

function latents(count: number, shape: readonly [number, number, number]): Float32Array[] {
  return Array.from({ length: count }, (_, i) => createNoiseSource('torch', BigInt(100 + i)).randn(shape[0] * shape[1] * shape[2]));
}

function difference(a: Uint8Array, b: Uint8Array): { max: number; mean: number } {
  let max = 0;
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs((a[i] as number) - (b[i] as number));
    max = Math.max(max, d);
    sum += d;
  }
  return { max, mean: sum / a.length };
}

describe('tile layout', () => {
  it('starts tiles every size − overlap and moves the last one back to end at the edge', () => {
    expect(tileStarts(40, { size: 24, overlap: 8 })).toEqual([0, 16]);
    expect(tileStarts(48, { size: 24, overlap: 8 })).toEqual([0, 16, 24]);
    expect(tileStarts(128, { size: 64, overlap: 16 })).toEqual([0, 48, 64]);
    expect(tileStarts(64, { size: 64, overlap: 16 })).toEqual([0]);
    expect(tileStarts(20, { size: 64, overlap: 16 })).toEqual([0]);
  });

  it('tiles images above the threshold (default 512 × 512) that are larger than one tile, when the VAE dims are dynamic', () => {
    expect(tileLayoutFor(64, 64, true)).toBeUndefined();
    expect(tileLayoutFor(96, 96, true)).toEqual({ size: 64, overlap: 16 });
    expect(tileLayoutFor(64, 72, true)).toEqual({ size: 64, overlap: 16 });
    expect(tileLayoutFor(96, 96, false)).toBeUndefined();
    expect(tileLayoutFor(128, 128, true, UNTILED)).toBeUndefined();
    expect(tileLayoutFor(40, 48, true, { tileAbovePixels: 0, tileLatentSize: 24, tileOverlapLatent: 8 })).toEqual({ size: 24, overlap: 8 });
    expect(tileLayoutFor(24, 24, true, { tileAbovePixels: 0, tileLatentSize: 24 })).toBeUndefined();
  });

  it('refuses tile sizes and overlaps that cannot tile', () => {
    expect(() => tileLayoutFor(96, 96, true, { tileLatentSize: 1 })).toThrow(/tileLatentSize/);
    expect(() => tileLayoutFor(96, 96, true, { tileLatentSize: 16, tileOverlapLatent: 16 })).toThrow(/tileOverlapLatent must be an integer from 0 to 15/);
    expect(() => tileLayoutFor(96, 96, true, { tileAbovePixels: -1 })).toThrow(/tileAbovePixels/);
  });

  it('reads whether the VAE decoder takes any latent size (dynamic height and width) or one', () => {
    const io = (name: string, shape: ValueInfo['shape'], type = 'float32'): ValueInfo => ({ name, type, shape });
    const graphs = (latentShape: ValueInfo['shape']) => ({
      textEncoder: { inputs: [io('input_ids', ['batch', 77], 'int32')], outputs: [io('last_hidden_state', ['batch', 77, 32])] },
      unet: {
        inputs: [io('sample', ['batch', 4, 'h', 'w']), io('timestep', ['batch']), io('encoder_hidden_states', ['batch', 77, 32])],
        outputs: [io('out_sample', ['batch', 4, 'h', 'w'])],
      },
      vaeDecoder: { inputs: [io('latent_sample', latentShape)], outputs: [io('sample', ['batch', 3, 'H', 'W'])] },
    });
    expect(readSignature('m', graphs(['batch', 4, 'height', 'width'])).vaeTileable).toBe(true);
    expect(readSignature('m', graphs([1, 4, 64, 64])).vaeTileable).toBe(false);
  });
});

describe('VAE slicing and tiling on the tiny preset', () => {
  let pipeline: StableDiffusionPipeline;
  beforeAll(async () => {
    pipeline = await StableDiffusionPipeline.load(ensureModelDirectory(TINY_PRESET), RUNTIME);
  });
  afterAll(() => pipeline.release());

  it('decodes small images several per call and larger ones one per call, with the same bytes as one image per call', async () => {
    const { vaeDecoder, signature, directory } = pipeline.model;
    const small: [number, number, number] = [4, 24, 24];
    const batch = latents(3, small);
    const together = counting(vaeDecoder);
    const images = await decodeLatents(batch, small, together.runner, signature, directory.vaeScalingFactor, UNTILED);
    expect(together.calls).toEqual([[3, 4, 24, 24]]);
    for (const [i, latent] of batch.entries()) {
      const [alone] = await decodeLatents([latent], small, vaeDecoder, signature, directory.vaeScalingFactor, UNTILED);
      expect(Buffer.from(alone!.data).equals(Buffer.from(images[i]!.data))).toBe(true);
    }
    // 384 × 384: more than half of MAX_PIXELS_PER_VAE_CALL, so one image per call.
    const large: [number, number, number] = [4, 48, 48];
    expect(2 * 48 * 48 * 64).toBeGreaterThan(MAX_PIXELS_PER_VAE_CALL);
    const sliced = counting(vaeDecoder);
    const pair = latents(2, large);
    const separately = await decodeLatents(pair, large, sliced.runner, signature, directory.vaeScalingFactor, UNTILED);
    expect(sliced.calls).toEqual([
      [1, 4, 48, 48],
      [1, 4, 48, 48],
    ]);
    // The same two images in one call, as decoding batched them before slicing: the same bytes.
    const both = new Float32Array(2 * 4 * 48 * 48);
    pair.forEach((l, i) => l.forEach((v, j) => (both[i * l.length + j] = v / directory.vaeScalingFactor)));
    const output = await vaeDecoder.run({ latent_sample: tensor('float32', both, [2, 4, 48, 48]) });
    const pixels = output['sample']!.data as Float32Array;
    const size = 3 * 384 * 384;
    pair.forEach((_, i) => expect(Buffer.from(toRgb(pixels.subarray(i * size, (i + 1) * size), 384, 384).data).equals(Buffer.from(separately[i]!.data))).toBe(true));
  });

  it('decodes tile by tile, within the stated difference from the untiled decode (max 12, mean 1 of 255)', async () => {
    const { vaeDecoder, signature, directory } = pipeline.model;
    const shape: [number, number, number] = [4, 64, 96];
    const [latent] = latents(1, shape);
    const [whole] = await decodeLatents([latent!], shape, vaeDecoder, signature, directory.vaeScalingFactor, UNTILED);
    const tiled = counting(vaeDecoder);
    // 768 × 512 pixels: above the default threshold, two of the default 64-latent tiles.
    const [image] = await decodeLatents([latent!], shape, tiled.runner, signature, directory.vaeScalingFactor);
    expect(tiled.calls).toEqual([
      [1, 4, 64, 64],
      [1, 4, 64, 64],
    ]);
    expect([image!.width, image!.height]).toEqual([768, 512]);
    const { max, mean } = difference(whole!.data, image!.data);
    expect(max).toBeLessThanOrEqual(12);
    expect(mean).toBeLessThanOrEqual(1);
    expect(max).toBeGreaterThan(0);
  });

  it('blends tiles of any size and overlap (24 latent pixels, 8 shared, on a 384 × 320 image: small tiles differ more, max 32, mean 3)', async () => {
    const { vaeDecoder, signature, directory } = pipeline.model;
    const shape: [number, number, number] = [4, 40, 48];
    const [latent] = latents(1, shape);
    const [whole] = await decodeLatents([latent!], shape, vaeDecoder, signature, directory.vaeScalingFactor, UNTILED);
    const tiled = counting(vaeDecoder);
    const [image] = await decodeLatents([latent!], shape, tiled.runner, signature, directory.vaeScalingFactor, { tileAbovePixels: 0, tileLatentSize: 24, tileOverlapLatent: 8 });
    expect(tiled.calls).toEqual(Array.from({ length: 6 }, () => [1, 4, 24, 24]));
    expect([image!.width, image!.height]).toEqual([384, 320]);
    const { max, mean } = difference(whole!.data, image!.data);
    expect(max).toBeLessThanOrEqual(32);
    expect(mean).toBeLessThanOrEqual(3);
  });
});

describe('VAE tiling of a float16 model', () => {
  it('feeds float16 tiles and blends their float32 pixels', async () => {
    const pipeline = await StableDiffusionPipeline.load(ensureModelDirectory({ ...TINY_PRESET, dtype: 'float16' }), RUNTIME);
    try {
      const { vaeDecoder, signature, directory } = pipeline.model;
      const shape: [number, number, number] = [4, 16, 24];
      const [latent] = latents(1, shape);
      const tiled = counting(vaeDecoder);
      const [image] = await decodeLatents([latent!], shape, tiled.runner, signature, directory.vaeScalingFactor, { tileAbovePixels: 0, tileLatentSize: 16, tileOverlapLatent: 4 });
      expect(tiled.calls).toEqual([
        [1, 4, 16, 16],
        [1, 4, 16, 16],
      ]);
      const [whole] = await decodeLatents([latent!], shape, vaeDecoder, signature, directory.vaeScalingFactor, UNTILED);
      expect(difference(whole!.data, image!.data).mean).toBeLessThanOrEqual(3);
    } finally {
      await pipeline.release();
    }
  });
});

describe('VAE tiling on the demo release', () => {
  it('decodes tile by tile within the stated difference (max 2, mean 0.05 of 255)', async () => {
    const pipeline = await StableDiffusionPipeline.load(demoCheckpointDir(ensureDemoRelease(), 'final'), RUNTIME);
    try {
      const { vaeDecoder, signature, directory } = pipeline.model;
      const shape: [number, number, number] = [4, 96, 80];
      const [latent] = latents(1, shape);
      const [whole] = await decodeLatents([latent!], shape, vaeDecoder, signature, directory.vaeScalingFactor, UNTILED);
      const tiled = counting(vaeDecoder);
      // 640 × 768 pixels: above the default threshold, tiled with the default 64-latent tiles.
      const [image] = await decodeLatents([latent!], shape, tiled.runner, signature, directory.vaeScalingFactor);
      expect(tiled.calls).toEqual(Array.from({ length: 4 }, () => [1, 4, 64, 64]));
      const { max, mean } = difference(whole!.data, image!.data);
      expect(max).toBeLessThanOrEqual(2);
      expect(mean).toBeLessThanOrEqual(0.05);
    } finally {
      await pipeline.release();
    }
  });
});

/**
 * Latents → RGB pixels:
 * `latents / scaling_factor → vae_decoder → clip(x / 2 + 0.5, 0, 1) → round(x · 255)`, NCHW → HWC.
 *
 * Memory: a vae_decoder call holds at most MAX_PIXELS_PER_VAE_CALL pixels of images (several small
 * images share a call; larger ones go one per call: "slicing"), and images above the tiling
 * threshold are decoded tile by tile (vae-tiling.ts). Each call's float output is released once
 * its images are mapped to 8-bit RGB. Slicing does not change pixels; tiling does, slightly.
 */
import { ModelFailedError } from '../errors';
import type { ModelSignature } from '../model/component-signatures';
import { floatTensor, readFloats } from '../runtime/float-tensor';
import type { TensorRunner } from '../runtime/onnx-runtime';
import { checkFinite, NonFiniteOutputError } from './non-finite';
import { decodeTiled, tileLayoutFor, type VaeDecodeOptions } from './vae-tiling';

export type { VaeDecodeOptions };

/** Image pixels one vae_decoder call may decode: four 256 × 256 images, or one 512 × 512; a larger image goes alone. */
export const MAX_PIXELS_PER_VAE_CALL = 512 * 512;

/** 8-bit RGB, row-major, channels interleaved. */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** Decodes every latent; throws NonFiniteOutputError when the decoder's output for any of them is not finite. */
export async function decodeLatents(
  latents: readonly Float32Array[],
  latentShape: readonly [number, number, number],
  vaeDecoder: TensorRunner,
  signature: ModelSignature,
  scalingFactor: number,
  options: VaeDecodeOptions = {},
): Promise<RgbImage[]> {
  const decoded = await decodeLatentsEach(latents, latentShape, vaeDecoder, signature, scalingFactor, options);
  return decoded.map((d) => {
    if (d instanceof NonFiniteOutputError) throw d;
    return d;
  });
}

/**
 * Every latent decoded, each checked on its own: an image whose decoder output holds NaN or ±Inf
 * comes back as its error (the others as images), so a batch shared by several requests fails
 * only the broken one.
 */
export async function decodeLatentsEach(
  latents: readonly Float32Array[],
  latentShape: readonly [number, number, number],
  vaeDecoder: TensorRunner,
  signature: ModelSignature,
  scalingFactor: number,
  options: VaeDecodeOptions = {},
): Promise<(RgbImage | NonFiniteOutputError)[]> {
  const [channels, h, w] = latentShape;
  const latentSize = channels * h * w;
  latents.forEach((l, i) => {
    if (l.length !== latentSize) throw new RangeError(`latents ${i} hold ${l.length} values, expected ${latentSize}`);
  });
  const layout = tileLayoutFor(h, w, signature.vaeTileable, options);
  const results: (RgbImage | NonFiniteOutputError)[] = [];
  if (layout) {
    for (const latent of latents) {
      const { pixels, width, height } = await decodeTiled(scaled([latent], latentSize, scalingFactor), latentShape, layout, vaeDecoder, signature.dtype);
      results.push(checkFinite(pixels, 0, pixels.length, 'vae_decoder', 'when decoding the latents') ?? toRgb(pixels, width, height));
    }
    return results;
  }
  const perCall = Math.max(1, Math.floor(MAX_PIXELS_PER_VAE_CALL / (h * w * 64)));
  for (let first = 0; first < latents.length; first += perCall) {
    const slice = latents.slice(first, first + perCall);
    results.push(...(await decodeBatch(scaled(slice, latentSize, scalingFactor), slice.length, latentShape, vaeDecoder, signature)));
  }
  return results;
}

/** The latents divided by the scaling factor, one after another (a new array: the sequences' latents are not changed). */
function scaled(latents: readonly Float32Array[], latentSize: number, scalingFactor: number): Float32Array {
  const batch = new Float32Array(latents.length * latentSize);
  latents.forEach((l, i) => {
    for (let j = 0; j < latentSize; j++) batch[i * latentSize + j] = (l[j] as number) / scalingFactor;
  });
  return batch;
}

/** One vae_decoder call for `count` images. */
async function decodeBatch(
  batch: Float32Array,
  count: number,
  latentShape: readonly [number, number, number],
  vaeDecoder: TensorRunner,
  signature: ModelSignature,
): Promise<(RgbImage | NonFiniteOutputError)[]> {
  const [channels, h, w] = latentShape;
  let output;
  try {
    output = await vaeDecoder.run({ latent_sample: floatTensor(batch, [count, channels, h, w], signature.dtype) });
  } catch (error) {
    throw new ModelFailedError('vae_decoder', error);
  }
  const sample = output['sample'];
  const pixels = readFloats(sample, 'sample');
  const [, rgb, height, width] = sample?.dims ?? [];
  if (rgb !== 3 || height === undefined || width === undefined || pixels.length !== count * 3 * height * width) {
    throw new ModelFailedError('vae_decoder', `sample has shape [${sample?.dims.join(', ')}], expected [${count}, 3, H, W]`);
  }
  const size = 3 * height * width;
  return Array.from({ length: count }, (_, i) => checkFinite(pixels, i * size, (i + 1) * size, 'vae_decoder', 'when decoding the latents') ?? toRgb(pixels.subarray(i * size, (i + 1) * size), width, height));
}

const fround = Math.fround;
const round = Math.round;

/**
 * The reference pixel mapping, in float32 steps like diffusers (torch float32, then numpy's
 * round-half-to-even). NaN from a broken model becomes 0 rather than garbage.
 */
export function toRgb(nchw: Float32Array, width: number, height: number): RgbImage {
  const plane = width * height;
  const data = new Uint8Array(plane * 3);
  for (let c = 0; c < 3; c++) {
    for (let p = 0; p < plane; p++) {
      const x = fround(fround((nchw[c * plane + p] as number) / 2) + 0.5);
      data[p * 3 + c] = x > 0 ? (x < 1 ? roundHalfEven(fround(x * 255)) : 255) : 0;
    }
  }
  return { width, height, data };
}

function roundHalfEven(v: number): number {
  const r = round(v);
  return r - v === 0.5 && r % 2 === 1 ? r - 1 : r;
}

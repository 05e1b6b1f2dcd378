/**
 * Latents → RGB pixels, several images per VAE call:
 * `latents / scaling_factor → vae_decoder → clip(x / 2 + 0.5, 0, 1) → round(x · 255)`, NCHW → HWC.
 */
import { ModelFailedError } from '../errors';
import type { ModelSignature } from '../model/component-signatures';
import { floatTensor, readFloats } from '../runtime/float-tensor';
import type { TensorRunner } from '../runtime/onnx-runtime';

/** 8-bit RGB, row-major, channels interleaved. */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

export async function decodeLatents(
  latents: readonly Float32Array[],
  latentShape: readonly [number, number, number],
  vaeDecoder: TensorRunner,
  signature: ModelSignature,
  scalingFactor: number,
): Promise<RgbImage[]> {
  const [channels, h, w] = latentShape;
  const size = channels * h * w;
  const batch = new Float32Array(latents.length * size);
  latents.forEach((l, i) => {
    if (l.length !== size) throw new RangeError(`latents ${i} hold ${l.length} values, expected ${size}`);
    for (let j = 0; j < size; j++) batch[i * size + j] = (l[j] as number) / scalingFactor;
  });
  let output;
  try {
    output = await vaeDecoder.run({ latent_sample: floatTensor(batch, [latents.length, channels, h, w], signature.dtype) });
  } catch (error) {
    throw new ModelFailedError('vae_decoder', error);
  }
  const sample = output['sample'];
  const pixels = readFloats(sample, 'sample');
  const [, rgb, height, width] = sample?.dims ?? [];
  if (rgb !== 3 || height === undefined || width === undefined || pixels.length !== latents.length * 3 * height * width) {
    throw new ModelFailedError('vae_decoder', `sample has shape [${sample?.dims.join(', ')}], expected [${latents.length}, 3, H, W]`);
  }
  return latents.map((_, i) => toRgb(pixels.subarray(i * 3 * height * width, (i + 1) * 3 * height * width), width, height));
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

/**
 * Which swatch an image shows: each swatch is drawn as the demo release would decode it at the
 * image's size (its colours resized bilinearly to the latent size, then ×8, as the UNet and the VAE
 * do), and the nearest by mean squared pixel difference wins. Tests and tools use this to say what
 * a generated image means.
 */
import type { RgbImage } from '../../engine/pipeline/decode-latents';
import { DEMO_SWATCHES, SWATCH_LATENT_SIZE, renderSwatch, type Swatch } from './swatches';

const floor = Math.floor;
const round = Math.round;
const min = Math.min;
const max = Math.max;

/**
 * Bilinear resize of planar [channels, inH, inW] data with ONNX Resize's `linear` mode and
 * `half_pixel` coordinates (source positions clamped to the edge), as onnxruntime computes it.
 */
export function resizeBilinear(data: Float32Array, channels: number, inH: number, inW: number, outH: number, outW: number): Float32Array {
  const out = new Float32Array(channels * outH * outW);
  const axis = (outSize: number, inSize: number): { lo: Int32Array; hi: Int32Array; t: Float32Array } => {
    const lo = new Int32Array(outSize);
    const hi = new Int32Array(outSize);
    const t = new Float32Array(outSize);
    const scale = inSize / outSize;
    for (let i = 0; i < outSize; i++) {
      const x = min(max((i + 0.5) * scale - 0.5, 0), inSize - 1);
      lo[i] = floor(x);
      hi[i] = min((lo[i] as number) + 1, inSize - 1);
      t[i] = x - (lo[i] as number);
    }
    return { lo, hi, t };
  };
  const ys = axis(outH, inH);
  const xs = axis(outW, inW);
  for (let c = 0; c < channels; c++) {
    const src = c * inH * inW;
    const dst = c * outH * outW;
    for (let y = 0; y < outH; y++) {
      const r0 = src + (ys.lo[y] as number) * inW;
      const r1 = src + (ys.hi[y] as number) * inW;
      const ty = ys.t[y] as number;
      for (let x = 0; x < outW; x++) {
        const x0 = xs.lo[x] as number;
        const x1 = xs.hi[x] as number;
        const tx = xs.t[x] as number;
        const top = (data[r0 + x0] as number) * (1 - tx) + (data[r0 + x1] as number) * tx;
        const bottom = (data[r1 + x0] as number) * (1 - tx) + (data[r1 + x1] as number) * tx;
        out[dst + y * outW + x] = top * (1 - ty) + bottom * ty;
      }
    }
  }
  return out;
}

const swatchImages = new Map<string, RgbImage>();

/** The swatch as the demo release draws it in a width × height image (both multiples of 8). */
export function swatchImage(swatch: Swatch, width: number, height: number): RgbImage {
  const key = `${swatch.id}@${width}x${height}`;
  const cached = swatchImages.get(key);
  if (cached) return cached;
  const s = SWATCH_LATENT_SIZE;
  const latentSize = resizeBilinear(renderSwatch(swatch, s), 3, s, s, height / 8, width / 8);
  const planar = resizeBilinear(latentSize, 3, height / 8, width / 8, height, width);
  const plane = width * height;
  const data = new Uint8Array(plane * 3);
  for (let c = 0; c < 3; c++) {
    for (let p = 0; p < plane; p++) data[p * 3 + c] = max(0, min(255, round(((planar[c * plane + p] as number) / 2 + 0.5) * 255)));
  }
  const image = { width, height, data };
  swatchImages.set(key, image);
  return image;
}

export interface SwatchMatch {
  readonly swatch: Swatch;
  /** Mean squared difference per channel value, in 0..255 units. */
  readonly mse: number;
}

/** Candidates ranked by distance to `image`, nearest first. */
export function rankSwatches(image: RgbImage, candidates: readonly Swatch[] = DEMO_SWATCHES): SwatchMatch[] {
  const matches = candidates.map((swatch) => {
    const reference = swatchImage(swatch, image.width, image.height).data;
    const pixels = image.data;
    let sum = 0;
    for (let i = 0; i < pixels.length; i++) {
      const d = (pixels[i] as number) - (reference[i] as number);
      sum += d * d;
    }
    return { swatch, mse: sum / pixels.length };
  });
  return matches.sort((a, b) => a.mse - b.mse);
}

export function nearestSwatch(image: RgbImage, candidates: readonly Swatch[] = DEMO_SWATCHES): SwatchMatch {
  const best = rankSwatches(image, candidates)[0];
  if (!best) throw new Error('nearestSwatch: no candidates');
  return best;
}

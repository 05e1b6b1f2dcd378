/**
 * Which swatch an image shows: each swatch is drawn as the demo release would decode it at the
 * image's size (its colours resized bilinearly to the latent size, then ×8, as the UNet and the VAE
 * do), and the nearest by mean squared pixel difference wins. Tests and tools use this to say what
 * a generated image means.
 */
import type { RgbImage } from '../../engine/pipeline/decode-latents';
import { accessoryMasks, layoutMasks } from './demo-unet';
import { ACCESSORY_RGB, DEMO_ACCESSORIES, GARMENT_LAYOUTS, GROUND_RGB, type BaseLayout, type DemoAccessory, type SceneLayoutVariant } from './garment-layouts';
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

/** Where a scene's fabric sits: the full frame or one garment layout. */
export type SceneLayout = BaseLayout;

export interface SceneMatch {
  readonly layout: SceneLayout;
  /** The accessory drawn with it, if any. */
  readonly accessory?: DemoAccessory;
  readonly swatch: Swatch;
  /** Mean squared difference per channel value over the sampled pixels, in 0..255 units. */
  readonly mse: number;
}

/** Pixels compared per image at most: a regular grid, every pixel for small images. */
const SCENE_SAMPLES = 2048;
/** Best plain scenes tried again with each accessory. */
const ACCESSORY_CANDIDATES = 3;

const latentRgb = new Map<string, Float32Array>();
const latentMasks = new Map<string, { fabric: Float32Array; accessory: Float32Array }>();

/** The swatch's RGB at the latent size of a width × height image, planar, 0..255. */
function swatchAtLatentSize(swatch: Swatch, lw: number, lh: number): Float32Array {
  const key = `${swatch.id}@${lw}x${lh}`;
  let cached = latentRgb.get(key);
  if (!cached) {
    const s = SWATCH_LATENT_SIZE;
    cached = resizeBilinear(renderSwatch(swatch, s), 3, s, s, lh, lw).map((v) => (v / 2 + 0.5) * 255);
    latentRgb.set(key, cached);
  }
  return cached;
}

/** The variant's fabric and accessory masks at the latent size (the UNet's bilinear resize of its 32 × 32 masks). */
function masksAtLatentSize(variant: SceneLayoutVariant, lw: number, lh: number): { fabric: Float32Array; accessory: Float32Array } {
  const key = `${variant.base}+${variant.accessory ?? ''}@${lw}x${lh}`;
  let cached = latentMasks.get(key);
  if (!cached) {
    const s = SWATCH_LATENT_SIZE;
    cached = {
      fabric: resizeBilinear(layoutMasks([variant]), 1, s, s, lh, lw),
      accessory: resizeBilinear(accessoryMasks([variant]), 1, s, s, lh, lw),
    };
    latentMasks.set(key, cached);
  }
  return cached;
}

/**
 * Which layout, accessory and swatch an image shows: each candidate scene (the swatch inside the
 * layout's garment, the accessory in its colour, the studio ground around them) is composed at the
 * latent size and up-sampled ×8 as the demo VAE decodes it; the nearest by mean squared difference
 * over a grid of pixels wins. Every plain scene is tried, then the best few with each accessory.
 */
export function matchScene(image: RgbImage, swatches: readonly Swatch[] = DEMO_SWATCHES, layouts: readonly SceneLayout[] = ['full', ...GARMENT_LAYOUTS]): SceneMatch {
  const { width, height } = image;
  const lw = width / 8;
  const lh = height / 8;
  const stride = Math.max(1, Math.ceil(Math.sqrt((width * height) / SCENE_SAMPLES)));
  // Bilinear taps (ONNX half_pixel, as the VAE's ×8 resize) of every sampled pixel into the latent grid.
  const taps: number[] = [];
  const pixels: number[] = [];
  const axis = (i: number, inSize: number): [number, number, number] => {
    const x = min(max((i + 0.5) / 8 - 0.5, 0), inSize - 1);
    const lo = floor(x);
    return [lo, min(lo + 1, inSize - 1), x - lo];
  };
  for (let y = floor(stride / 2); y < height; y += stride) {
    const [y0, y1, ty] = axis(y, lh);
    for (let x = floor(stride / 2); x < width; x += stride) {
      const [x0, x1, tx] = axis(x, lw);
      taps.push(y0 * lw + x0, y0 * lw + x1, y1 * lw + x0, y1 * lw + x1, (1 - ty) * (1 - tx), (1 - ty) * tx, ty * (1 - tx), ty * tx);
      pixels.push(y * width + x);
    }
  }
  const plane = lw * lh;
  const scene = new Float32Array(3 * plane);
  const error = (variant: SceneLayoutVariant, swatch: Swatch): number => {
    const { fabric: mask, accessory } = masksAtLatentSize(variant, lw, lh);
    const fabric = swatchAtLatentSize(swatch, lw, lh);
    for (let c = 0; c < 3; c++) {
      const ground = GROUND_RGB[c] as number;
      const colour = variant.accessory ? (ACCESSORY_RGB[variant.accessory][c] as number) : ground;
      for (let p = 0; p < plane; p++) {
        const around = (accessory[p] as number) * colour + (1 - (accessory[p] as number)) * ground;
        scene[c * plane + p] = (mask[p] as number) * (fabric[c * plane + p] as number) + (1 - (mask[p] as number)) * around;
      }
    }
    let sum = 0;
    for (let i = 0; i < pixels.length; i++) {
      const t = i * 8;
      for (let c = 0; c < 3; c++) {
        const o = c * plane;
        const v =
          (scene[o + (taps[t] as number)] as number) * (taps[t + 4] as number) +
          (scene[o + (taps[t + 1] as number)] as number) * (taps[t + 5] as number) +
          (scene[o + (taps[t + 2] as number)] as number) * (taps[t + 6] as number) +
          (scene[o + (taps[t + 3] as number)] as number) * (taps[t + 7] as number);
        const d = (image.data[(pixels[i] as number) * 3 + c] as number) - v;
        sum += d * d;
      }
    }
    return sum / (pixels.length * 3);
  };
  const plain: SceneMatch[] = [];
  for (const layout of layouts) for (const swatch of swatches) plain.push({ layout, swatch, mse: error({ base: layout }, swatch) });
  plain.sort((a, b) => a.mse - b.mse);
  let best = plain[0];
  if (!best) throw new Error('matchScene: no candidates');
  for (const candidate of plain.slice(0, ACCESSORY_CANDIDATES)) {
    for (const accessory of DEMO_ACCESSORIES) {
      const mse = error({ base: candidate.layout, accessory }, candidate.swatch);
      if (mse < best.mse) best = { layout: candidate.layout, accessory, swatch: candidate.swatch, mse };
    }
  }
  return best;
}

/**
 * Pillow's Lanczos resize of 8-bit RGB (`Image.resize(size, Image.LANCZOS, box)`), to the bit:
 * diffusers resizes with PIL, so an image-to-image request whose photo is not at the request's size
 * reproduces diffusers only if the resized pixels are PIL's. Pillow (src/libImaging/Resample.c)
 * computes each output pixel's filter weights in float64 (a 3-lobe windowed sinc, stretched by the
 * scale when shrinking), normalises them, rounds them to 22-bit fixed point, accumulates integer
 * products with a half added and clips: horizontal pass first (over the rows the vertical pass
 * reads), then vertical. Each pass is skipped when that axis keeps its size and is not cropped.
 */
import type { RgbImage } from './decode-latents';

/** A source rectangle in pixels (floats allowed), as Pillow's `box`: left, top, right, bottom. */
export type ResizeBox = readonly [number, number, number, number];

const SUPPORT = 3;
/** Pillow's PRECISION_BITS for 8-bit images: 32 - 8 - 2. */
const PRECISION_BITS = 22;
const ONE = 2 ** PRECISION_BITS;
const HALF = 2 ** (PRECISION_BITS - 1);

function sinc(x: number): number {
  if (x === 0) return 1;
  const px = x * Math.PI;
  return Math.sin(px) / px;
}

function lanczos(x: number): number {
  return x >= -SUPPORT && x < SUPPORT ? sinc(x) * sinc(x / SUPPORT) : 0;
}

interface Coefficients {
  readonly ksize: number;
  /** Per output pixel: first input index and count. */
  readonly bounds: Int32Array;
  /** Per output pixel: ksize fixed-point weights. */
  readonly weights: Int32Array;
}

/** Pillow's precompute_coeffs + normalize_coeffs_8bpc. */
function coefficients(inSize: number, in0: number, in1: number, outSize: number): Coefficients {
  const scale = (in1 - in0) / outSize;
  const filterScale = Math.max(scale, 1);
  const support = SUPPORT * filterScale;
  const ksize = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize * 2);
  const weights = new Int32Array(outSize * ksize);
  const k = new Float64Array(ksize);
  for (let xx = 0; xx < outSize; xx++) {
    const center = in0 + (xx + 0.5) * scale;
    const ss = 1 / filterScale;
    // (int) truncates toward zero in C.
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xmax = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    let ww = 0;
    k.fill(0);
    for (let x = 0; x < xmax; x++) {
      const w = lanczos((x + xmin - center + 0.5) * ss);
      k[x] = w;
      ww += w;
    }
    for (let x = 0; x < xmax; x++) if (ww !== 0) k[x] = (k[x] as number) / ww;
    for (let x = 0; x < ksize; x++) {
      const v = k[x] as number;
      weights[xx * ksize + x] = v < 0 ? Math.trunc(-0.5 + v * ONE) : Math.trunc(0.5 + v * ONE);
    }
    bounds[xx * 2] = xmin;
    bounds[xx * 2 + 1] = xmax;
  }
  return { ksize, bounds, weights };
}

function clip8(v: number): number {
  if (v >= ONE * 256) return 255;
  if (v <= 0) return 0;
  return Math.floor(v / ONE);
}

/**
 * Resizes `image` to width × height from the source rectangle `box` (the whole image by default),
 * returning a copy when nothing changes, as Pillow does.
 */
export function lanczosResize(image: RgbImage, width: number, height: number, box: ResizeBox = [0, 0, image.width, image.height]): RgbImage {
  if (!(Number.isInteger(width) && width > 0 && Number.isInteger(height) && height > 0)) throw new RangeError(`resize target must be positive integers, got ${width}×${height}`);
  const [left, top, right, bottom] = box;
  if (!(left >= 0 && top >= 0 && right <= image.width && bottom <= image.height && right > left && bottom > top)) {
    throw new RangeError(`resize box [${box.join(', ')}] must lie inside the ${image.width}×${image.height} image`);
  }
  const needHorizontal = width !== image.width || left !== 0 || right !== width;
  const needVertical = height !== image.height || top !== 0 || bottom !== height;
  const horizontal = coefficients(image.width, left, right, width);
  const vertical = coefficients(image.height, top, bottom, height);
  let current = image;
  let rowShift = 0;
  if (needHorizontal) {
    // Only the rows the vertical pass reads.
    const first = vertical.bounds[0] as number;
    const last = (vertical.bounds[height * 2 - 2] as number) + (vertical.bounds[height * 2 - 1] as number);
    current = resampleHorizontal(image, first, last - first, width, horizontal);
    rowShift = first;
  }
  if (needVertical) current = resampleVertical(current, rowShift, height, vertical);
  return current === image ? { width: image.width, height: image.height, data: image.data.slice() } : current;
}

function resampleHorizontal(image: RgbImage, firstRow: number, rows: number, width: number, c: Coefficients): RgbImage {
  const out = new Uint8Array(width * rows * 3);
  const { ksize, bounds, weights } = c;
  for (let y = 0; y < rows; y++) {
    const rowStart = (y + firstRow) * image.width * 3;
    for (let xx = 0; xx < width; xx++) {
      const xmin = bounds[xx * 2] as number;
      const xmax = bounds[xx * 2 + 1] as number;
      let r = HALF;
      let g = HALF;
      let b = HALF;
      for (let x = 0; x < xmax; x++) {
        const w = weights[xx * ksize + x] as number;
        const p = rowStart + (x + xmin) * 3;
        r += (image.data[p] as number) * w;
        g += (image.data[p + 1] as number) * w;
        b += (image.data[p + 2] as number) * w;
      }
      const o = (y * width + xx) * 3;
      out[o] = clip8(r);
      out[o + 1] = clip8(g);
      out[o + 2] = clip8(b);
    }
  }
  return { width, height: rows, data: out };
}

function resampleVertical(image: RgbImage, rowShift: number, height: number, c: Coefficients): RgbImage {
  const { width } = image;
  const out = new Uint8Array(width * height * 3);
  const { ksize, bounds, weights } = c;
  for (let yy = 0; yy < height; yy++) {
    const ymin = (bounds[yy * 2] as number) - rowShift;
    const ymax = bounds[yy * 2 + 1] as number;
    for (let xx = 0; xx < width; xx++) {
      let r = HALF;
      let g = HALF;
      let b = HALF;
      for (let y = 0; y < ymax; y++) {
        const w = weights[yy * ksize + y] as number;
        const p = ((y + ymin) * width + xx) * 3;
        r += (image.data[p] as number) * w;
        g += (image.data[p + 1] as number) * w;
        b += (image.data[p + 2] as number) * w;
      }
      const o = (yy * width + xx) * 3;
      out[o] = clip8(r);
      out[o + 1] = clip8(g);
      out[o + 2] = clip8(b);
    }
  }
  return { width, height, data: out };
}

/**
 * Tiled VAE decoding: a large latent is cut into overlapping square tiles, each tile is decoded on
 * its own (one vae_decoder call), and the decoded tiles are blended where they overlap with linear
 * ramps, so no call holds the activations of the whole image. The decoder's output near a tile's
 * edge depends on context outside the tile (convolutions, GroupNorm statistics, the mid-block
 * attention), so a tiled image differs slightly from the untiled one: the ramps hide the seams
 * (README, "Memory": the measured difference).
 */
import { ModelFailedError } from '../errors';
import { floatTensor, readFloats, type FloatType } from '../runtime/float-tensor';
import type { TensorRunner } from '../runtime/onnx-runtime';

/** How images are decoded: which are tiled, and the tiles. */
export interface VaeDecodeOptions {
  /** Tile images with more pixels (width × height) than this; 0: every image larger than one tile; Infinity: none. Default 512 × 512. */
  readonly tileAbovePixels?: number;
  /** Tile side in latent pixels (8 image pixels each); default 64 (512 pixels). */
  readonly tileLatentSize?: number;
  /** Latent pixels two neighbouring tiles share, blended; default 16 (128 pixels). */
  readonly tileOverlapLatent?: number;
}

export const DEFAULT_TILE_ABOVE_PIXELS = 512 * 512;
export const DEFAULT_TILE_LATENT_SIZE = 64;
export const DEFAULT_TILE_OVERLAP_LATENT = 16;

export interface TileLayout {
  readonly size: number;
  readonly overlap: number;
}

/** The tile layout for a latent of height × width, or undefined when it is decoded whole. */
export function tileLayoutFor(latentHeight: number, latentWidth: number, tileable: boolean, options: VaeDecodeOptions = {}): TileLayout | undefined {
  const above = options.tileAbovePixels ?? DEFAULT_TILE_ABOVE_PIXELS;
  const size = options.tileLatentSize ?? DEFAULT_TILE_LATENT_SIZE;
  const overlap = options.tileOverlapLatent ?? DEFAULT_TILE_OVERLAP_LATENT;
  if (!(above >= 0)) throw new RangeError(`tileAbovePixels must be at least 0, got ${above}`);
  if (!Number.isInteger(size) || size < 2) throw new RangeError(`tileLatentSize must be an integer of at least 2, got ${size}`);
  if (!Number.isInteger(overlap) || overlap < 0 || overlap >= size) throw new RangeError(`tileOverlapLatent must be an integer from 0 to ${size - 1}, got ${overlap}`);
  if (!tileable || latentHeight * latentWidth * 64 <= above) return undefined;
  if (latentHeight <= size && latentWidth <= size) return undefined;
  return { size, overlap };
}

/**
 * Where tiles start along an axis of `length` latent pixels: every size − overlap, the last one
 * moved back to end at the edge (it then overlaps its neighbour more). One tile when it fits.
 */
export function tileStarts(length: number, layout: TileLayout): number[] {
  if (length <= layout.size) return [0];
  const stride = layout.size - layout.overlap;
  const starts: number[] = [];
  for (let s = 0; s + layout.size < length; s += stride) starts.push(s);
  starts.push(length - layout.size);
  return starts;
}

interface AxisTile {
  readonly start: number;
  readonly size: number;
  /** Blend weight of each output pixel along the axis (> 0). */
  readonly weights: Float32Array;
}

/**
 * Tiles along one axis with their blend weights in output pixels: 1 inside, a linear ramp over the
 * pixels shared with the previous and the next tile. Weights of overlapping tiles are normalised by
 * their sum when assembling, so unequal overlaps (the last tile) blend correctly.
 */
function axisTiles(length: number, layout: TileLayout, scale: number): AxisTile[] {
  const starts = tileStarts(length, layout);
  const size = Math.min(length, layout.size);
  return starts.map((start, k) => {
    const rampIn = k > 0 ? ((starts[k - 1] as number) + size - start) * scale : 0;
    const rampOut = k < starts.length - 1 ? (start + size - (starts[k + 1] as number)) * scale : 0;
    const pixels = size * scale;
    const weights = new Float32Array(pixels);
    for (let i = 0; i < pixels; i++) {
      let w = 1;
      if (rampIn > 0) w = Math.min(w, (i + 0.5) / rampIn);
      if (rampOut > 0) w = Math.min(w, (pixels - i - 0.5) / rampOut);
      weights[i] = w;
    }
    return { start, size, weights };
  });
}

/**
 * Decodes one latent (already divided by the scaling factor), [channels, h, w], tile by tile:
 * NCHW float pixels [3, H, W] of the whole image. Non-finite values are left for the caller's check
 * (a NaN in any tile stays NaN after blending).
 */
export async function decodeTiled(
  latent: Float32Array,
  latentShape: readonly [number, number, number],
  layout: TileLayout,
  vaeDecoder: TensorRunner,
  dtype: FloatType,
): Promise<{ pixels: Float32Array; width: number; height: number }> {
  const [channels, h, w] = latentShape;
  let rows: AxisTile[] | undefined;
  let cols: AxisTile[] | undefined;
  let out: { pixels: Float32Array; width: number; height: number; scale: number } | undefined;
  const rowStarts = tileStarts(h, layout);
  const colStarts = tileStarts(w, layout);
  const th = Math.min(h, layout.size);
  const tw = Math.min(w, layout.size);
  for (const [i, y0] of rowStarts.entries()) {
    for (const [j, x0] of colStarts.entries()) {
      const tile = new Float32Array(channels * th * tw);
      for (let c = 0; c < channels; c++) {
        for (let y = 0; y < th; y++) {
          const from = c * h * w + (y0 + y) * w + x0;
          tile.set(latent.subarray(from, from + tw), (c * th + y) * tw);
        }
      }
      const decoded = await decodeTile(tile, [1, channels, th, tw], vaeDecoder, dtype);
      if (!out) {
        const scale = decoded.height / th;
        if (!Number.isInteger(scale) || decoded.width !== tw * scale) {
          throw new ModelFailedError('vae_decoder', `a ${tw} × ${th} latent tile decoded to ${decoded.width} × ${decoded.height} pixels, not a whole multiple`);
        }
        out = { pixels: new Float32Array(3 * h * scale * w * scale), width: w * scale, height: h * scale, scale };
        rows = axisTiles(h, layout, scale);
        cols = axisTiles(w, layout, scale);
      } else if (decoded.height !== th * out.scale || decoded.width !== tw * out.scale) {
        throw new ModelFailedError('vae_decoder', `tiles decoded to different sizes (${decoded.width} × ${decoded.height})`);
      }
      accumulate(out, decoded, (rows as AxisTile[])[i] as AxisTile, (cols as AxisTile[])[j] as AxisTile);
    }
  }
  const result = out as NonNullable<typeof out>;
  normalise(result, rows as AxisTile[], cols as AxisTile[]);
  return { pixels: result.pixels, width: result.width, height: result.height };
}

async function decodeTile(tile: Float32Array, dims: readonly number[], vaeDecoder: TensorRunner, dtype: FloatType): Promise<{ pixels: Float32Array; width: number; height: number }> {
  let output;
  try {
    output = await vaeDecoder.run({ latent_sample: floatTensor(tile, dims, dtype) });
  } catch (error) {
    throw new ModelFailedError('vae_decoder', error);
  }
  const sample = output['sample'];
  const pixels = readFloats(sample, 'sample');
  const [, rgb, height, width] = sample?.dims ?? [];
  if (rgb !== 3 || height === undefined || width === undefined || pixels.length !== 3 * height * width) {
    throw new ModelFailedError('vae_decoder', `sample has shape [${sample?.dims.join(', ')}], expected [1, 3, H, W]`);
  }
  return { pixels, width, height };
}

/** Adds a decoded tile, weighted by row weight × column weight, into the image. */
function accumulate(out: { pixels: Float32Array; width: number; height: number; scale: number }, tile: { pixels: Float32Array; width: number; height: number }, row: AxisTile, col: AxisTile): void {
  const top = row.start * out.scale;
  const left = col.start * out.scale;
  const plane = out.width * out.height;
  const tilePlane = tile.width * tile.height;
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < tile.height; y++) {
      const wy = row.weights[y] as number;
      const src = c * tilePlane + y * tile.width;
      const dst = c * plane + (top + y) * out.width + left;
      for (let x = 0; x < tile.width; x++) out.pixels[dst + x] = (out.pixels[dst + x] as number) + (tile.pixels[src + x] as number) * wy * (col.weights[x] as number);
    }
  }
}

/** Divides by the summed weights; the grid is a product of row and column tiles, so the sum is (Σ row weights) × (Σ column weights). */
function normalise(out: { pixels: Float32Array; width: number; height: number; scale: number }, rows: readonly AxisTile[], cols: readonly AxisTile[]): void {
  const rowSum = axisSum(rows, out.height, out.scale);
  const colSum = axisSum(cols, out.width, out.scale);
  const plane = out.width * out.height;
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < out.height; y++) {
      const base = c * plane + y * out.width;
      const wy = rowSum[y] as number;
      for (let x = 0; x < out.width; x++) out.pixels[base + x] = (out.pixels[base + x] as number) / (wy * (colSum[x] as number));
    }
  }
}

function axisSum(tiles: readonly AxisTile[], pixels: number, scale: number): Float64Array {
  const sum = new Float64Array(pixels);
  for (const t of tiles) t.weights.forEach((w, i) => (sum[t.start * scale + i] = (sum[t.start * scale + i] as number) + w));
  return sum;
}

/**
 * The demo VAE decoder: a fixed linear map from the 4 latent channels to RGB, then a smooth ×8
 * bilinear up-sampling. `latent_sample` [B, 4, h, w] → `sample` [B, 3, 8h, 8w] in [-1, 1], the
 * range the pipeline maps with x/2 + 0.5.
 *
 * The pipeline divides latents by the VAE's scaling factor (SD's 0.18215) before decoding, so the
 * graph multiplies the map by it: in the diffusion's latent space, RGB = LATENT_TO_RGB · z + bias.
 * The map has full row rank; its pseudo-inverse turns swatch colours into latents (`rgbToLatents`)
 * whose decoding reproduces them exactly. What the map cannot see (its one-dimensional null space,
 * NULL_DIRECTION) is free: swatch-latents.ts puts an identity code there. Swatch latents end up with
 * about unit spread, as SD latents have.
 */
import { GraphBuilder } from '../onnx/graph-builder';
import type { ModelMessage } from '../onnx/onnx-proto';
import { conv } from '../onnx/ops/neural';
import type { WeightSink } from '../onnx/weight-sink';
import { resizeLinearByScale } from './demo-ops';

export const DEMO_SCALING_FACTOR = 0.18215;
export const LATENT_CHANNELS = 4;

/** RGB per unit of each latent channel (rows R, G, B): luminance, two chroma axes, and a little of all in the fourth. */
export const LATENT_TO_RGB: readonly (readonly [number, number, number, number])[] = [
  [0.72, 0.6, 0.12, 0.2],
  [0.72, -0.44, 0.28, 0.24],
  [0.72, -0.12, -0.68, 0.16],
];
export const RGB_BIAS: readonly [number, number, number] = [0, 0, 0];

/** Moore–Penrose pseudo-inverse of the 3×4 map: Aᵀ (A Aᵀ)⁻¹, 4×3. */
function pseudoInverse(): number[][] {
  const a = LATENT_TO_RGB.map((row) => [...row]);
  const at = (m: number[][], i: number, j: number): number => (m[i] as number[])[j] as number;
  const aat = [0, 1, 2].map((i) => [0, 1, 2].map((j) => [0, 1, 2, 3].reduce((s, k) => s + at(a, i, k) * at(a, j, k), 0)));
  const inv = invert3(aat);
  return [0, 1, 2, 3].map((k) => [0, 1, 2].map((j) => [0, 1, 2].reduce((s, i) => s + at(a, i, k) * at(inv, i, j), 0)));
}

function invert3(m: number[][]): number[][] {
  const [[a, b, c], [d, e, f], [g, h, i]] = m as [[number, number, number], [number, number, number], [number, number, number]];
  const det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
  if (Math.abs(det) < 1e-9) throw new Error('demo VAE: the latent → RGB map is not of full rank');
  return [
    [(e * i - f * h) / det, (c * h - b * i) / det, (b * f - c * e) / det],
    [(f * g - d * i) / det, (a * i - c * g) / det, (c * d - a * f) / det],
    [(d * h - e * g) / det, (b * g - a * h) / det, (a * e - b * d) / det],
  ];
}

export const RGB_TO_LATENT: readonly (readonly number[])[] = pseudoInverse();

/**
 * The unit latent direction the decoder cannot see (the map's null space): latents may carry
 * anything along it without changing the image. The demo swatches use it for an identity code.
 */
export const NULL_DIRECTION: readonly number[] = nullDirection();

function nullDirection(): number[] {
  // The 4-vector orthogonal to the three rows: cofactors of the 3×4 map (generalised cross product).
  const a = LATENT_TO_RGB.map((row) => [...row]);
  const minor = (skip: number): number => {
    const cols = [0, 1, 2, 3].filter((c) => c !== skip);
    const m = a.map((row) => cols.map((c) => row[c] as number));
    return determinant3(m);
  };
  const v = [0, 1, 2, 3].map((c) => (c % 2 === 0 ? 1 : -1) * minor(c));
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

function determinant3(m: number[][]): number {
  const [[a, b, c], [d, e, f], [g, h, i]] = m as [[number, number, number], [number, number, number], [number, number, number]];
  return a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
}

/** Planar RGB [3, n] in [-1, 1] → planar latents [4, n] (the minimum-norm latents that decode to it). */
export function rgbToLatents(rgb: Float32Array): Float32Array {
  const n = rgb.length / 3;
  const out = new Float32Array(LATENT_CHANNELS * n);
  for (let k = 0; k < LATENT_CHANNELS; k++) {
    const row = RGB_TO_LATENT[k] as number[];
    for (let p = 0; p < n; p++) {
      let v = 0;
      for (let c = 0; c < 3; c++) v += (row[c] as number) * ((rgb[c * n + p] as number) - (RGB_BIAS[c] as number));
      out[k * n + p] = v;
    }
  }
  return out;
}

/** Planar latents [4, n] → planar RGB [3, n], unclipped (the decoder before up-sampling). */
export function latentsToRgb(latents: Float32Array): Float32Array {
  const n = latents.length / LATENT_CHANNELS;
  const out = new Float32Array(3 * n);
  for (let c = 0; c < 3; c++) {
    const row = LATENT_TO_RGB[c] as readonly number[];
    for (let p = 0; p < n; p++) {
      let v = RGB_BIAS[c] as number;
      for (let k = 0; k < LATENT_CHANNELS; k++) v += (row[k] as number) * (latents[k * n + p] as number);
      out[c * n + p] = v;
    }
  }
  return out;
}

export function buildDemoVaeDecoder(weights?: WeightSink): ModelMessage {
  const g = new GraphBuilder('vae_decoder', weights);
  const latents = g.input('latent_sample', 'float32', ['batch', LATENT_CHANNELS, 'height', 'width']);
  const kernel = Float32Array.from(LATENT_TO_RGB.flatMap((row) => row.map((v) => v * DEMO_SCALING_FACTOR)));
  const weight = g.initializer('decoder.latent_to_rgb.weight', 'float32', [3, LATENT_CHANNELS, 1, 1], kernel);
  const bias = g.initializer('decoder.latent_to_rgb.bias', 'float32', [3], Float32Array.from(RGB_BIAS));
  const rgb = conv(g, latents, weight, bias);
  g.output(resizeLinearByScale(g, rgb, 8), 'sample');
  return g.build({ component: 'vae_decoder', demo: 'linear latent → RGB map, bilinear ×8 up-sampling' });
}

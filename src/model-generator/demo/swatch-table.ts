/**
 * The demo UNet's swatch latents [k, 4, S, S], built in the graph from what makes them, so that a
 * checkpoint holding every style in every colour stays small: each style's structure (the share of
 * each palette slot per pixel, swatchStructure), each swatch's palette as latents, and each swatch's
 * identity code as its CODE_GRID² grid (swatch-latents.ts):
 *
 *   latents_k = Σ_j structure_{style(k), j} ⊗ L(palette_{k, j})  +  NULL_DIRECTION ⊗ resize(grid_k)
 *
 * L is the demo VAE's linear pseudo-inverse; the shares sum to 1, so the first term is
 * L(renderSwatch(k)), and the second is the code swatchLatents adds: the same latents, computed.
 */
import type { GraphBuilder, Value } from '../onnx/graph-builder';
import { add, mul } from '../onnx/ops/elementwise';
import { matmul } from '../onnx/ops/neural';
import { reshape } from '../onnx/ops/tensor-shape';
import type { DemoStyle } from './demo-attributes';
import { resizeLinearByScale } from './demo-ops';
import { LATENT_CHANNELS, NULL_DIRECTION, rgbToLatents } from './demo-vae';
import { CODE_GRID, scaledCodeGrid } from './swatch-latents';
import { PALETTE_SLOTS, SWATCH_LATENT_SIZE, paletteOf, swatchStructure, type Swatch } from './swatches';

const S = SWATCH_LATENT_SIZE;

/** The swatch latents [k, 4, S, S] as graph values. */
export function swatchLatentTable(g: GraphBuilder, swatches: readonly Swatch[]): Value {
  const k = swatches.length;
  const styles: DemoStyle[] = [...new Set(swatches.map((s) => s.style))];
  const slots = styles.length * PALETTE_SLOTS;
  const structureData = new Float32Array(slots * S * S);
  styles.forEach((style, p) => structureData.set(swatchStructure(style), p * PALETTE_SLOTS * S * S));
  const structures = g.initializer('demo.style_structures', 'float32', [slots, S * S], structureData);

  // [k·4, styles·slots]: row (k, c) holds channel c of each palette colour's latent, in its style's columns.
  const paletteData = new Float32Array(k * LATENT_CHANNELS * slots);
  swatches.forEach((swatch, i) => {
    const column = styles.indexOf(swatch.style) * PALETTE_SLOTS;
    paletteOf(swatch).forEach((rgb, j) => {
      const latent = rgbToLatents(Float32Array.from(rgb, (v) => v * 2 - 1));
      for (let c = 0; c < LATENT_CHANNELS; c++) paletteData[(i * LATENT_CHANNELS + c) * slots + column + j] = latent[c] as number;
    });
  });
  const palettes = g.initializer('demo.swatch_palette_latents', 'float32', [k * LATENT_CHANNELS, slots], paletteData);
  const colours = reshape(g, matmul(g, palettes, structures), [k, LATENT_CHANNELS, S, S]);

  const gridData = new Float32Array(k * CODE_GRID * CODE_GRID);
  swatches.forEach((swatch, i) => gridData.set(scaledCodeGrid(swatch), i * CODE_GRID * CODE_GRID));
  const grids = g.initializer('demo.swatch_code_grids', 'float32', [k, 1, CODE_GRID, CODE_GRID], gridData);
  const nullDirection = g.initializer('demo.null_direction', 'float32', [1, LATENT_CHANNELS, 1, 1], Float32Array.from(NULL_DIRECTION));
  return add(g, colours, mul(g, resizeLinearByScale(g, grids, S / CODE_GRID), nullDirection));
}

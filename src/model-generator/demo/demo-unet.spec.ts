import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OnnxSession } from '../../engine/runtime/onnx-runtime';
import { tensor } from '../../engine/runtime/tensor';
import { encodeModel } from '../onnx/onnx-proto';
import { DEMO_TEXT_WIDTH, accessoryDimension, colourDimension, garmentDimension, lengthDimension, styleDimension } from './demo-attributes';
import { PRIOR_STRENGTH, accessoryLatents, accessoryMasks, buildDemoUnet, groundLatent, layoutMasks, sigmaTable, swatchAttributes } from './demo-unet';
import { FULL_KNOWLEDGE, layoutPrior } from './layout-prior';
import { garmentMask, sceneLayoutVariants } from './garment-layouts';
import { swatchLatents } from './swatch-latents';
import { resizeBilinear } from './swatch-matching';
import { DEMO_SWATCHES, SWATCH_LATENT_SIZE, type Swatch } from './swatches';

const SEQUENCE = 77;
const exp = Math.exp;

/** Deterministic values in about [-2, 2]. */
function wave(count: number, phase: number): Float32Array {
  return Float32Array.from({ length: count }, (_, i) => 2 * Math.sin(i * 0.731 + phase) * Math.cos(i * 0.113));
}

/** Text states with the given attribute dimensions set on token positions 1, 2... */
function context(dimensions: readonly number[]): Float32Array {
  const states = new Float32Array(SEQUENCE * DEMO_TEXT_WIDTH);
  dimensions.forEach((d, i) => (states[(i + 1) * DEMO_TEXT_WIDTH + d] = 1));
  return states;
}

/** The UNet's formula in float64, for one row. */
function reference(swatches: readonly Swatch[], sample: Float32Array, h: number, w: number, t: number, states: Float32Array): Float64Array {
  const table = sigmaTable();
  const tc = Math.min(Math.max(t, 0), 999);
  const low = Math.floor(tc);
  const sigma = (table[low] as number) + (tc - low) * ((table[low + 1] as number) - (table[low] as number));
  const s = Math.sqrt(1 + sigma * sigma);
  const attributes = new Float64Array(DEMO_TEXT_WIDTH);
  for (let p = 0; p < SEQUENCE; p++) for (let d = 0; d < DEMO_TEXT_WIDTH; d++) attributes[d] = Math.max(attributes[d] as number, states[p * DEMO_TEXT_WIDTH + d] as number);
  const sizeFactor = Math.sqrt(h * w) / SWATCH_LATENT_SIZE;
  // Every layout (full frame, then each garment) × every swatch: the fabric inside the mask, the ground outside.
  const plane = SWATCH_LATENT_SIZE * SWATCH_LATENT_SIZE;
  const variants = sceneLayoutVariants();
  const resized = (all: Float32Array): Float32Array[] => Array.from({ length: variants.length }, (_, m) => resizeBilinear(all.subarray(m * plane, (m + 1) * plane), 1, SWATCH_LATENT_SIZE, SWATCH_LATENT_SIZE, h, w));
  const masks = resized(layoutMasks(variants));
  const accessories = resized(accessoryMasks(variants));
  const colours = accessoryLatents(variants);
  const ground = groundLatent();
  const fabrics = swatches.map((sw) => resizeBilinear(swatchLatents(sw), 4, SWATCH_LATENT_SIZE, SWATCH_LATENT_SIZE, h, w));
  const x0s = masks.flatMap((mask, m) =>
    fabrics.map((f) =>
      Float32Array.from(f, (v, i) => {
        const p = i % (h * w);
        const c = Math.floor(i / (h * w));
        const a = accessories[m]![p] as number;
        const around = a * (colours[m * 4 + c] as number) + (1 - a) * (ground[c] as number);
        return (mask[p] as number) * v + (1 - (mask[p] as number)) * around;
      }),
    ),
  );
  const layoutOf = (index: number): number => Math.floor(index / swatches.length);
  const prior = layoutPrior(FULL_KNOWLEDGE);
  const layouts = masks.length;
  const layoutLogPrior = (m: number): number => (prior.bias[m] as number) + attributes.reduce((acc, v, d) => acc + v * (prior.weights[d * layouts + m] as number), 0);
  const logits = x0s.map((x0, index) => {
    const sw = swatches[index % swatches.length] as Swatch;
    const logPrior = (swatchAttributes(sw).reduce((acc, v, d) => acc + v * (attributes[d] as number), 0) * PRIOR_STRENGTH + layoutLogPrior(layoutOf(index))) * sizeFactor;
    let dot = 0;
    let norm = 0;
    for (let i = 0; i < x0.length; i++) {
      dot += (sample[i] as number) * s * (x0[i] as number);
      norm += (x0[i] as number) ** 2;
    }
    return logPrior + (dot - norm / 2) / (sigma * sigma);
  });
  const top = Math.max(...logits);
  const weights = logits.map((l) => exp(l - top));
  const total = weights.reduce((a, b) => a + b, 0);
  const out = new Float64Array(sample.length);
  for (let i = 0; i < out.length; i++) {
    let predicted = 0;
    for (let k = 0; k < x0s.length; k++) predicted += ((weights[k] as number) / total) * ((x0s[k] as Float32Array)[i] as number);
    out[i] = ((sample[i] as number) * s - predicted) / sigma;
  }
  return out;
}

function maxRelativeError(actual: Float32Array, expected: Float64Array): number {
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i] as number));
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs((actual[i] as number) - (expected[i] as number)));
  return worst / scale;
}

describe('demo UNet', () => {
  const dir = mkdtempSync(join(tmpdir(), 'afd-demo-unet-'));
  const swatches = DEMO_SWATCHES.filter((s) => ['kente', 'plain', 'stripes'].includes(s.style));
  let unet: OnnxSession;
  beforeAll(async () => {
    writeFileSync(join(dir, 'model.onnx'), encodeModel(buildDemoUnet(swatches)));
    unet = await OnnxSession.load(join(dir, 'model.onnx'), { device: 'cpu', intraOpThreads: 1 });
  });
  afterAll(async () => {
    await unet.release();
    rmSync(dir, { recursive: true, force: true });
  });

  async function run(rows: ReadonlyArray<{ sample: Float32Array; t: number; states: Float32Array }>, h: number, w: number): Promise<Float32Array> {
    const size = 4 * h * w;
    const sample = new Float32Array(rows.length * size);
    const states = new Float32Array(rows.length * SEQUENCE * DEMO_TEXT_WIDTH);
    rows.forEach((r, i) => {
      sample.set(r.sample, i * size);
      states.set(r.states, i * SEQUENCE * DEMO_TEXT_WIDTH);
    });
    const out = await unet.run({
      sample: tensor('float32', sample, [rows.length, 4, h, w]),
      timestep: tensor('float32', Float32Array.from(rows.map((r) => r.t)), [rows.length]),
      encoder_hidden_states: tensor('float32', states, [rows.length, SEQUENCE, DEMO_TEXT_WIDTH]),
    });
    expect(out['out_sample']?.dims).toEqual([rows.length, 4, h, w]);
    return out['out_sample']?.data as Float32Array;
  }

  it('matches the closed form at fractional and integer timesteps, any latent size, with and without a prompt', async () => {
    const redKente = context([colourDimension('red'), styleDimension('kente')]);
    const cases = [
      { h: 8, w: 8, t: 980.25, states: redKente },
      { h: 6, w: 10, t: 500.5, states: context([]) },
      { h: 5, w: 7, t: 37, states: redKente },
      { h: 40, w: 24, t: 0.75, states: context([styleDimension('stripes')]) },
      { h: 16, w: 12, t: 700, states: context([colourDimension('red'), garmentDimension('dress'), lengthDimension('midi')]) },
      { h: 12, w: 12, t: 250.5, states: context([styleDimension('kente'), garmentDimension('boubou')]) },
      { h: 16, w: 16, t: 400, states: context([styleDimension('wax'), garmentDimension('dress'), accessoryDimension('cowries')]) },
    ];
    for (const [i, c] of cases.entries()) {
      const sample = wave(4 * c.h * c.w, i);
      const actual = await run([{ sample, t: c.t, states: c.states }], c.h, c.w);
      const error = maxRelativeError(actual, reference(swatches, sample, c.h, c.w, c.t, c.states));
      const label = `${c.h}×${c.w} at t=${c.t}`;
      expect([label, error < 1e-4]).toEqual([label, true]);
    }
  });

  it('treats each row with its own timestep and its own text states', async () => {
    const rows = [
      { sample: wave(4 * 64, 1), t: 900.5, states: context([styleDimension('kente')]) },
      { sample: wave(4 * 64, 2), t: 120, states: context([]) },
      { sample: wave(4 * 64, 3), t: 400.25, states: context([colourDimension('blue'), styleDimension('stripes')]) },
    ];
    const together = await run(rows, 8, 8);
    for (const [i, row] of rows.entries()) {
      const alone = await run([row], 8, 8);
      let worst = 0;
      for (let j = 0; j < alone.length; j++) worst = Math.max(worst, Math.abs((alone[j] as number) - (together[i * alone.length + j] as number)));
      expect(worst).toBeLessThan(1e-4);
    }
  });

  it('predicts the prompted swatch from the noise alone at the start: x̂0 follows the prior', async () => {
    // With x_t = 0 the likelihood is the same for every swatch of equal norm, so x̂0 = Σ π_k x0_k. At 16 × 16
    // (a 128 × 128 image) the prior's margin over the many swatches sharing all but one attribute is 16 nats.
    const h = 16;
    const w = 16;
    const t = 999;
    const sigma = sigmaTable()[999] as number;
    const kente = swatches.filter((s) => s.style === 'kente');
    for (const target of kente) {
      const dims = [styleDimension('kente'), ...target.colours.map(colourDimension)];
      const eps = await run([{ sample: new Float32Array(4 * h * w), t, states: context(dims) }], h, w);
      const predicted = eps.map((v) => -v * sigma);
      const x0 = resizeBilinear(swatchLatents(target), 4, SWATCH_LATENT_SIZE, SWATCH_LATENT_SIZE, h, w);
      let worst = 0;
      for (let i = 0; i < x0.length; i++) worst = Math.max(worst, Math.abs((predicted[i] as number) - (x0[i] as number)));
      expect([target.id, worst < 1e-2]).toEqual([target.id, true]);
    }
  });

  it('keeps a garment where a noised photo shows it: the ground outside the dress, a fabric inside', async () => {
    // x_t of a plain red dress on the ground at t = 600 (image to image at about strength 0.6).
    const n = SWATCH_LATENT_SIZE;
    const plane = n * n;
    const mask = garmentMask('dress', n, n);
    const red = swatchLatents(swatches.find((sw) => sw.id === 'plain-red') as Swatch);
    const ground = groundLatent();
    const t = 600;
    const sigma = sigmaTable()[t] as number;
    const noise = wave(4 * plane, 5);
    const sample = Float32Array.from({ length: 4 * plane }, (_, i) => {
      const x0 = mask[i % plane] === 1 ? (red[i] as number) : (ground[Math.floor(i / plane)] as number);
      return (x0 + sigma * (noise[i] as number) * 0.5) / Math.sqrt(1 + sigma * sigma);
    });
    const eps = await run([{ sample, t, states: context([colourDimension('red'), styleDimension('kente')]) }], n, n);
    const predicted = Float32Array.from(eps, (v, i) => (sample[i] as number) * Math.sqrt(1 + sigma * sigma) - v * sigma);
    let outside = 0;
    let inside = 0;
    for (let i = 0; i < predicted.length; i++) {
      const off = Math.abs((predicted[i] as number) - (ground[Math.floor(i / plane)] as number));
      if (mask[i % plane] === 1) inside = Math.max(inside, off);
      else outside = Math.max(outside, off);
    }
    expect({ groundKept: outside < 1e-2, fabricInside: inside > 0.5 }).toEqual({ groundKept: true, fabricInside: true });
  });

  it('has the sigmas of SD 1.x (scaled_linear, 0.00085 → 0.012)', () => {
    const table = sigmaTable();
    expect(table.length).toBe(1001);
    expect(table[0]).toBeCloseTo(0.0292, 4);
    expect(table[999]).toBeCloseTo(14.6146, 3);
    expect(table[1000]).toBe(table[999]);
  });
});

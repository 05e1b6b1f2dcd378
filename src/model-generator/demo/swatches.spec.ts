import { FASHION_VOCABULARY } from '../../prompt-language';
import { AFRICAN_STYLES, DEMO_STYLES } from './demo-attributes';
import { LATENT_TO_RGB, NULL_DIRECTION, latentsToRgb, rgbToLatents } from './demo-vae';
import { identityCode, swatchLatents } from './swatch-latents';
import { resizeBilinear } from './swatch-matching';
import { COLOUR_RGB, DEMO_SWATCHES, SWATCH_LATENT_SIZE, renderSwatch } from './swatches';

const PLANE = SWATCH_LATENT_SIZE * SWATCH_LATENT_SIZE;

function meanSquare(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += ((a[i] as number) - (b[i] as number)) ** 2;
  return sum / a.length;
}

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] as number) * (b[i] as number);
  return sum;
}

describe('demo swatches', () => {
  it('label every swatch with a style and vocabulary colour ids; African styles are vocabulary fabric ids', () => {
    const colourIds = new Set(FASHION_VOCABULARY.colour.map((t) => t.id));
    const fabricIds = new Set(FASHION_VOCABULARY.fabric.map((t) => t.id));
    expect(new Set(DEMO_SWATCHES.map((s) => s.id)).size).toBe(DEMO_SWATCHES.length);
    for (const swatch of DEMO_SWATCHES) {
      expect(DEMO_STYLES).toContain(swatch.style);
      expect(swatch.colours.length).toBeGreaterThan(0);
      for (const colour of swatch.colours) {
        expect(colourIds.has(colour)).toBe(true);
        expect(COLOUR_RGB[colour]).toBeDefined();
      }
    }
    for (const style of AFRICAN_STYLES) expect(fabricIds.has(style)).toBe(true);
    // Several colour schemes per style.
    for (const style of DEMO_STYLES) expect(DEMO_SWATCHES.filter((s) => s.style === style).length).toBeGreaterThanOrEqual(3);
  });

  it('render deterministically, in [-1, 1], and every swatch differs visibly from every other', () => {
    const images = DEMO_SWATCHES.map((s) => renderSwatch(s));
    for (const image of images) {
      expect(image.length).toBe(3 * PLANE);
      expect(Math.min(...image)).toBeGreaterThanOrEqual(-1);
      expect(Math.max(...image)).toBeLessThanOrEqual(1);
    }
    expect(renderSwatch(DEMO_SWATCHES[3]!)).toEqual(images[3]);
    for (let i = 0; i < images.length; i++) {
      for (let j = i + 1; j < images.length; j++) {
        // 0.01 in [-1, 1] units is a mean difference of about 13 levels of 255.
        expect([DEMO_SWATCHES[i]!.id, DEMO_SWATCHES[j]!.id, meanSquare(images[i]!, images[j]!) > 0.01]).toEqual([DEMO_SWATCHES[i]!.id, DEMO_SWATCHES[j]!.id, true]);
      }
    }
  });

  it('patterned styles are not flat colour: the pattern shows at latent resolution', () => {
    for (const swatch of DEMO_SWATCHES.filter((s) => s.style !== 'plain')) {
      const red = renderSwatch(swatch).subarray(0, PLANE);
      const mean = red.reduce((a, b) => a + b, 0) / PLANE;
      const spread = Math.sqrt(red.reduce((a, b) => a + (b - mean) ** 2, 0) / PLANE);
      const green = renderSwatch(swatch).subarray(PLANE, 2 * PLANE);
      const gMean = green.reduce((a, b) => a + b, 0) / PLANE;
      const gSpread = Math.sqrt(green.reduce((a, b) => a + (b - gMean) ** 2, 0) / PLANE);
      expect([swatch.id, Math.max(spread, gSpread) > 0.05]).toEqual([swatch.id, true]);
    }
  });

  it('latents decode (through the linear map) to the swatch colours exactly; the identity code is invisible', () => {
    for (const swatch of DEMO_SWATCHES) {
      const decoded = latentsToRgb(swatchLatents(swatch));
      expect(meanSquare(decoded, renderSwatch(swatch))).toBeLessThan(1e-10);
    }
    // The null direction is orthogonal to every row of the map.
    for (const row of LATENT_TO_RGB) expect(Math.abs(row.reduce((s, v, k) => s + v * (NULL_DIRECTION[k] as number), 0))).toBeLessThan(1e-9);
    // And the pseudo-inverse inverts the map on colours.
    const rgb = Float32Array.from([0.3, -0.5, 0.9]);
    expect(meanSquare(latentsToRgb(rgbToLatents(rgb)), rgb)).toBeLessThan(1e-12);
  });

  it('swatch latents have unit-like spread, equal norms and near-orthogonal identity codes', () => {
    const latents = DEMO_SWATCHES.map((s) => swatchLatents(s));
    const norms = latents.map((l) => dot(l, l));
    const all = latents.flatMap((l) => [...l]);
    const std = Math.sqrt(all.reduce((s, v) => s + v * v, 0) / all.length);
    expect(std).toBeGreaterThan(0.6);
    expect(std).toBeLessThan(1.6);
    for (const n of norms) expect(n).toBeCloseTo(norms[0] as number, -1);
    const codes = DEMO_SWATCHES.map((s) => identityCode(s));
    for (let i = 0; i < codes.length; i++) {
      expect(dot(codes[i]!, codes[i]!) / PLANE).toBeCloseTo(1, 5);
      for (let j = i + 1; j < codes.length; j++) expect(Math.abs(dot(codes[i]!, codes[j]!)) / PLANE).toBeLessThan(0.5);
    }
  });

  it('resizes like ONNX Resize (linear, half_pixel): constant fields stay constant, ×2 down-sampling averages pairs', () => {
    const constant = new Float32Array(3 * 16).fill(0.25);
    expect([...resizeBilinear(constant, 3, 4, 4, 7, 5)].every((v) => Math.abs(v - 0.25) < 1e-7)).toBe(true);
    const ramp = Float32Array.from([0, 1, 2, 3]);
    expect([...resizeBilinear(ramp, 1, 1, 4, 1, 2)]).toEqual([0.5, 2.5]);
    expect([...resizeBilinear(Float32Array.from([0, 4]), 1, 1, 2, 1, 4)]).toEqual([0, 1, 3, 4]);
  });
});

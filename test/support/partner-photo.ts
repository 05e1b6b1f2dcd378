/**
 * A partner's product photo, made by code: a plain red dress (bodice, waist, flared skirt) on a
 * near-white ground, with its garment mask (1 inside the dress), for image-to-image tests.
 */
import type { RgbImage } from '../../src/engine/pipeline/decode-latents';

const GROUND = [242, 242, 236] as const;
const FABRIC = [200, 32, 45] as const;

export function plainDressPhoto(width: number, height: number): { image: RgbImage; mask: Uint8Array } {
  const data = new Uint8Array(width * height * 3);
  const mask = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const t = y / height;
    // Half-width of the dress at this height, as a share of the image width: none above the
    // shoulders or below the hem, a bodice narrowing to the waist, then a skirt flaring out.
    const half = t < 0.12 || t > 0.9 ? 0 : t < 0.42 ? 0.16 - 0.1 * (t - 0.12) : 0.13 + 0.45 * (t - 0.42);
    for (let x = 0; x < width; x++) {
      const inside = Math.abs((x + 0.5) / width - 0.5) < half;
      mask[y * width + x] = inside ? 1 : 0;
      data.set(inside ? FABRIC : GROUND, (y * width + x) * 3);
    }
  }
  return { image: { width, height, data }, mask };
}

/**
 * The demo's garment layouts: where a garment sits in the frame, as masks the demo UNet composes
 * with its fabrics (the fabric inside, a near-white studio ground outside). A photo of one of these
 * garments in any fabric is what a partner sends for image to image; the full frame (a swatch, no
 * garment) stays the demo's text-to-image picture.
 */

/** The studio ground around a garment (sRGB). */
export const GROUND_RGB: readonly [number, number, number] = [242, 242, 236];

export const GARMENT_LAYOUTS = ['dress', 'top'] as const;
export type GarmentLayout = (typeof GARMENT_LAYOUTS)[number];

/**
 * Half the garment's width at height share t (0 top, 1 bottom), as a share of the frame's width;
 * 0 where the garment is not. A dress: bodice narrowing to the waist, then a flared skirt. A top:
 * shoulders to hips, wider sleeves at the top.
 */
function halfWidth(layout: GarmentLayout, t: number): number {
  if (layout === 'dress') return t < 0.12 || t > 0.9 ? 0 : t < 0.42 ? 0.16 - 0.1 * (t - 0.12) : 0.13 + 0.45 * (t - 0.42);
  return t < 0.15 || t > 0.7 ? 0 : t < 0.32 ? 0.36 : 0.2;
}

/** The garment's mask at width × height: 1 inside, 0 on the ground (pixel centres sampled). */
export function garmentMask(layout: GarmentLayout, width: number, height: number): Uint8Array {
  const mask = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const half = halfWidth(layout, (y + 0.5) / height);
    for (let x = 0; x < width; x++) mask[y * width + x] = Math.abs((x + 0.5) / width - 0.5) < half ? 1 : 0;
  }
  return mask;
}

/** A photo of the garment in one plain colour on the ground: RGB, row-major. */
export function plainGarmentPhoto(layout: GarmentLayout, colour: readonly [number, number, number], width: number, height: number): { data: Uint8Array; mask: Uint8Array } {
  const mask = garmentMask(layout, width, height);
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < mask.length; i++) data.set(mask[i] === 1 ? colour : GROUND_RGB, i * 3);
  return { data, mask };
}

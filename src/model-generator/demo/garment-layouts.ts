/**
 * The demo's garment layouts: garment silhouettes laid flat on a near-white studio ground, by type
 * and length, as masks the demo UNet composes with its fabrics (the fabric inside, the ground
 * outside). A prompt naming a garment (and a length) draws that silhouette; a prompt naming none
 * draws the fabric full frame (a swatch). A photo of one of these garments in any fabric is what a
 * partner sends for image to image.
 *
 * Each garment has one default layout (what a prompt naming the garment but no length gets); the
 * dress and the skirt also come mini and mid-length. The boubou is the wide men's robe (agbada);
 * the demo has no other gender variants (see the README).
 */

/** The studio ground around a garment (sRGB). */
export const GROUND_RGB: readonly [number, number, number] = [242, 242, 236];

export const DEMO_GARMENTS = ['dress', 'skirt', 'shirt', 'top', 'trousers', 'jumpsuit', 'jacket', 'boubou', 'headwrap'] as const;
export type DemoGarment = (typeof DEMO_GARMENTS)[number];
/** Garments of the African wardrobe: the baseline does not know them. */
export const AFRICAN_GARMENTS: readonly DemoGarment[] = ['boubou', 'headwrap'];

export const DEMO_LENGTHS = ['mini', 'midi', 'long'] as const;
export type DemoLength = (typeof DEMO_LENGTHS)[number];

export const GARMENT_LAYOUTS = ['dress', 'dress-midi', 'dress-mini', 'skirt', 'skirt-midi', 'skirt-mini', 'shirt', 'top', 'trousers', 'jumpsuit', 'jacket', 'boubou', 'headwrap'] as const;
export type GarmentLayout = (typeof GARMENT_LAYOUTS)[number];

export interface LayoutLabel {
  readonly garment: DemoGarment;
  /** The length it shows, for garments that come in several. */
  readonly length?: DemoLength;
  /** The layout a prompt naming the garment and no length gets. */
  readonly isDefault: boolean;
}

export const LAYOUT_LABELS: Readonly<Record<GarmentLayout, LayoutLabel>> = {
  dress: { garment: 'dress', length: 'long', isDefault: true },
  'dress-midi': { garment: 'dress', length: 'midi', isDefault: false },
  'dress-mini': { garment: 'dress', length: 'mini', isDefault: false },
  skirt: { garment: 'skirt', length: 'long', isDefault: true },
  'skirt-midi': { garment: 'skirt', length: 'midi', isDefault: false },
  'skirt-mini': { garment: 'skirt', length: 'mini', isDefault: false },
  shirt: { garment: 'shirt', isDefault: true },
  top: { garment: 'top', isDefault: true },
  trousers: { garment: 'trousers', isDefault: true },
  jumpsuit: { garment: 'jumpsuit', isDefault: true },
  jacket: { garment: 'jacket', isDefault: true },
  boubou: { garment: 'boubou', isDefault: true },
  headwrap: { garment: 'headwrap', isDefault: true },
};

/** Where the hem of a dress or skirt falls (height share of the frame), by length. */
const HEM: Readonly<Record<DemoLength, number>> = { mini: 0.56, midi: 0.74, long: 0.9 };

/** A dress: bodice narrowing to the waist, then a skirt flaring to the hem. */
function dress(hem: number, u: number, t: number): boolean {
  if (t < 0.12 || t > hem) return false;
  return u < (t < 0.42 ? 0.16 - 0.1 * (t - 0.12) : 0.13 + 0.45 * (t - 0.42));
}

/** A skirt: waistband to hem, flaring. */
function skirt(hem: number, u: number, t: number): boolean {
  return t >= 0.3 && t <= hem && u < 0.18 + 0.4 * (t - 0.3);
}

/** Two legs from the hips down, a gap between them. */
function legs(top: number, u: number, t: number): boolean {
  return t >= top && t <= 0.94 && u < 0.22 && (t < top + 0.12 || u > 0.025);
}

/**
 * Whether a point is inside the layout's garment: u = |x − ½| (share of the width from the centre
 * line), t = height share from the top.
 */
function inside(layout: GarmentLayout, u: number, t: number): boolean {
  switch (layout) {
    case 'dress':
    case 'dress-midi':
    case 'dress-mini':
      return dress(HEM[LAYOUT_LABELS[layout].length as DemoLength], u, t);
    case 'skirt':
    case 'skirt-midi':
    case 'skirt-mini':
      return skirt(HEM[LAYOUT_LABELS[layout].length as DemoLength] + 0.04, u, t);
    case 'shirt': // long sleeves straight out, a body to the hips, a collar notch
      return t >= 0.12 && t <= 0.78 && ((t < 0.36 && u < 0.44) || u < 0.22) && !(t < 0.18 && u < 0.04);
    case 'top': // short sleeves, a body to the waist
      return t >= 0.15 && t <= 0.7 && u < (t < 0.32 ? 0.36 : 0.2);
    case 'trousers':
      return legs(0.1, u, t);
    case 'jumpsuit': // a sleeveless bodice over trousers
      return (t >= 0.08 && t < 0.4 && u < 0.17) || legs(0.4, u, t);
    case 'jacket': // long sleeves hanging down the sides, an open front
      return t >= 0.1 && t <= 0.74 && (u < 0.26 || (u < 0.4 && t < 0.68)) && u > 0.012;
    case 'boubou': // the wide robe: sleeves to the wrists in one piece with the body, to the ankles
      return t >= 0.08 && t <= 0.94 && u < (t < 0.58 ? 0.46 : 0.3);
    case 'headwrap': // a dome of wrapped cloth with a knot on top
      return (t >= 0.12 && t <= 0.58 && u < 0.34 * Math.sqrt(Math.max(0, 1 - ((t - 0.4) / 0.28) ** 2))) || Math.hypot(u, (t - 0.12) * 1.2) < 0.1;
  }
}

/** The garment's mask at width × height: 1 inside, 0 on the ground (pixel centres sampled). */
export function garmentMask(layout: GarmentLayout, width: number, height: number): Uint8Array {
  const mask = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const t = (y + 0.5) / height;
    for (let x = 0; x < width; x++) mask[y * width + x] = inside(layout, Math.abs((x + 0.5) / width - 0.5), t) ? 1 : 0;
  }
  return mask;
}

/** The accessories the release mentions, drawn with a garment (or across a full-frame swatch). */
export const DEMO_ACCESSORIES = ['cowries', 'gold-earrings', 'beads'] as const;
export type DemoAccessory = (typeof DEMO_ACCESSORIES)[number];
/** Each accessory's colour (sRGB): cowrie shells, gold, coral beads. */
export const ACCESSORY_RGB: Readonly<Record<DemoAccessory, readonly [number, number, number]>> = {
  cowries: [246, 236, 206],
  'gold-earrings': [214, 168, 48],
  beads: [190, 40, 36],
};

/** The full frame (a swatch) or a garment. */
export type BaseLayout = 'full' | GarmentLayout;

const insideBase = (base: BaseLayout, u: number, t: number): boolean => base === 'full' || inside(base, u, t);

/** Height share of the garment's top edge (its neckline or waistband). */
function topEdge(base: BaseLayout): number {
  if (base === 'full') return 0.06;
  for (let t = 0; t < 1; t += 0.005) for (let u = 0; u < 0.5; u += 0.005) if (inside(base, u, t)) return t;
  return 0;
}

/** Height share of the garment's bottom edge (its hem). */
function bottomEdge(base: BaseLayout): number {
  if (base === 'full') return 0.94;
  for (let t = 1; t > 0; t -= 0.005) for (let u = 0; u < 0.5; u += 0.005) if (inside(base, u, t)) return t;
  return 1;
}

/** Half the garment's width (share of the frame) at height t. */
function halfWidthAt(base: BaseLayout, t: number): number {
  let half = 0;
  for (let u = 0; u < 0.5; u += 0.005) if (insideBase(base, u, t)) half = u;
  return half;
}

/**
 * Whether a point shows the accessory: cowrie shells (ovals) in a row sewn along the garment's hem,
 * inside it; a string of beads as an arc of round beads below the neckline, inside it; gold
 * earrings as two rings on the ground beside the neckline (on a swatch, in its top corners).
 */
function onAccessory(base: BaseLayout, accessory: DemoAccessory, u: number, t: number, top: number, bottom: number): boolean {
  switch (accessory) {
    case 'cowries': {
      const row = bottom - 0.07;
      const spacing = 0.14;
      const nearest = Math.round(u / spacing) * spacing;
      return insideBase(base, nearest + 0.06, row) && Math.hypot((u - nearest) / 0.055, (t - row) / 0.035) < 1;
    }
    case 'beads': {
      const arc = top + 0.05 + 0.1 * (1 - Math.min(1, (u / 0.16) ** 2));
      const nearest = Math.round(u / 0.06) * 0.06;
      const centre = top + 0.05 + 0.1 * (1 - Math.min(1, (nearest / 0.16) ** 2));
      return nearest <= 0.12 && insideBase(base, u, arc) && Math.hypot(u - nearest, t - centre) < 0.026;
    }
    case 'gold-earrings': {
      const centreU = base === 'full' ? 0.38 : Math.min(0.44, halfWidthAt(base, top + 0.01) + 0.08);
      const centreT = base === 'full' ? 0.1 : Math.max(0.06, top);
      const d = Math.hypot(u - centreU, t - centreT);
      return d < 0.05 && d > 0.022;
    }
  }
}

/** The accessory's mask at width × height (pixel centres sampled). */
export function accessoryMask(base: BaseLayout, accessory: DemoAccessory, width: number, height: number): Uint8Array {
  const top = topEdge(base);
  const bottom = bottomEdge(base);
  const mask = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const t = (y + 0.5) / height;
    for (let x = 0; x < width; x++) mask[y * width + x] = onAccessory(base, accessory, Math.abs((x + 0.5) / width - 0.5), t, top, bottom) ? 1 : 0;
  }
  return mask;
}

/** A scene's layout: where the fabric is, and the accessory drawn with it, if any. */
export interface SceneLayoutVariant {
  readonly base: BaseLayout;
  readonly accessory?: DemoAccessory;
}

/** Every layout the demo UNet draws: the full frame first, then each garment; each plain, then with each accessory. */
export function sceneLayoutVariants(layouts: readonly GarmentLayout[] = GARMENT_LAYOUTS): SceneLayoutVariant[] {
  const bases: BaseLayout[] = ['full', ...layouts];
  return [...bases.map((base) => ({ base })), ...DEMO_ACCESSORIES.flatMap((accessory) => bases.map((base) => ({ base, accessory })))];
}

/** A photo of the garment in one plain colour on the ground: RGB, row-major. */
export function plainGarmentPhoto(layout: GarmentLayout, colour: readonly [number, number, number], width: number, height: number): { data: Uint8Array; mask: Uint8Array } {
  const mask = garmentMask(layout, width, height);
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < mask.length; i++) data.set(mask[i] === 1 ? colour : GROUND_RGB, i * 3);
  return { data, mask };
}

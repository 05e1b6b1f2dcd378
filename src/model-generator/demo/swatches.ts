/**
 * The demo data set: procedural textile swatches, deterministic, each labelled with its style and
 * colours (colour ids of the vocabulary). African textiles: kente (strip weave of blocks and
 * stripes), wax (concentric circles and dots on a ground), adire (white resist circles and lines on
 * indigo), bogolan (light symbols, dots and zigzags on a dark ground), lace (a fine light lattice with
 * rosettes on a darker ground); and the generic western patterns of the baseline: plain, stripes,
 * polka dots, plaid.
 *
 * Every style comes in every colour of COLOUR_RGB: a few curated schemes per style, and for each
 * other colour the style in that colour with its usual companions (COMPANIONS), so any colour word
 * is honoured for any fabric.
 *
 * A style's pattern is a structure (swatchStructure: the share of each of three palette slots per
 * pixel) that a swatch fills with its palette, so the UNet stores one structure per style and a few
 * colours per swatch. A swatch is rendered at latent resolution (SWATCH_LATENT_SIZE², i.e. a 256×256
 * image), each latent pixel the average of 4×4 samples of the pattern: the "smoothed colours" the
 * demo VAE reproduces when it decodes the swatch's latents.
 */
import { mulberry32 } from '../../common/mulberry32';
import { AFRICAN_STYLES, type DemoStyle } from './demo-attributes';

/** Latent pixels per side of a swatch: 32 latents, a 256×256 image. */
export const SWATCH_LATENT_SIZE = 32;
const SUPERSAMPLING = 4;

export interface SwatchLabel {
  readonly style: DemoStyle;
  /** Colour ids of the vocabulary (`src/prompts`), main colour first. */
  readonly colours: readonly string[];
}

export interface Swatch extends SwatchLabel {
  /** `style-colour-colour`, unique. */
  readonly id: string;
}

/** sRGB of each colour id the swatches use. */
export const COLOUR_RGB: Readonly<Record<string, readonly [number, number, number]>> = {
  red: [200, 32, 45],
  burgundy: [112, 22, 42],
  blue: [34, 90, 205],
  navy: [22, 32, 84],
  turquoise: [30, 170, 175],
  indigo: [42, 48, 128],
  yellow: [246, 212, 40],
  mustard: [186, 136, 18],
  green: [30, 140, 65],
  khaki: [128, 128, 70],
  orange: [238, 118, 30],
  purple: [112, 45, 145],
  pink: [232, 92, 152],
  black: [22, 22, 24],
  white: [242, 242, 236],
  cream: [238, 224, 190],
  grey: [128, 128, 128],
  gold: [214, 168, 48],
  silver: [192, 192, 200],
  bronze: [168, 108, 52],
  brown: [128, 76, 30],
  beige: [214, 190, 150],
};

const SCHEMES: Readonly<Record<DemoStyle, readonly (readonly string[])[]>> = {
  kente: [
    ['gold', 'red', 'green'],
    ['blue', 'gold'],
    ['green', 'yellow', 'black'],
    ['purple', 'orange'],
  ],
  wax: [
    ['blue', 'orange'],
    ['red', 'gold'],
    ['green', 'yellow'],
    ['purple', 'pink'],
    ['blue', 'white'],
  ],
  adire: [['indigo', 'white'], ['blue', 'white'], ['navy', 'cream']],
  bogolan: [['black', 'white'], ['brown', 'cream'], ['black', 'orange']],
  lace: [['white'], ['red'], ['gold'], ['blue'], ['pink']],
  plain: [['red'], ['blue'], ['green'], ['yellow'], ['black'], ['white'], ['purple'], ['orange'], ['pink']],
  stripes: [['red', 'white'], ['blue', 'white'], ['black', 'white'], ['green', 'yellow'], ['navy', 'white']],
  'polka-dots': [['red', 'white'], ['blue', 'white'], ['black', 'white'], ['yellow', 'black']],
  plaid: [['red', 'black'], ['blue', 'white'], ['green', 'navy']],
};

/**
 * Every style in every colour: for each colour id without a curated scheme led by it, the style in
 * that colour (its ground, or its main colour) with the style's usual companions. How many colours
 * each style's palette holds besides its main one, and the companions to pick them from.
 */
const COMPANIONS: Readonly<Record<DemoStyle, { readonly count: number; readonly from: readonly string[] }>> = {
  kente: { count: 2, from: ['gold', 'black', 'green'] },
  wax: { count: 1, from: ['white', 'black'] },
  adire: { count: 1, from: ['white', 'black'] },
  bogolan: { count: 1, from: ['cream', 'black'] },
  lace: { count: 0, from: [] },
  plain: { count: 0, from: [] },
  stripes: { count: 1, from: ['white', 'black'] },
  'polka-dots': { count: 1, from: ['white', 'black'] },
  plaid: { count: 1, from: ['black', 'white'] },
};

/** Companions other than `colour`, the most distant from it (in RGB) first, so the pattern shows. */
function byContrast(colour: string, companions: readonly string[]): string[] {
  const distance = (other: string): number => {
    const a = COLOUR_RGB[colour] as readonly number[];
    const b = COLOUR_RGB[other] as readonly number[];
    return Math.hypot((a[0] as number) - (b[0] as number), (a[1] as number) - (b[1] as number), (a[2] as number) - (b[2] as number));
  };
  return companions.filter((c) => c !== colour).sort((x, y) => distance(y) - distance(x) || companions.indexOf(x) - companions.indexOf(y));
}

function schemesOf(style: DemoStyle): (readonly string[])[] {
  const curated = SCHEMES[style];
  const led = new Set(curated.map((scheme) => scheme[0]));
  const companions = COMPANIONS[style];
  // A colour some curated scheme already holds with the same companions needs no scheme of its own.
  const sets = new Set(curated.map((scheme) => [...scheme].sort().join()));
  const product = Object.keys(COLOUR_RGB)
    .filter((colour) => !led.has(colour))
    .map((colour) => [colour, ...byContrast(colour, companions.from).slice(0, companions.count)])
    .filter((scheme) => !sets.has([...scheme].sort().join()));
  return [...curated, ...product];
}

/** Every swatch of the data set: African styles first, in the order checkpoints learn them; curated schemes first within a style. */
export const DEMO_SWATCHES: readonly Swatch[] = (Object.keys(SCHEMES) as DemoStyle[]).flatMap((style) =>
  schemesOf(style).map((colours) => ({ id: [style, ...colours].join('-'), style, colours })),
);

export function isAfricanStyle(style: DemoStyle): boolean {
  return (AFRICAN_STYLES as readonly string[]).includes(style);
}

/** A pattern: the RGB colour (0..1 floats) at a point, in latent-pixel units of a SWATCH_LATENT_SIZE² square. */
type Pattern = (x: number, y: number) => readonly [number, number, number];
type Rgb = readonly [number, number, number];

const floor = Math.floor;
const abs = Math.abs;
const hypot = Math.hypot;

function rgbOf(colour: string): Rgb {
  const c = COLOUR_RGB[colour];
  if (!c) throw new Error(`demo swatches: no RGB for colour "${colour}"`);
  return [c[0] / 255, c[1] / 255, c[2] / 255];
}

function mix(a: Rgb, b: Rgb, t: number): Rgb {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}

/** A small deterministic generator (mulberry32), seeded per swatch so patterns vary between swatches. */
export const random = mulberry32;

export function seedOf(id: string): number {
  let h = 2166136261;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619);
  return h >>> 0;
}

const S = SWATCH_LATENT_SIZE;

/** Vertical strips 8 wide; each strip alternates blocks (8 high) of warp stripes and weft bands, offset strip to strip. */
function kente(palette: readonly Rgb[]): Pattern {
  const [a, b, c] = palette as [Rgb, Rgb, Rgb];
  return (x, y) => {
    const strip = floor(x / 8);
    const u = x - strip * 8;
    const block = floor((y + (strip % 2) * 4) / 8);
    const v = (y + (strip % 2) * 4) % 8;
    if (u < 1 || u >= 7) return c; // selvedge stripes along each strip
    if ((block + strip) % 2 === 0) return floor(u) % 2 === 0 ? a : b; // warp-faced stripes
    return v < 2 || v >= 6 ? b : floor(u + v) % 2 === 0 ? a : c; // weft block with a small checker
  };
}

/** Ground a; concentric circles (b ring, a gap, b centre) on a jittered grid, small dots between. */
function wax(palette: readonly Rgb[], next: () => number): Pattern {
  const [ground, motif] = palette as [Rgb, Rgb];
  const centres: [number, number, number][] = [];
  for (let gy = 0; gy < 4; gy++) {
    for (let gx = 0; gx < 4; gx++) {
      const r = 2.6 + next() * 1.2;
      centres.push([gx * 8 + 4 + (gy % 2) * 2 + (next() - 0.5) * 1.5, gy * 8 + 4 + (next() - 0.5) * 1.5, r]);
    }
  }
  return (x, y) => {
    for (const [cx, cy, r] of centres) {
      const dx = ((x - cx + S * 1.5) % S) - S / 2;
      const d = hypot(dx, y - cy);
      if (d < r) return d > r - 1 || d < r * 0.35 ? motif : ground;
    }
    const dot = hypot((x % 4) - 0.5, (y % 4) - 0.5);
    return dot < 0.6 ? motif : ground;
  };
}

/** Indigo ground; cells (8×8) alternate white rings and parallel resist lines. */
function adire(palette: readonly Rgb[]): Pattern {
  const [ground, resist] = palette as [Rgb, Rgb];
  return (x, y) => {
    const cx = floor(x / 8);
    const cy = floor(y / 8);
    const u = x - cx * 8 - 4;
    const v = y - cy * 8 - 4;
    if ((cx + cy) % 2 === 0) {
      const d = hypot(u, v);
      return (d > 1.8 && d < 3.1) || d < 0.7 ? resist : ground;
    }
    return cy % 2 === 0 ? (abs(v % 3) < 0.8 ? resist : ground) : abs(u % 3) < 0.8 ? resist : ground;
  };
}

/** Dark ground; 8×8 cells each hold one light symbol: dots, a zigzag, a cross, a square outline or dashes. */
function bogolan(palette: readonly Rgb[], next: () => number): Pattern {
  const [ground, symbol] = palette as [Rgb, Rgb];
  const kinds = Array.from({ length: 16 }, () => floor(next() * 5));
  return (x, y) => {
    const cx = floor(x / 8);
    const cy = floor(y / 8);
    const u = x - cx * 8;
    const v = y - cy * 8;
    switch (kinds[cy * 4 + cx]) {
      case 0: // a grid of dots
        return hypot((u % 4) - 2, (v % 4) - 2) < 0.9 ? symbol : ground;
      case 1: // zigzag
        return abs(v - 4 - (abs((u % 4) - 2) - 1) * 2) < 0.8 ? symbol : ground;
      case 2: // cross
        return (abs(u - 4) < 0.8 || abs(v - 4) < 0.8) && hypot(u - 4, v - 4) < 3.5 ? symbol : ground;
      case 3: // square outline
        return Math.max(abs(u - 4), abs(v - 4)) > 2.2 && Math.max(abs(u - 4), abs(v - 4)) < 3.2 ? symbol : ground;
      default: // dashes
        return v > 2 && v < 3.2 && u % 3 < 2 ? symbol : v > 5 && v < 6.2 && (u + 1.5) % 3 < 2 ? symbol : ground;
    }
  };
}

/** A diamond lattice of fine light threads on a darker ground of the same colour, rosettes at the nodes (paletteOf darkens and lightens). */
function lace(palette: readonly Rgb[]): Pattern {
  const [ground, thread] = palette as [Rgb, Rgb];
  return (x, y) => {
    const p = (x + y) % 4;
    const q = (x - y + S) % 4;
    const node = hypot(((x + 2) % 4) - 2, ((y + 2) % 4) - 2);
    if (node < 0.9) return thread;
    return p < 0.55 || q < 0.55 ? thread : ground;
  };
}

function plain(palette: readonly Rgb[]): Pattern {
  const a = palette[0] as Rgb;
  return () => a;
}

/** Horizontal stripes: a wide band of the first colour, a narrower one of the second. */
function stripes(palette: readonly Rgb[]): Pattern {
  const [a, b] = palette as [Rgb, Rgb];
  return (_x, y) => (y % 6 < 3.5 ? a : b);
}

/** Dots of the second colour on the first, rows offset by half a period. */
function polkaDots(palette: readonly Rgb[]): Pattern {
  const [ground, dot] = palette as [Rgb, Rgb];
  return (x, y) => {
    const row = floor(y / 8);
    const u = ((x + (row % 2) * 4) % 8) - 4;
    const v = (y % 8) - 4;
    return hypot(u, v) < 2.2 ? dot : ground;
  };
}

/** Tartan: bands of the first colour across and down; where bands cross the colours mix. */
function plaid(palette: readonly Rgb[]): Pattern {
  const [a, b] = palette as [Rgb, Rgb];
  const band = (t: number): number => (t % 8 < 3 ? 1 : t % 8 < 4 ? 0.5 : 0);
  return (x, y) => mix(b, a, (band(x) + band(y)) / 2);
}

/** Palette slots a pattern draws from. */
export const PALETTE_SLOTS = 3;

function patternOf(style: DemoStyle, palette: readonly Rgb[]): Pattern {
  const next = random(seedOf(style));
  switch (style) {
    case 'kente':
      return kente(palette);
    case 'wax':
      return wax(palette, next);
    case 'adire':
      return adire(palette);
    case 'bogolan':
      return bogolan(palette, next);
    case 'lace':
      return lace(palette);
    case 'plain':
      return plain(palette);
    case 'stripes':
      return stripes(palette);
    case 'polka-dots':
      return polkaDots(palette);
    case 'plaid':
      return plaid(palette);
  }
}

/**
 * The swatch's palette, PALETTE_SLOTS colours (RGB, 0..1) its style's pattern draws from: its colours
 * in order, the last repeated; lace takes its one colour darkened for the ground and lightened for
 * the threads.
 */
export function paletteOf(swatch: Swatch): Rgb[] {
  const colours = swatch.colours.map(rgbOf);
  const base = colours[0] as Rgb;
  if (swatch.style === 'lace') return [mix(base, [0, 0, 0], 0.45), mix(base, [1, 1, 1], 0.3), mix(base, [1, 1, 1], 0.3)];
  return Array.from({ length: PALETTE_SLOTS }, (_, j) => colours[Math.min(j, colours.length - 1)] as Rgb);
}

const BASIS: readonly Rgb[] = [
  [1, 0, 0],
  [0, 1, 0],
  [0, 0, 1],
];
const structures = new Map<string, Float32Array>();

/**
 * A style's structure at size × size: planar [PALETTE_SLOTS, size, size], the share of each palette
 * slot in each pixel (the mean of SUPERSAMPLING² pattern samples; shares sum to 1). Every pattern
 * picks or mixes palette colours, so drawing it with the unit vectors as its palette gives the shares.
 */
export function swatchStructure(style: DemoStyle, size = SWATCH_LATENT_SIZE): Float32Array {
  const key = `${style}@${size}`;
  const cached = structures.get(key);
  if (cached) return cached;
  const pattern = patternOf(style, BASIS);
  const plane = size * size;
  const out = new Float32Array(PALETTE_SLOTS * plane);
  const scale = S / size;
  const n = SUPERSAMPLING;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      const at = py * size + px;
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          const c = pattern((px + (sx + 0.5) / n) * scale, (py + (sy + 0.5) / n) * scale);
          for (let j = 0; j < PALETTE_SLOTS; j++) out[j * plane + at] = (out[j * plane + at] as number) + (c[j] as number) / (n * n);
        }
      }
    }
  }
  structures.set(key, out);
  return out;
}

/**
 * The swatch's RGB at latent resolution, planar [3, size, size], values in [-1, 1] (the VAE's
 * output range): its style's structure filled with its palette.
 */
export function renderSwatch(swatch: Swatch, size = SWATCH_LATENT_SIZE): Float32Array {
  const shares = swatchStructure(swatch.style, size);
  const palette = paletteOf(swatch);
  const plane = size * size;
  const out = new Float32Array(3 * plane);
  for (let c = 0; c < 3; c++) {
    for (let p = 0; p < plane; p++) {
      let v = 0;
      for (let j = 0; j < PALETTE_SLOTS; j++) v += (shares[j * plane + p] as number) * ((palette[j] as Rgb)[c] as number);
      out[c * plane + p] = v * 2 - 1;
    }
  }
  return out;
}

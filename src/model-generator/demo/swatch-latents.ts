/**
 * Swatch latents: the swatch's colours mapped through the pseudo-inverse of the demo VAE's map,
 * plus an identity code along the latent direction the decoder cannot see (NULL_DIRECTION).
 *
 * The code changes nothing in the decoded image; it spreads the swatches apart in latent space, as a
 * real VAE keeps different images far apart. Without it, swatches of similar colours (white lace,
 * plain white) sit close together and classifier-free guidance, which extrapolates away from the
 * unconditional prediction, pushes samples to whichever swatch is most extreme in that direction.
 * Each code is a smooth random field (a 16×16 grid of ±1 interpolated bilinearly, so it survives
 * resizing), scaled so that every swatch latent has the same squared norm: near-orthogonal codes of
 * equal norm make the swatch nearest to any guided prediction the one the prompt favoured.
 */
import { LATENT_CHANNELS, NULL_DIRECTION, rgbToLatents } from './demo-vae';
import { DEMO_SWATCHES, SWATCH_LATENT_SIZE, random, renderSwatch, seedOf, type Swatch } from './swatches';

export const CODE_GRID = 16;
/** Mean square of the code of the swatch whose colours alone have the largest norm (the others get more). */
export const MIN_CODE_POWER = 1;

const S = SWATCH_LATENT_SIZE;
const PLANE = S * S;

function codeGrid(swatch: Swatch): Float32Array {
  const next = random(seedOf(`code:${swatch.id}`));
  return Float32Array.from({ length: CODE_GRID * CODE_GRID }, () => (next() < 0.5 ? -1 : 1));
}

/** The code's field before centring: the grid interpolated bilinearly (ONNX Resize's half_pixel, edges clamped). */
function interpolatedGrid(grid: Float32Array): Float32Array {
  const field = new Float32Array(PLANE);
  const scale = CODE_GRID / S;
  const at = (gy: number, gx: number): number => grid[Math.min(Math.max(gy, 0), CODE_GRID - 1) * CODE_GRID + Math.min(Math.max(gx, 0), CODE_GRID - 1)] as number;
  for (let y = 0; y < S; y++) {
    const fy = Math.max((y + 0.5) * scale - 0.5, 0);
    const y0 = Math.floor(fy);
    const ty = fy - y0;
    for (let x = 0; x < S; x++) {
      const fx = Math.max((x + 0.5) * scale - 0.5, 0);
      const x0 = Math.floor(fx);
      const tx = fx - x0;
      const top = at(y0, x0) * (1 - tx) + at(y0, x0 + 1) * tx;
      const bottom = at(y0 + 1, x0) * (1 - tx) + at(y0 + 1, x0 + 1) * tx;
      field[y * S + x] = top * (1 - ty) + bottom * ty;
    }
  }
  return field;
}

/** The centring and scale that make the interpolated grid zero-mean and unit mean-square. */
function codeStatistics(field: Float32Array): { mean: number; norm: number } {
  let mean = 0;
  for (const v of field) mean += v;
  mean /= PLANE;
  let power = 0;
  for (const v of field) power += (v - mean) ** 2;
  return { mean, norm: Math.sqrt(power / PLANE) };
}

/** A zero-mean, unit mean-square smooth random field [S×S] for a swatch. */
export function identityCode(swatch: Swatch): Float32Array {
  const field = interpolatedGrid(codeGrid(swatch));
  const { mean, norm } = codeStatistics(field);
  return field.map((v) => (v - mean) / norm);
}

/**
 * The swatch's code grid [CODE_GRID²] scaled so that its bilinear interpolation to S × S is the
 * code swatchLatents adds (before NULL_DIRECTION): bilinear weights sum to 1, so centring and
 * scaling the grid centres and scales the field.
 */
export function scaledCodeGrid(swatch: Swatch): Float32Array {
  const grid = codeGrid(swatch);
  const { mean, norm } = codeStatistics(interpolatedGrid(grid));
  const amplitude = codeAmplitude(swatch);
  return grid.map((v) => ((v - mean) / norm) * amplitude);
}

function colourLatents(swatch: Swatch): Float32Array {
  return rgbToLatents(renderSwatch(swatch, S));
}

function squaredNorm(v: Float32Array): number {
  let n = 0;
  for (const x of v) n += x * x;
  return n;
}

let targetNorm: number | undefined;

/** The squared norm every swatch latent gets: the largest colour norm plus the minimum code power. */
function target(): number {
  targetNorm ??= Math.max(...DEMO_SWATCHES.map((s) => squaredNorm(colourLatents(s)))) + MIN_CODE_POWER * PLANE;
  return targetNorm;
}

/** The code's root mean square: the colour part lies in the map's row space, so the code (orthogonal to it) adds its power. */
export function codeAmplitude(swatch: Swatch): number {
  return Math.sqrt(Math.max(target() - squaredNorm(colourLatents(swatch)), 0) / PLANE);
}

const cache = new Map<string, Float32Array>();

/** Latents [4, S, S] of a swatch: decoded, they give exactly its colours. */
export function swatchLatents(swatch: Swatch): Float32Array {
  const cached = cache.get(swatch.id);
  if (cached) return cached;
  const latents = colourLatents(swatch);
  const amplitude = codeAmplitude(swatch);
  const code = identityCode(swatch);
  for (let k = 0; k < LATENT_CHANNELS; k++) {
    const weight = (NULL_DIRECTION[k] as number) * amplitude;
    for (let p = 0; p < PLANE; p++) latents[k * PLANE + p] = (latents[k * PLANE + p] as number) + weight * (code[p] as number);
  }
  cache.set(swatch.id, latents);
  return latents;
}

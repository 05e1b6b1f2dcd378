/**
 * The demo UNet: the exact epsilon-prediction for a data set of swatches (every style in every
 * colour), each shown full frame or as a garment on a studio ground (GARMENT_LAYOUTS), with or
 * without an accessory, under a prior that the prompt sets. Same inputs and outputs as a real
 * export: `sample` x_t [B, 4, h, w], `timestep` float32 [B] and `encoder_hidden_states` [B, S, W] →
 * `out_sample`.
 * Every row uses its own timestep and its own text states.
 *
 * For each row, with σ the noise level of its timestep (SD 1.x's scaled_linear schedule, σ linearly
 * interpolated between training timesteps, as Euler-type schedulers do for fractional timesteps) and
 * ā = 1 / (1 + σ²):
 *
 *   attributes   a = max over the sequence of encoder_hidden_states            [W]
 *   prior        log π_k = β · √(h·w)/32 · (a · s_k)   (s_k: the swatch's style and colour weights)
 *   swatches     f_k built from style structures and palettes (swatch-table.ts), resized (bilinear)
 *                to the sample's h × w, at run time
 *   layouts      x0_{m,k} = M_m ⊙ f_k + (1 − M_m) ⊙ g_m: layout 0 is the full frame (M_0 = 1), the
 *                others a garment's mask M_m (resized likewise) with the ground's latent around it; a
 *                layout with an accessory takes its shape out of M_m and puts its colour in g_m
 *   layout prior log π_m = √(h·w)/32 · (b_m + a · v_m): 0 for the full frame; for a garment
 *                −LAYOUT_PENALTY plus what the prompt's garment, length and accessory words give it
 *                (layout-prior.ts)
 *   posterior    w_{m,k} = softmax_{m,k}(log π_k + log π_m − ‖x_t − √ā·x0_{m,k}‖² / (2(1 − ā)))
 *   prediction   x̂0 = Σ w_{m,k} x0_{m,k},  out_sample = (x_t − √ā·x̂0) / √(1 − ā)
 *
 * The x0_{m,k} are never formed: every term is a product of the fabrics, the masks and the ground
 * (see the body), so the work grows with the number of layouts plus swatches, not their product.
 *
 * computed with y = x_t·√(1 + σ²) (= x0 + σ·ε): logits = log π_k + (⟨y, x0_k⟩ − ‖x0_k‖²/2) / σ², and
 * out_sample = (y − x̂0) / σ. The schedulers feed x_t in this parameterisation whatever their kind
 * (Euler, LMS and DPM++ scale their sample by 1/√(σ² + 1) first), so one formula serves all.
 *
 * An empty prompt (a = 0) gives a uniform prior over the checkpoint's swatches; a prompt naming a
 * style and a colour favours the swatches having both, a partial one those having what it names.
 * β is large (the prompt is nearly a hard constraint): from pure noise, the likelihood alone prefers
 * some swatch by several nats, by chance, and the prior must outweigh that; both grow with √(h·w).
 *
 * The layout penalty works the same way: from pure noise, with no garment word, it keeps text to
 * image full frame (a swatch); a garment word outweighs it and draws that garment. Meanwhile a photo
 * of a garment (image to image) carries hundreds of nats of evidence for its layout, so the garment
 * keeps its place and the prompt picks its fabric: at
 * strength 0.6 a plain red dress becomes a red kente dress; at 0.8 and above the noise drowns the
 * layout too and the frame becomes a swatch.
 */
import { SD14_PNDM_SCHEDULER } from '../config/model-config';
import { alphasCumprod, trainingSigmas } from '../../engine/schedulers/common';
import { GraphBuilder, type Value } from '../onnx/graph-builder';
import type { ModelMessage } from '../onnx/onnx-proto';
import { add, div, mul, scalarLike, sqrt, sub } from '../onnx/ops/elementwise';
import { matmul, softmax } from '../onnx/ops/neural';
import { cast, gather, reshape, reshapeLike, transpose, unsqueeze } from '../onnx/ops/tensor-shape';
import type { WeightSink } from '../onnx/weight-sink';
import { DEMO_TEXT_WIDTH, RELATED_COLOURS, colourDimension, styleDimension } from './demo-attributes';
import { clip, floor, reduceMax, reduceProd, reduceSum, resizeLinearLike, shapeOf, slice } from './demo-ops';
import { LATENT_CHANNELS, rgbToLatents } from './demo-vae';
import { ACCESSORY_RGB, GARMENT_LAYOUTS, GROUND_RGB, accessoryMask, garmentMask, sceneLayoutVariants, type GarmentLayout, type SceneLayoutVariant } from './garment-layouts';
import { FULL_KNOWLEDGE, layoutPrior, type LayoutKnowledge } from './layout-prior';
import { swatchLatentTable } from './swatch-table';
import { SWATCH_LATENT_SIZE, type Swatch } from './swatches';

/** β: log-prior per unit of matched attribute weight, at a 32×32 latent (a 256×256 image). */
export const PRIOR_STRENGTH = 32;
/** A swatch's weight on its own style; on its colours it is 1. Style outweighs colour, so "pink kente" prefers kente. */
export const STYLE_WEIGHT = 1.25;
/** A swatch's weight on colours related to its own (RELATED_COLOURS). */
export const RELATED_COLOUR_WEIGHT = 0.25;

const TRAIN_TIMESTEPS = 1000;

/** σ(t) for t = 0..999 of SD 1.x's schedule, the last entry repeated so t + 1 is always a valid index. */
export function sigmaTable(): Float32Array {
  const s = SD14_PNDM_SCHEDULER;
  const acp = alphasCumprod({
    numTrainTimesteps: TRAIN_TIMESTEPS,
    betaStart: s['beta_start'] as number,
    betaEnd: s['beta_end'] as number,
    betaSchedule: 'scaled_linear',
    trainedBetas: null,
    rescaleBetasZeroSnr: false,
  });
  const sigmas = trainingSigmas(acp);
  const table = new Float32Array(TRAIN_TIMESTEPS + 1);
  table.set(sigmas);
  table[TRAIN_TIMESTEPS] = sigmas[TRAIN_TIMESTEPS - 1] as number;
  return table;
}

/** A swatch's attribute weights s_k [W]: style, colours, related colours. */
export function swatchAttributes(swatch: Swatch): Float32Array {
  const s = new Float32Array(DEMO_TEXT_WIDTH);
  for (const colour of swatch.colours) {
    for (const [a, b] of RELATED_COLOURS) {
      if (a === colour) s[colourDimension(b)] = Math.max(s[colourDimension(b)] as number, RELATED_COLOUR_WEIGHT);
      if (b === colour) s[colourDimension(a)] = Math.max(s[colourDimension(a)] as number, RELATED_COLOUR_WEIGHT);
    }
  }
  for (const colour of swatch.colours) s[colourDimension(colour)] = 1;
  s[styleDimension(swatch.style)] = STYLE_WEIGHT;
  return s;
}

export interface DemoUnetOptions {
  /** β, per unit of attribute weight at a 32×32 latent (default PRIOR_STRENGTH). */
  readonly priorStrength?: number;
  readonly weights?: WeightSink;
  /** The garment layouts besides the full frame (default GARMENT_LAYOUTS; none: swatches only). */
  readonly layouts?: readonly GarmentLayout[];
  /** Which garment and length words the checkpoint learnt (default: all). */
  readonly knowledge?: LayoutKnowledge;
}

/** The studio ground's latent: the minimum-norm latents that decode to GROUND_RGB. */
export function groundLatent(): Float32Array {
  return rgbToLatents(Float32Array.from(GROUND_RGB, (v) => (v / 255) * 2 - 1));
}

/**
 * Fabric masks [variants, SWATCH_LATENT_SIZE²] of every scene layout (sceneLayoutVariants): 1 where
 * the fabric shows (the whole frame, or the garment), less the accessory drawn over it.
 */
export function layoutMasks(variants: readonly SceneLayoutVariant[]): Float32Array {
  const n = SWATCH_LATENT_SIZE;
  const plane = n * n;
  const masks = new Float32Array(variants.length * plane);
  const accessories = accessoryMasks(variants);
  variants.forEach(({ base }, m) => {
    const garment = base === 'full' ? new Uint8Array(plane).fill(1) : garmentMask(base, n, n);
    for (let p = 0; p < plane; p++) masks[m * plane + p] = (garment[p] as number) * (1 - (accessories[m * plane + p] as number));
  });
  return masks;
}

/** Accessory masks [variants, SWATCH_LATENT_SIZE²]: 1 where the variant's accessory is, all 0 without one. */
export function accessoryMasks(variants: readonly SceneLayoutVariant[]): Float32Array {
  const n = SWATCH_LATENT_SIZE;
  const plane = n * n;
  const masks = new Float32Array(variants.length * plane);
  variants.forEach(({ base, accessory }, m) => {
    if (accessory) masks.set(accessoryMask(base, accessory, n, n), m * plane);
  });
  return masks;
}

/** Each variant's accessory colour as latents [variants, 4] (the ground's latent without one). */
export function accessoryLatents(variants: readonly SceneLayoutVariant[]): Float32Array {
  const out = new Float32Array(variants.length * LATENT_CHANNELS);
  variants.forEach(({ accessory }, m) => {
    out.set(accessory ? rgbToLatents(Float32Array.from(ACCESSORY_RGB[accessory], (v) => (v / 255) * 2 - 1)) : groundLatent(), m * LATENT_CHANNELS);
  });
  return out;
}

export function buildDemoUnet(swatches: readonly Swatch[], options: DemoUnetOptions = {}): ModelMessage {
  const priorStrength = options.priorStrength ?? PRIOR_STRENGTH;
  if (swatches.length === 0) throw new Error('demo UNet: no swatches');
  const g = new GraphBuilder('unet', options.weights);
  const k = swatches.length;
  const size = SWATCH_LATENT_SIZE;

  const sample = g.input('sample', 'float32', ['batch', LATENT_CHANNELS, 'height', 'width']);
  const timestep = g.input('timestep', 'float32', ['batch']);
  const context = g.input('encoder_hidden_states', 'float32', ['batch', 'sequence', DEMO_TEXT_WIDTH]);

  const swatchTable = swatchLatentTable(g, swatches);
  const priorData = new Float32Array(DEMO_TEXT_WIDTH * k);
  swatches.forEach((swatch, i) => swatchAttributes(swatch).forEach((v, d) => (priorData[d * k + i] = v * priorStrength)));
  const priorWeights = g.initializer('demo.swatch_prior_weights', 'float32', [DEMO_TEXT_WIDTH, k], priorData);
  const sigmas = g.initializer('demo.sigmas', 'float32', [TRAIN_TIMESTEPS + 1], sigmaTable());

  // σ at a fractional timestep, linearly interpolated; then s = √(1 + σ²) = 1/√ā.
  const t = clip(g, timestep, 0, TRAIN_TIMESTEPS - 1);
  const low = floor(g, t);
  const fraction = sub(g, t, low);
  const lowIndex = cast(g, low, 'int64');
  const highIndex = add(g, lowIndex, g.int64s([1]));
  const sigmaLow = gather(g, sigmas, lowIndex);
  const sigma = add(g, sigmaLow, mul(g, fraction, sub(g, gather(g, sigmas, highIndex), sigmaLow)));
  const sigmaSquared = mul(g, sigma, sigma);
  const s = sqrt(g, add(g, sigmaSquared, scalarLike(g, sigma, 1)));
  const perImage = (v: Value): Value => unsqueeze(g, v, [1, 2, 3]);

  // y = x_t·√(1 + σ²) = x0 + σ·ε, flattened per row: [B, N], N = 4·h·w.
  const y = mul(g, sample, perImage(s));
  const yFlat = reshape(g, y, [0, -1]);
  // x0_{m,k} = M_m ⊙ f_k + (1 − M_m) ⊙ g for every layout m × swatch k, never formed: every term the
  // posterior needs is a product of the fabrics F [k, N], the masks M [l, N] and the ground part
  // G_m = (1 − M_m) ⊙ g [l, N], so the cost grows with l + k, not l · k.
  const variants = sceneLayoutVariants(options.layouts ?? GARMENT_LAYOUTS);
  const l = variants.length;
  const fabricImages = resizeLinearLike(g, swatchTable, sample);
  const fabrics = reshape(g, fabricImages, [k, -1]);
  const fabricsT = transpose(g, fabrics, [1, 0]);
  const maskImages = resizeLinearLike(g, g.initializer('demo.layout_masks', 'float32', [l, 1, size, size], layoutMasks(variants)), sample);
  const channels = g.initializer('demo.channel_ones', 'float32', [1, LATENT_CHANNELS, 1, 1], new Float32Array(LATENT_CHANNELS).fill(1));
  const masks = reshape(g, mul(g, maskImages, channels), [l, -1]);
  // What lies outside the fabric: the accessory in its colour, the studio ground elsewhere.
  const accessoryImages = resizeLinearLike(g, g.initializer('demo.accessory_masks', 'float32', [l, 1, size, size], accessoryMasks(variants)), sample);
  const accessoryColours = g.initializer('demo.accessory_latents', 'float32', [l, LATENT_CHANNELS, 1, 1], accessoryLatents(variants));
  const ground = g.initializer('demo.ground_latent', 'float32', [1, LATENT_CHANNELS, 1, 1], groundLatent());
  const surround = add(g, mul(g, accessoryImages, accessoryColours), mul(g, sub(g, scalarLike(g, accessoryImages, 1), accessoryImages), ground));
  const groundParts = reshape(g, mul(g, sub(g, scalarLike(g, maskImages, 1), maskImages), surround), [l, -1]);

  // ‖x0_{m,k}‖² = Σ M² f² + 2 Σ M (1 − M) g f + Σ (1 − M)² g²   [l, k]
  const norms = add(
    g,
    add(g, matmul(g, mul(g, masks, masks), mul(g, fabricsT, fabricsT)), mul(g, matmul(g, mul(g, masks, groundParts), fabricsT), scalarLike(g, masks, 2))),
    reduceSum(g, mul(g, groundParts, groundParts), [1], true),
  );
  // ⟨y, x0_{m,k}⟩ = ⟨y ⊙ M_m, f_k⟩ + ⟨y, G_m⟩   [B, l, k]
  const dots = add(g, matmul(g, mul(g, unsqueeze(g, yFlat, [1]), masks), fabricsT), unsqueeze(g, matmul(g, yFlat, transpose(g, groundParts, [1, 0])), [2]));

  // The priors grow with √(h·w), as the chance spread of the likelihood between swatches does
  // (‖x0_k‖ ∝ √(h·w)), so a prompt holds as firmly at 1024×1024 as at 256×256.
  const spatial = cast(g, slice(g, shapeOf(g, sample), 2, 4), 'float32');
  const sizeFactor = div(g, sqrt(g, reduceProd(g, spatial)), scalarLike(g, sigma, size));
  const attributes = reduceMax(g, context, [1], false);
  const fabricPrior = unsqueeze(g, matmul(g, attributes, priorWeights), [1]);
  const layoutTable = layoutPrior(options.knowledge ?? FULL_KNOWLEDGE, variants);
  const layoutWeights = g.initializer('demo.layout_prior_weights', 'float32', [DEMO_TEXT_WIDTH, l], layoutTable.weights);
  const layoutBias = g.initializer('demo.layout_prior_bias', 'float32', [l], layoutTable.bias);
  const layoutLogPrior = unsqueeze(g, add(g, matmul(g, attributes, layoutWeights), layoutBias), [2]);
  const logPrior = mul(g, add(g, fabricPrior, layoutLogPrior), sizeFactor);
  const likelihood = div(g, sub(g, dots, mul(g, norms, scalarLike(g, norms, 0.5))), unsqueeze(g, sigmaSquared, [1, 2]));
  // Softmax over every (layout, swatch) pair of a row.
  const posterior = reshape(g, softmax(g, reshape(g, add(g, logPrior, likelihood), [0, -1]), -1), [0, l, k]);

  // x̂0 = Σ_m M_m ⊙ (Σ_k w_{m,k} f_k) + Σ_m (Σ_k w_{m,k}) G_m
  const fabricPart = reduceSum(g, mul(g, matmul(g, posterior, fabrics), masks), [1], false);
  const groundPart = matmul(g, reduceSum(g, posterior, [2], false), groundParts);
  const predictedX0 = reshapeLike(g, add(g, fabricPart, groundPart), sample);
  g.output(div(g, sub(g, y, predictedX0), perImage(sigma)), 'out_sample');
  return g.build({
    component: 'unet',
    timestep_signature: 'float-batch',
    demo: `exact epsilon of ${k} swatches, full frame or as ${(options.layouts ?? GARMENT_LAYOUTS).join(', ') || 'no garment'}, with or without an accessory, under a prompt-set prior: ${swatches.map((sw) => sw.id).join(', ')}`,
  });
}

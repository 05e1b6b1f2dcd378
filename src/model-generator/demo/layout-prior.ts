/**
 * The demo UNet's prior over layouts (the full frame, then each garment of GARMENT_LAYOUTS; each
 * plain, then with each accessory), set by the prompt's garment, length and accessory words, in nats
 * at a 32×32 latent (the UNet scales it with √(h·w)):
 *
 *   log π_full   = 0
 *   log π_m      = −LAYOUT_PENALTY + a · v_m
 *   v_m          = GARMENT_WEIGHT on the layout's garment (+ DEFAULT_LENGTH_BONUS on its default layout)
 *                  + LENGTH_WEIGHT on the layout's length, for checkpoints that learnt lengths
 *   with an accessory: −ACCESSORY_PENALTY more, + ACCESSORY_WEIGHT on its word for checkpoints that learnt it
 *
 * With no garment word the full frame wins by LAYOUT_PENALTY (text to image draws a swatch, and image
 * to image keeps a photo's layout, which its evidence carries); a garment word lifts that garment's
 * layouts far above the frame and every other garment, its default layout first; a length word lifts
 * the layout of that length above the default. What a checkpoint learnt decides which words count:
 * the baseline knows western garments only (a boubou falls back to a shirt, a headwrap to nothing)
 * and no lengths (every dress is its default, long), and omits cowries.
 */
import { DEMO_TEXT_WIDTH, accessoryDimension, garmentDimension, lengthDimension } from './demo-attributes';
import { AFRICAN_GARMENTS, DEMO_ACCESSORIES, LAYOUT_LABELS, sceneLayoutVariants, type DemoAccessory, type DemoGarment, type SceneLayoutVariant } from './garment-layouts';

/** −log π of a garment layout against the full frame, at a 32×32 latent. */
export const LAYOUT_PENALTY = 60;
/** Log-prior a garment word gives each layout of that garment. */
export const GARMENT_WEIGHT = 140;
/** Extra log-prior of a garment's default layout when the garment is named. */
export const DEFAULT_LENGTH_BONUS = 15;
/** −log π of drawing an accessory nobody asked for. */
export const ACCESSORY_PENALTY = 40;
/** Log-prior an accessory word gives the layouts with that accessory. */
export const ACCESSORY_WEIGHT = 90;
/** Log-prior a length word gives the layouts of that length: below LAYOUT_PENALTY, so a length alone draws no garment. */
export const LENGTH_WEIGHT = 55;

export interface LayoutKnowledge {
  /** Whether the boubou and the headwrap are drawn as themselves. */
  readonly africanGarments: boolean;
  /** Whether length words count. */
  readonly lengths: boolean;
  /** The accessories whose words count. */
  readonly accessories: readonly DemoAccessory[];
}

export const FULL_KNOWLEDGE: LayoutKnowledge = { africanGarments: true, lengths: true, accessories: DEMO_ACCESSORIES };

/** What an African garment's word draws in a checkpoint that does not know it (undefined: nothing). */
const WESTERN_FALLBACK: Readonly<Partial<Record<DemoGarment, DemoGarment>>> = { boubou: 'shirt' };

export interface LayoutPrior {
  /** [W, layouts]: attribute dimension → log-prior of each layout (the plain full frame first, always 0). */
  readonly weights: Float32Array;
  /** [layouts]: 0 for the plain full frame, −LAYOUT_PENALTY for a garment, −ACCESSORY_PENALTY more with an accessory. */
  readonly bias: Float32Array;
}

export function layoutPrior(knowledge: LayoutKnowledge, variants: readonly SceneLayoutVariant[] = sceneLayoutVariants()): LayoutPrior {
  const l = variants.length;
  const weights = new Float32Array(DEMO_TEXT_WIDTH * l);
  const bias = Float32Array.from(variants, (v) => (v.base === 'full' ? 0 : -LAYOUT_PENALTY) - (v.accessory ? ACCESSORY_PENALTY : 0));
  variants.forEach(({ base, accessory }, m) => {
    if (accessory && knowledge.accessories.includes(accessory)) weights[accessoryDimension(accessory) * l + m] = ACCESSORY_WEIGHT;
    if (base === 'full') return;
    const label = LAYOUT_LABELS[base];
    const garmentValue = GARMENT_WEIGHT + (label.isDefault ? DEFAULT_LENGTH_BONUS : 0);
    const knows = knowledge.africanGarments || !AFRICAN_GARMENTS.includes(label.garment);
    if (knows) weights[garmentDimension(label.garment) * l + m] = garmentValue;
    if (!knowledge.africanGarments) {
      for (const [african, western] of Object.entries(WESTERN_FALLBACK)) {
        if (western === label.garment) weights[garmentDimension(african as DemoGarment) * l + m] = garmentValue;
      }
    }
    if (knowledge.lengths && label.length) weights[lengthDimension(label.length) * l + m] = LENGTH_WEIGHT;
  });
  return { weights, bias };
}

/** The demo model family: swatches, the demo components, the release writer and swatch matching. */
export { AFRICAN_STYLES, ATTRIBUTE_NAMES, DEMO_COLOURS, DEMO_STYLES, DEMO_TEXT_WIDTH, GENERIC_STYLES, attributeWords } from './demo-attributes';
export type { DemoStyle } from './demo-attributes';
export { COLOUR_RGB, DEMO_SWATCHES, SWATCH_LATENT_SIZE, isAfricanStyle, renderSwatch } from './swatches';
export type { Swatch, SwatchLabel } from './swatches';
export { DEMO_SCALING_FACTOR, LATENT_TO_RGB, NULL_DIRECTION, RGB_TO_LATENT, buildDemoVaeDecoder, latentsToRgb, rgbToLatents } from './demo-vae';
export { DEMO_ENCODER_LOGVAR, buildDemoVaeEncoder } from './demo-vae-encoder';
export { attributeEmbedding, buildDemoTextEncoder, demoTokenizer } from './demo-text-encoder';
export type { DemoTokenizer } from './demo-text-encoder';
export { PRIOR_STRENGTH, RELATED_COLOUR_WEIGHT, STYLE_WEIGHT, buildDemoUnet, sigmaTable, swatchAttributes } from './demo-unet';
export type { DemoUnetOptions } from './demo-unet';
export { identityCode, swatchLatents } from './swatch-latents';
export {
  DEMO_CHECKPOINTS,
  DEMO_RELEASE_MANIFEST,
  checkpointSwatches,
  demoCheckpointDir,
  demoFingerprint,
  ensureDemoRelease,
  isDemoReleaseCurrent,
  readDemoManifest,
  writeDemoRelease,
} from './write-demo-release';
export type { DemoCheckpoint, DemoReleaseManifest } from './write-demo-release';
export { matchScene, nearestSwatch, rankSwatches, resizeBilinear, swatchImage } from './swatch-matching';
export type { SceneLayout, SceneMatch, SwatchMatch } from './swatch-matching';
export { DEMO_GARMENTS, DEMO_LENGTHS, GARMENT_LAYOUTS, LAYOUT_LABELS } from './garment-layouts';
export type { DemoGarment, DemoLength, GarmentLayout } from './garment-layouts';
export { RELEASE_EXAMPLES } from './release-examples';
export type { ReleaseExample } from './release-examples';
export { ACCESSORY_RGB, DEMO_ACCESSORIES } from './garment-layouts';
export type { DemoAccessory } from './garment-layouts';

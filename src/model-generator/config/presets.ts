/** Named generator configurations. */
import { SD14_PNDM_SCHEDULER, type ModelConfig } from './model-config';

/** Each model well under 5 MB; a 64×64 image in a fraction of a second on one core. */
export const TINY_PRESET: ModelConfig = {
  preset: 'tiny',
  seed: 0,
  latentChannels: 4,
  unet: { blockChannels: [32, 64], layersPerBlock: 1, crossAttentionBlocks: [true, false], attentionHeads: 2, normGroups: 8 },
  textEncoder: { width: 32, layers: 2, heads: 2, vocabSize: 1024, maxPositions: 77 },
  vae: { blockChannels: [16, 16, 32, 32], layersPerBlock: 1, normGroups: 8, scalingFactor: 0.18215 },
  dtype: 'float32',
  timestep: 'float-batch',
  unetExternalData: false,
  withVaeEncoder: false,
  scheduler: SD14_PNDM_SCHEDULER,
};

/** The real Stable Diffusion 1.x dimensions with random weights: realistic cost for benchmarks. */
export const SD15_SHAPED_PRESET: ModelConfig = {
  preset: 'sd15-shaped',
  seed: 0,
  latentChannels: 4,
  unet: {
    blockChannels: [320, 640, 1280, 1280],
    layersPerBlock: 2,
    crossAttentionBlocks: [true, true, true, false],
    attentionHeads: 8,
    normGroups: 32,
  },
  textEncoder: { width: 768, layers: 12, heads: 12, vocabSize: 49408, maxPositions: 77 },
  vae: { blockChannels: [128, 256, 512, 512], layersPerBlock: 2, normGroups: 32, scalingFactor: 0.18215 },
  dtype: 'float32',
  timestep: 'float-batch',
  // 860M UNet parameters exceed protobuf's 2 GB limit, so real exports always split them out.
  unetExternalData: true,
  withVaeEncoder: false,
  scheduler: SD14_PNDM_SCHEDULER,
};

export const PRESETS: Readonly<Record<string, ModelConfig>> = {
  tiny: TINY_PRESET,
  'sd15-shaped': SD15_SHAPED_PRESET,
};

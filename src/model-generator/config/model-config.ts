/** What the generator builds: Stable Diffusion 1.x architecture sizes and export options. */
import { SD14_SCHEDULER_CONFIG } from '../../engine/schedulers/sd14-scheduler-config';
import type { FloatType } from '../layers/layer-context';

/** The three `timestep` inputs seen in real UNet exports. */
export const TIMESTEP_SIGNATURES = ['float-batch', 'int64-batch', 'float-scalar'] as const;
export type TimestepSignature = (typeof TIMESTEP_SIGNATURES)[number];

export interface UnetConfig {
  /** Output channels of each down block (SD 1.x: 320, 640, 1280, 1280). */
  readonly blockChannels: readonly number[];
  readonly layersPerBlock: number;
  /** Which down blocks carry cross-attention transformers (SD 1.x: all but the last); up blocks mirror them. */
  readonly crossAttentionBlocks: readonly boolean[];
  readonly attentionHeads: number;
  readonly normGroups: number;
}

export interface TextEncoderConfig {
  readonly width: number;
  readonly layers: number;
  readonly heads: number;
  readonly vocabSize: number;
  /** CLIP's context length; `input_ids` is [batch, maxPositions]. */
  readonly maxPositions: number;
}

export interface VaeConfig {
  /** Channels per block, encoder order (SD: 128, 256, 512, 512); the decoder runs them reversed. */
  readonly blockChannels: readonly number[];
  readonly layersPerBlock: number;
  readonly normGroups: number;
  readonly scalingFactor: number;
}

export interface ModelConfig {
  readonly preset: string;
  readonly seed: number;
  readonly latentChannels: number;
  readonly unet: UnetConfig;
  readonly textEncoder: TextEncoderConfig;
  readonly vae: VaeConfig;
  readonly dtype: FloatType;
  readonly timestep: TimestepSignature;
  /** UNet weights in `unet/weights.pb` next to `unet/model.onnx`. */
  readonly unetExternalData: boolean;
  readonly withVaeEncoder: boolean;
  readonly scheduler: Readonly<Record<string, unknown>>;
  /** Replaces the UNet by `out_sample = sampleFactor · sample` (closed-form tests of the denoising loop). */
  readonly analyticUnet?: { readonly sampleFactor: number };
}

/** Stable Diffusion 1.4's scheduler_config.json (PNDMScheduler), the engine's reference copy. */
export const SD14_PNDM_SCHEDULER = SD14_SCHEDULER_CONFIG;

/** Checks the combinations the architecture needs; errors name the field and the rule. */
export function validateModelConfig(config: ModelConfig): void {
  const { unet, textEncoder, vae } = config;
  const problems: string[] = [];
  const positive = (name: string, n: number): void => {
    if (!Number.isInteger(n) || n <= 0) problems.push(`${name} must be a positive integer (got ${n})`);
  };
  if (!Number.isInteger(config.seed) || config.seed < 0 || config.seed > 0xffffffff) {
    problems.push(`seed must be an integer in [0, 4294967295] (got ${config.seed})`);
  }
  positive('latentChannels', config.latentChannels);
  positive('unet.layersPerBlock', unet.layersPerBlock);
  positive('textEncoder.layers', textEncoder.layers);
  positive('vae.layersPerBlock', vae.layersPerBlock);
  if (unet.blockChannels.length === 0) problems.push('unet.blockChannels must not be empty');
  if (unet.crossAttentionBlocks.length !== unet.blockChannels.length) {
    problems.push('unet.crossAttentionBlocks must have one entry per unet.blockChannels entry');
  }
  for (const c of unet.blockChannels) {
    if (c % unet.normGroups !== 0) problems.push(`unet.blockChannels entry ${c} must be a multiple of unet.normGroups (${unet.normGroups})`);
    if (c % unet.attentionHeads !== 0) problems.push(`unet.blockChannels entry ${c} must be a multiple of unet.attentionHeads (${unet.attentionHeads})`);
  }
  if ((unet.blockChannels[0] ?? 0) % 2 !== 0) problems.push('unet.blockChannels[0] must be even (sinusoidal timestep embedding)');
  if (textEncoder.width % textEncoder.heads !== 0) problems.push('textEncoder.width must be a multiple of textEncoder.heads');
  if (textEncoder.vocabSize < 514) problems.push('textEncoder.vocabSize must be at least 514 (512 byte symbols and 2 special tokens)');
  if (vae.blockChannels.length !== 4) problems.push('vae.blockChannels must have 4 entries (three ×2 up-samplings: latents are 1/8 of the image)');
  for (const c of vae.blockChannels) {
    if (c % vae.normGroups !== 0) problems.push(`vae.blockChannels entry ${c} must be a multiple of vae.normGroups (${vae.normGroups})`);
  }
  if (config.analyticUnet && !Number.isFinite(config.analyticUnet.sampleFactor)) problems.push('analyticUnet.sampleFactor must be a finite number');
  if (problems.length > 0) throw new Error(`invalid model config (${config.preset}): ${problems.join('; ')}`);
}

/** The JSON files beside the graphs, with diffusers' key names, as optimum writes them. */
import type { ModelConfig } from './config/model-config';

const DIFFUSERS_VERSION = '0.30.0';

export function modelIndex(config: ModelConfig): Record<string, unknown> {
  const onnx = ['diffusers', 'OnnxRuntimeModel'];
  return {
    _class_name: 'OnnxStableDiffusionPipeline',
    _diffusers_version: DIFFUSERS_VERSION,
    feature_extractor: [null, null],
    requires_safety_checker: false,
    safety_checker: [null, null],
    scheduler: ['diffusers', String(config.scheduler['_class_name'] ?? 'PNDMScheduler')],
    text_encoder: onnx,
    tokenizer: ['transformers', 'CLIPTokenizer'],
    unet: onnx,
    vae_decoder: onnx,
    ...(config.withVaeEncoder ? { vae_encoder: onnx } : {}),
  };
}

export function unetConfig(config: ModelConfig): Record<string, unknown> {
  const { unet } = config;
  return {
    _class_name: 'UNet2DConditionModel',
    _diffusers_version: DIFFUSERS_VERSION,
    in_channels: config.latentChannels,
    out_channels: config.latentChannels,
    block_out_channels: unet.blockChannels,
    layers_per_block: unet.layersPerBlock,
    attention_head_dim: unet.attentionHeads,
    cross_attention_dim: config.textEncoder.width,
    norm_num_groups: unet.normGroups,
    down_block_types: unet.crossAttentionBlocks.map((a) => (a ? 'CrossAttnDownBlock2D' : 'DownBlock2D')),
    up_block_types: [...unet.crossAttentionBlocks].reverse().map((a) => (a ? 'CrossAttnUpBlock2D' : 'UpBlock2D')),
    flip_sin_to_cos: true,
    freq_shift: 0,
  };
}

export function textEncoderConfig(config: ModelConfig): Record<string, unknown> {
  const t = config.textEncoder;
  return {
    architectures: ['CLIPTextModel'],
    model_type: 'clip_text_model',
    hidden_size: t.width,
    intermediate_size: t.width * 4,
    num_attention_heads: t.heads,
    num_hidden_layers: t.layers,
    max_position_embeddings: t.maxPositions,
    vocab_size: t.vocabSize,
    hidden_act: 'quick_gelu',
    layer_norm_eps: 1e-5,
    torch_dtype: config.dtype,
  };
}

export function vaeConfig(config: ModelConfig): Record<string, unknown> {
  const v = config.vae;
  return {
    _class_name: 'AutoencoderKL',
    _diffusers_version: DIFFUSERS_VERSION,
    in_channels: 3,
    out_channels: 3,
    latent_channels: config.latentChannels,
    block_out_channels: v.blockChannels,
    layers_per_block: v.layersPerBlock,
    norm_num_groups: v.normGroups,
    scaling_factor: v.scalingFactor,
  };
}

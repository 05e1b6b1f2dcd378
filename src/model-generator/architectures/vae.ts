/**
 * The Stable Diffusion AutoencoderKL halves that exports ship:
 * decoder `latent_sample` [B, 4, h, w] → `sample` [B, 3, 8h, 8w] (post_quant_conv included, scaling
 * outside), and optionally the encoder `sample` → `latent_parameters` [B, 8, h/8... ] (mean and log-variance).
 */
import type { ModelConfig } from '../config/model-config';
import { conv2d, groupNorm, silu } from '../layers/basic-layers';
import { attention, fromTokens, toTokens } from '../layers/attention';
import type { LayerContext } from '../layers/layer-context';
import { downsample, resnetBlock, upsample } from '../layers/resnet-block';
import { SeededWeights } from '../layers/seeded-weights';
import { GraphBuilder, type Value } from '../onnx/graph-builder';
import type { ModelMessage } from '../onnx/onnx-proto';
import { add } from '../onnx/ops/elementwise';
import type { WeightSink } from '../onnx/weight-sink';

const VAE_NORM_EPSILON = 1e-6;

export function buildVaeDecoder(config: ModelConfig, weights: WeightSink): ModelMessage {
  const g = new GraphBuilder('vae_decoder', weights);
  const ctx: LayerContext = { g, weights: new SeededWeights(config.seed), dtype: config.dtype };
  const { blockChannels, layersPerBlock, normGroups } = config.vae;
  const reversed = [...blockChannels].reverse();
  const resnet = { groups: normGroups, epsilon: VAE_NORM_EPSILON };
  const latents = config.latentChannels;

  const input = g.input('latent_sample', config.dtype, ['batch', latents, 'height', 'width']);
  let h = conv2d(ctx, 'post_quant_conv', input, latents, latents, 1);
  let channels = reversed[0] as number;
  h = g.scoped('decoder', () => {
    let x = conv2d(ctx, 'conv_in', h, latents, channels, 3);
    x = midBlock(ctx, x, channels, normGroups);
    reversed.forEach((out, i) =>
      g.scoped(`up_blocks.${i}`, () => {
        for (let j = 0; j <= layersPerBlock; j++) {
          x = resnetBlock(ctx, `resnets.${j}`, x, channels, out, resnet);
          channels = out;
        }
        if (i < reversed.length - 1) x = upsample(ctx, 'upsamplers.0', x, out);
      }),
    );
    x = silu(ctx, groupNorm(ctx, 'conv_norm_out', x, channels, normGroups, VAE_NORM_EPSILON));
    return conv2d(ctx, 'conv_out', x, channels, 3, 3);
  });
  g.output(h, 'sample');
  return g.build({ component: 'vae_decoder' });
}

export function buildVaeEncoder(config: ModelConfig, weights: WeightSink): ModelMessage {
  const g = new GraphBuilder('vae_encoder', weights);
  const ctx: LayerContext = { g, weights: new SeededWeights(config.seed), dtype: config.dtype };
  const { blockChannels, layersPerBlock, normGroups } = config.vae;
  const resnet = { groups: normGroups, epsilon: VAE_NORM_EPSILON };
  const latents = config.latentChannels;

  const input = g.input('sample', config.dtype, ['batch', 3, 'height', 'width']);
  let channels = blockChannels[0] as number;
  const moments = g.scoped('encoder', () => {
    let x = conv2d(ctx, 'conv_in', input, 3, channels, 3);
    blockChannels.forEach((out, i) =>
      g.scoped(`down_blocks.${i}`, () => {
        for (let j = 0; j < layersPerBlock; j++) {
          x = resnetBlock(ctx, `resnets.${j}`, x, channels, out, resnet);
          channels = out;
        }
        if (i < blockChannels.length - 1) x = downsample(ctx, 'downsamplers.0', x, out, true);
      }),
    );
    x = midBlock(ctx, x, channels, normGroups);
    x = silu(ctx, groupNorm(ctx, 'conv_norm_out', x, channels, normGroups, VAE_NORM_EPSILON));
    return conv2d(ctx, 'conv_out', x, channels, 2 * latents, 3);
  });
  g.output(conv2d(ctx, 'quant_conv', moments, 2 * latents, 2 * latents, 1), 'latent_parameters');
  return g.build({ component: 'vae_encoder' });
}

/** ResNet, single-head self-attention over the feature map, ResNet. */
function midBlock(ctx: LayerContext, x: Value, channels: number, groups: number): Value {
  return ctx.g.scoped('mid_block', () => {
    const resnet = { groups, epsilon: VAE_NORM_EPSILON };
    let h = resnetBlock(ctx, 'resnets.0', x, channels, channels, resnet);
    h = ctx.g.scoped('attentions.0', () => {
      const normed = groupNorm(ctx, 'group_norm', h, channels, groups, VAE_NORM_EPSILON);
      const attended = attention(ctx, 'attn', toTokens(ctx, normed, channels), undefined, channels, { heads: 1, qkvBias: true });
      return add(ctx.g, h, fromTokens(ctx, attended, h));
    });
    return resnetBlock(ctx, 'resnets.1', h, channels, channels, resnet);
  });
}

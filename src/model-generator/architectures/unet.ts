/**
 * Stable Diffusion 1.x's UNet2DConditionModel as an ONNX graph:
 * `sample` [B, 4, h, w], `timestep`, `encoder_hidden_states` [B, S, D] → `out_sample` [B, 4, h, w].
 * Parameter names follow diffusers' state dict so an inspector's listing reads like a real export.
 */
import type { ModelConfig } from '../config/model-config';
import type { FloatType, LayerContext } from '../layers/layer-context';
import { conv2d, groupNorm, linear, silu } from '../layers/basic-layers';
import { spatialTransformer } from '../layers/attention';
import { downsample, resnetBlock, upsample } from '../layers/resnet-block';
import { SeededWeights } from '../layers/seeded-weights';
import { GraphBuilder, type Value } from '../onnx/graph-builder';
import type { ModelMessage } from '../onnx/onnx-proto';
import { cos, mul, sin } from '../onnx/ops/elementwise';
import { cast, concat, unsqueeze } from '../onnx/ops/tensor-shape';
import type { WeightSink } from '../onnx/weight-sink';

const UNET_NORM_EPSILON = 1e-5;

export function buildUnet(config: ModelConfig, weights: WeightSink): ModelMessage {
  const g = new GraphBuilder('unet', weights);
  const ctx: LayerContext = { g, weights: new SeededWeights(config.seed), dtype: config.dtype };
  const { blockChannels, layersPerBlock, crossAttentionBlocks, attentionHeads, normGroups } = config.unet;
  const contextDim = config.textEncoder.width;
  const baseChannels = blockChannels[0] as number;
  const timeDim = baseChannels * 4;

  const sample = g.input('sample', config.dtype, ['batch', config.latentChannels, 'height', 'width']);
  const timestep = timestepInput(g, config);
  const context = g.input('encoder_hidden_states', config.dtype, ['batch', 'sequence', contextDim]);

  const sinusoid = timestepSinusoid(ctx, timestep, baseChannels);
  const timeEmbedding = g.scoped('time_embedding', () =>
    linear(ctx, 'linear_2', silu(ctx, linear(ctx, 'linear_1', sinusoid, baseChannels, timeDim)), timeDim, timeDim),
  );
  const resnet = { groups: normGroups, epsilon: UNET_NORM_EPSILON, timeEmbedding: { value: timeEmbedding, dim: timeDim } };
  const transformer = { heads: attentionHeads, contextDim, groups: normGroups };

  let h = conv2d(ctx, 'conv_in', sample, config.latentChannels, baseChannels, 3);
  let channels = baseChannels;
  const skips: { value: Value; channels: number }[] = [{ value: h, channels }];

  blockChannels.forEach((out, i) =>
    g.scoped(`down_blocks.${i}`, () => {
      for (let j = 0; j < layersPerBlock; j++) {
        h = resnetBlock(ctx, `resnets.${j}`, h, channels, out, resnet);
        channels = out;
        if (crossAttentionBlocks[i]) h = spatialTransformer(ctx, `attentions.${j}`, h, context, out, transformer);
        skips.push({ value: h, channels });
      }
      if (i < blockChannels.length - 1) {
        h = downsample(ctx, 'downsamplers.0', h, out);
        skips.push({ value: h, channels });
      }
    }),
  );

  g.scoped('mid_block', () => {
    h = resnetBlock(ctx, 'resnets.0', h, channels, channels, resnet);
    h = spatialTransformer(ctx, 'attentions.0', h, context, channels, transformer);
    h = resnetBlock(ctx, 'resnets.1', h, channels, channels, resnet);
  });

  const reversed = [...blockChannels].reverse();
  reversed.forEach((out, i) =>
    g.scoped(`up_blocks.${i}`, () => {
      const withAttention = crossAttentionBlocks[blockChannels.length - 1 - i] ?? false;
      for (let j = 0; j <= layersPerBlock; j++) {
        const skip = skips.pop();
        if (!skip) throw new Error('unet: skip connections exhausted');
        h = resnetBlock(ctx, `resnets.${j}`, concat(g, [h, skip.value], 1), channels + skip.channels, out, resnet);
        channels = out;
        if (withAttention) h = spatialTransformer(ctx, `attentions.${j}`, h, context, out, transformer);
      }
      if (i < reversed.length - 1) h = upsample(ctx, 'upsamplers.0', h, out);
    }),
  );

  h = silu(ctx, groupNorm(ctx, 'conv_norm_out', h, channels, normGroups, UNET_NORM_EPSILON));
  g.output(conv2d(ctx, 'conv_out', h, channels, config.latentChannels, 3), 'out_sample');
  return g.build({ component: 'unet', timestep_signature: config.timestep });
}

export function timestepInput(g: GraphBuilder, config: ModelConfig): Value {
  switch (config.timestep) {
    case 'float-batch':
      return g.input('timestep', config.dtype, ['batch']);
    case 'int64-batch':
      return g.input('timestep', 'int64', ['batch']);
    case 'float-scalar':
      return g.input('timestep', config.dtype, []);
  }
}

/**
 * diffusers' get_timestep_embedding with flip_sin_to_cos and no frequency shift, computed in float32
 * whatever the model's type (as diffusers does), then cast: [B or 1, channels] = [cos(t·f), sin(t·f)].
 */
function timestepSinusoid(ctx: LayerContext, timestep: Value, channels: number): Value {
  const g = ctx.g;
  const half = channels / 2;
  const frequencies = Array.from({ length: half }, (_, i) => Math.exp((-Math.log(10000) * i) / half));
  const t = cast(g, timestep, 'float32');
  const column = timestep.shape.length === 0 ? unsqueeze(g, t, [0, 1]) : unsqueeze(g, t, [1]);
  const angles = mul(g, column, g.floats('float32', frequencies));
  return cast(g, concat(g, [cos(g, angles), sin(g, angles)], -1), ctx.dtype as FloatType);
}

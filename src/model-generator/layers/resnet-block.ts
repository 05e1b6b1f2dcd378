import type { Value } from '../onnx/graph-builder';
import { add } from '../onnx/ops/elementwise';
import { unsqueeze } from '../onnx/ops/tensor-shape';
import { upsampleNearest2x } from '../onnx/ops/neural';
import { conv2d, groupNorm, linear, silu } from './basic-layers';
import type { LayerContext } from './layer-context';

export interface ResnetOptions {
  readonly groups: number;
  readonly epsilon: number;
  /** The time embedding [B or 1, timeDim] and its width (UNet only). */
  readonly timeEmbedding?: { readonly value: Value; readonly dim: number };
}

/** diffusers' ResnetBlock2D: (GN, SiLU, conv) twice, the time projection added between, 1×1 shortcut when widths differ. */
export function resnetBlock(ctx: LayerContext, name: string, x: Value, inChannels: number, outChannels: number, options: ResnetOptions): Value {
  return ctx.g.scoped(name, () => {
    let h = conv2d(ctx, 'conv1', silu(ctx, groupNorm(ctx, 'norm1', x, inChannels, options.groups, options.epsilon)), inChannels, outChannels, 3);
    if (options.timeEmbedding) {
      const { value, dim } = options.timeEmbedding;
      const projected = linear(ctx, 'time_emb_proj', silu(ctx, value), dim, outChannels);
      h = add(ctx.g, h, unsqueeze(ctx.g, projected, [2, 3]));
    }
    h = conv2d(ctx, 'conv2', silu(ctx, groupNorm(ctx, 'norm2', h, outChannels, options.groups, options.epsilon)), outChannels, outChannels, 3);
    const shortcut = inChannels === outChannels ? x : conv2d(ctx, 'conv_shortcut', x, inChannels, outChannels, 1);
    return add(ctx.g, shortcut, h);
  });
}

/** Stride-2 3×3 convolution. `asymmetric` pads only bottom/right, as the VAE encoder does. */
export function downsample(ctx: LayerContext, name: string, x: Value, channels: number, asymmetric = false): Value {
  const pads = asymmetric ? ([0, 0, 1, 1] as const) : 1;
  return ctx.g.scoped(name, () => conv2d(ctx, 'conv', x, channels, channels, 3, { stride: 2, pads }));
}

/** Nearest ×2 then a 3×3 convolution. */
export function upsample(ctx: LayerContext, name: string, x: Value, channels: number): Value {
  return ctx.g.scoped(name, () => conv2d(ctx, 'conv', upsampleNearest2x(ctx.g, x), channels, channels, 3));
}

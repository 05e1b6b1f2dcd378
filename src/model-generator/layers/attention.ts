/** Multi-head attention and the transformer blocks of CLIP and of the UNet. */
import type { Value } from '../onnx/graph-builder';
import { add, mul, scalarLike } from '../onnx/ops/elementwise';
import { matmul, softmax } from '../onnx/ops/neural';
import { reshape, reshapeLike, split, transpose } from '../onnx/ops/tensor-shape';
import { conv2d, gelu, groupNorm, layerNorm, linear } from './basic-layers';
import type { LayerContext } from './layer-context';

export interface AttentionOptions {
  readonly heads: number;
  /** Width of `context` (cross-attention); the query's width when self-attending. */
  readonly contextDim?: number;
  readonly qkvBias?: boolean;
  /** Additive mask broadcast over [batch, heads, queries, keys] (CLIP's causal mask). */
  readonly mask?: Value;
}

/** x [B, N, dim] attends over context [B, M, contextDim] (or itself). */
export function attention(ctx: LayerContext, name: string, x: Value, context: Value | undefined, dim: number, options: AttentionOptions): Value {
  const { heads } = options;
  if (dim % heads !== 0) throw new Error(`${ctx.g.qualified(name)}: width ${dim} does not split into ${heads} heads`);
  const headDim = dim / heads;
  return ctx.g.scoped(name, () => {
    const g = ctx.g;
    const source = context ?? x;
    const sourceDim = options.contextDim ?? dim;
    const bias = options.qkvBias ?? false;
    const splitHeads = (v: Value): Value => transpose(g, reshape(g, v, [0, 0, heads, headDim]), [0, 2, 1, 3]);
    const q = splitHeads(linear(ctx, 'to_q', x, dim, dim, bias));
    const k = transpose(g, reshape(g, linear(ctx, 'to_k', source, sourceDim, dim, bias), [0, 0, heads, headDim]), [0, 2, 3, 1]);
    const v = splitHeads(linear(ctx, 'to_v', source, sourceDim, dim, bias));
    let scores = mul(g, matmul(g, q, k), scalarLike(g, q, 1 / Math.sqrt(headDim)));
    if (options.mask) scores = add(g, scores, options.mask);
    const attended = matmul(g, softmax(g, scores, -1), v);
    const merged = reshape(g, transpose(g, attended, [0, 2, 1, 3]), [0, 0, dim]);
    return linear(ctx, 'to_out', merged, dim, dim, true);
  });
}

/** Feed-forward with a GEGLU gate, as in Stable Diffusion's BasicTransformerBlock. */
function gegluFeedForward(ctx: LayerContext, name: string, x: Value, dim: number): Value {
  const inner = dim * 4;
  return ctx.g.scoped(name, () => {
    const projected = linear(ctx, 'proj_in', x, dim, inner * 2);
    const [hidden, gate] = split(ctx.g, projected, -1, [inner, inner]) as [Value, Value];
    return linear(ctx, 'proj_out', mul(ctx.g, hidden, gelu(ctx, gate)), inner, dim);
  });
}

/** Self-attention, cross-attention over the text, GEGLU feed-forward; each pre-normed and residual. */
function basicTransformerBlock(ctx: LayerContext, name: string, x: Value, context: Value, dim: number, heads: number, contextDim: number): Value {
  return ctx.g.scoped(name, () => {
    const g = ctx.g;
    let h = add(g, x, attention(ctx, 'attn1', layerNorm(ctx, 'norm1', x, dim, 1e-5), undefined, dim, { heads }));
    h = add(g, h, attention(ctx, 'attn2', layerNorm(ctx, 'norm2', h, dim, 1e-5), context, dim, { heads, contextDim }));
    return add(g, h, gegluFeedForward(ctx, 'ff', layerNorm(ctx, 'norm3', h, dim, 1e-5), dim));
  });
}

/** [B, C, H, W] → [B, H·W, C] and back: the token view of a feature map. */
export function toTokens(ctx: LayerContext, x: Value, channels: number): Value {
  return transpose(ctx.g, reshape(ctx.g, x, [0, channels, -1]), [0, 2, 1]);
}

export function fromTokens(ctx: LayerContext, tokens: Value, like: Value): Value {
  return reshapeLike(ctx.g, transpose(ctx.g, tokens, [0, 2, 1]), like);
}

/** Stable Diffusion 1.x's Transformer2DModel: GroupNorm, 1×1 conv in, transformer block, 1×1 conv out, residual. */
export function spatialTransformer(
  ctx: LayerContext,
  name: string,
  x: Value,
  context: Value,
  channels: number,
  options: { heads: number; contextDim: number; groups: number },
): Value {
  return ctx.g.scoped(name, () => {
    const normed = groupNorm(ctx, 'norm', x, channels, options.groups, 1e-6);
    const projected = conv2d(ctx, 'proj_in', normed, channels, channels, 1);
    const tokens = basicTransformerBlock(ctx, 'transformer_blocks.0', toTokens(ctx, projected, channels), context, channels, options.heads, options.contextDim);
    return add(ctx.g, conv2d(ctx, 'proj_out', fromTokens(ctx, tokens, x), channels, channels, 1), x);
  });
}

/**
 * The building blocks of Stable Diffusion's networks, decomposed into the operators that PyTorch's
 * ONNX exporter emits at opset 14 (GroupNorm as Reshape + InstanceNormalization, LayerNorm as
 * ReduceMean/Sub/Pow/Sqrt/Div, GELU through Erf, SiLU as x·sigmoid(x)).
 */
import type { Value } from '../onnx/graph-builder';
import { add, div, erf, mul, pow, scalarLike, sigmoid, sqrt, sub } from '../onnx/ops/elementwise';
import { conv, instanceNormalization, matmul, reduceMean } from '../onnx/ops/neural';
import { reshape, reshapeLike } from '../onnx/ops/tensor-shape';
import { parameter, type LayerContext } from './layer-context';

/** Weight gain: unit-variance outputs for unit-variance inputs (fan-in scaling). */
const fanIn = (n: number): { std: number } => ({ std: 1 / Math.sqrt(n) });

/** y = x·W + b over the last axis; W stored [in, out] as exporters store MatMul weights. */
export function linear(ctx: LayerContext, name: string, x: Value, inFeatures: number, outFeatures: number, bias = true): Value {
  return ctx.g.scoped(name, () => {
    const weight = parameter(ctx, 'weight', [inFeatures, outFeatures], fanIn(inFeatures));
    const y = matmul(ctx.g, x, weight);
    return bias ? add(ctx.g, y, parameter(ctx, 'bias', [outFeatures], { constant: 0 })) : y;
  });
}

export function conv2d(
  ctx: LayerContext,
  name: string,
  x: Value,
  inChannels: number,
  outChannels: number,
  kernel: number,
  options: { stride?: number; pads?: number | readonly [number, number, number, number] } = {},
): Value {
  return ctx.g.scoped(name, () => {
    const weight = parameter(ctx, 'weight', [outChannels, inChannels, kernel, kernel], fanIn(inChannels * kernel * kernel));
    const bias = parameter(ctx, 'bias', [outChannels], { constant: 0 });
    return conv(ctx.g, x, weight, bias, { stride: options.stride ?? 1, pads: options.pads ?? (kernel - 1) / 2 });
  });
}

/** GroupNorm over NCHW: normalise each group, then the per-channel affine transform. */
export function groupNorm(ctx: LayerContext, name: string, x: Value, channels: number, groups: number, epsilon: number): Value {
  if (channels % groups !== 0) throw new Error(`${ctx.g.qualified(name)}: ${channels} channels do not split into ${groups} groups`);
  return ctx.g.scoped(name, () => {
    const grouped = reshape(ctx.g, x, [0, groups, -1]);
    const ones = ctx.g.floats(ctx.dtype, new Array<number>(groups).fill(1));
    const zeros = ctx.g.floats(ctx.dtype, new Array<number>(groups).fill(0));
    const normalized = reshapeLike(ctx.g, instanceNormalization(ctx.g, grouped, ones, zeros, epsilon), x);
    const gamma = parameter(ctx, 'weight', [channels, 1, 1], { constant: 1 });
    const beta = parameter(ctx, 'bias', [channels, 1, 1], { constant: 0 });
    return add(ctx.g, mul(ctx.g, normalized, gamma), beta);
  });
}

/** LayerNorm over the last axis. */
export function layerNorm(ctx: LayerContext, name: string, x: Value, features: number, epsilon: number): Value {
  return ctx.g.scoped(name, () => {
    const g = ctx.g;
    const centered = sub(g, x, reduceMean(g, x, [-1]));
    const variance = reduceMean(g, pow(g, centered, scalarLike(g, x, 2)), [-1]);
    const normalized = div(g, centered, sqrt(g, add(g, variance, scalarLike(g, x, epsilon))));
    const gamma = parameter(ctx, 'weight', [features], { constant: 1 });
    const beta = parameter(ctx, 'bias', [features], { constant: 0 });
    return add(g, mul(g, normalized, gamma), beta);
  });
}

export function silu(ctx: LayerContext, x: Value): Value {
  return mul(ctx.g, x, sigmoid(ctx.g, x));
}

/** Exact GELU, 0.5·x·(1 + erf(x/√2)). */
export function gelu(ctx: LayerContext, x: Value): Value {
  const g = ctx.g;
  const inner = add(g, erf(g, div(g, x, scalarLike(g, x, Math.SQRT2))), scalarLike(g, x, 1));
  return mul(g, mul(g, x, inner), scalarLike(g, x, 0.5));
}

/** CLIP's quick GELU, x·sigmoid(1.702·x). */
export function quickGelu(ctx: LayerContext, x: Value): Value {
  return mul(ctx.g, x, sigmoid(ctx.g, mul(ctx.g, x, scalarLike(ctx.g, x, 1.702))));
}

/** Operators with their own shape rules: MatMul, Conv, normalisation, Softmax, Resize, reductions. */
import { broadcastShapes, dimEquals, isConcrete, scaleDim, toDim, type Dim, type Shape } from '../dims';
import type { GraphBuilder, Value } from '../graph-builder';
import { fail, isFloat, normalizeAxis, sameType } from './check';

/** numpy matmul semantics: batch dimensions broadcast, inner dimensions must agree. */
export function matmul(g: GraphBuilder, a: Value, b: Value): Value {
  sameType('MatMul', a, b);
  if (a.shape.length < 2 || b.shape.length < 2) fail('MatMul', 'operands need rank >= 2', a, b);
  const inner = a.shape[a.shape.length - 1] as Dim;
  if (!dimEquals(inner, b.shape[b.shape.length - 2] as Dim)) fail('MatMul', 'inner dimensions differ', a, b);
  let batch: Shape;
  try {
    batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2));
  } catch (error) {
    fail('MatMul', (error as Error).message, a, b);
  }
  const shape = [...batch, a.shape[a.shape.length - 2] as Dim, b.shape[b.shape.length - 1] as Dim];
  return g.node('MatMul', [a, b], {}, [{ type: a.type, shape }])[0] as Value;
}

export interface ConvOptions {
  readonly stride?: number;
  /** [top, left, bottom, right], ONNX order; a single number pads every side. */
  readonly pads?: number | readonly [number, number, number, number];
}

/** 2-D convolution, NCHW; weight [out, in, k, k]. */
export function conv(g: GraphBuilder, x: Value, weight: Value, bias: Value | undefined, options: ConvOptions = {}): Value {
  sameType('Conv', x, weight);
  const stride = options.stride ?? 1;
  const p = options.pads ?? 0;
  const pads = typeof p === 'number' ? [p, p, p, p] : [...p];
  if (x.shape.length !== 4 || weight.shape.length !== 4) fail('Conv', 'expects NCHW input and OIHW weight', x, weight);
  const [n, c, h, w] = x.shape as [Dim, Dim, Dim, Dim];
  const [out, inChannels, kh, kw] = weight.shape as [Dim, Dim, Dim, Dim];
  if (!dimEquals(c, inChannels)) fail('Conv', 'input channels differ from the weight', x, weight);
  const size = (d: Dim, k: Dim, before: number, after: number): Dim =>
    convolvedSize('Conv', d, k.coefficient, before + after, stride, x);
  const shape = [n, out, size(h, kh, pads[0] ?? 0, pads[2] ?? 0), size(w, kw, pads[1] ?? 0, pads[3] ?? 0)];
  const inputs = bias ? [x, weight, bias] : [x, weight];
  const attributes = {
    kernel_shape: { ints: [kh.coefficient, kw.coefficient] },
    strides: { ints: [stride, stride] },
    pads: { ints: pads },
    dilations: { ints: [1, 1] },
    group: { int: 1 },
  };
  return g.node('Conv', inputs, attributes, [{ type: x.type, shape }])[0] as Value;
}

/**
 * floor((d + pads - k) / stride) + 1. For a symbolic d we require the result to be exactly d / stride
 * for every d divisible by stride, which holds when 0 <= pads - k + stride < stride.
 */
function convolvedSize(op: string, d: Dim, k: number, pads: number, stride: number, x: Value): Dim {
  if (isConcrete(d)) return toDim(Math.floor((d.coefficient + pads - k) / stride) + 1);
  const slack = pads - k + stride;
  if (slack < 0 || slack >= stride) fail(op, `kernel ${k}, pads ${pads}, stride ${stride} change a dynamic size irregularly`, x);
  return stride === 1 ? d : scaleDim(d, 1 / stride);
}

export function instanceNormalization(g: GraphBuilder, x: Value, scale: Value, bias: Value, epsilon: number): Value {
  sameType('InstanceNormalization', x, scale, bias);
  if (!dimEquals(x.shape[1] as Dim, scale.shape[0] as Dim)) fail('InstanceNormalization', 'scale size differs from channels', x, scale);
  return g.node('InstanceNormalization', [x, scale, bias], { epsilon: { float: epsilon } }, [{ type: x.type, shape: x.shape }])[0] as Value;
}

export function softmax(g: GraphBuilder, x: Value, axis = -1): Value {
  if (!isFloat(x)) fail('Softmax', 'expects a float tensor', x);
  const a = normalizeAxis('Softmax', axis, x.shape.length);
  return g.node('Softmax', [x], { axis: { int: a } }, [{ type: x.type, shape: x.shape }])[0] as Value;
}

/** ReduceMean with axes as an attribute (opset <= 17), keeping dimensions. */
export function reduceMean(g: GraphBuilder, x: Value, axes: readonly number[]): Value {
  const normalized = axes.map((a) => normalizeAxis('ReduceMean', a, x.shape.length));
  const shape = x.shape.map((d, i) => (normalized.includes(i) ? toDim(1) : d));
  return g.node('ReduceMean', [x], { axes: { ints: normalized }, keepdims: { int: 1 } }, [{ type: x.type, shape }])[0] as Value;
}

/** Nearest-neighbour ×2 up-sampling of the two spatial axes, as diffusers' Upsample2D exports. */
export function upsampleNearest2x(g: GraphBuilder, x: Value): Value {
  if (x.shape.length !== 4) fail('Resize', 'expects NCHW', x);
  const [n, c, h, w] = x.shape as [Dim, Dim, Dim, Dim];
  const scales = g.floats('float32', [1, 1, 2, 2]);
  const attributes = {
    mode: { string: 'nearest' },
    coordinate_transformation_mode: { string: 'asymmetric' },
    nearest_mode: { string: 'floor' },
  };
  const shape = [n, c, scaleDim(h, 2), scaleDim(w, 2)];
  return g.node('Resize', [x, '', scales], attributes, [{ type: x.type, shape }])[0] as Value;
}

export function argMax(g: GraphBuilder, x: Value, axis: number): Value {
  const a = normalizeAxis('ArgMax', axis, x.shape.length);
  const shape = x.shape.map((d, i) => (i === a ? toDim(1) : d));
  return g.node('ArgMax', [x], { axis: { int: a }, keepdims: { int: 1 } }, [{ type: 'int64', shape }])[0] as Value;
}

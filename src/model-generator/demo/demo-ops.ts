/**
 * The few ONNX operators the demo graphs need beyond onnx/ops: bilinear Resize (by a scale or to a
 * run-time size), reductions, Floor, Clip and Shape/Slice. Each checks its input and states its
 * output shape, as the shared helpers do. Opset 14 forms: ReduceSum takes its axes as an input,
 * ReduceMax as an attribute.
 */
import { scaleDim, toDim, type Dim } from '../onnx/dims';
import type { GraphBuilder, Value } from '../onnx/graph-builder';
import { fail, isFloat, normalizeAxis } from '../onnx/ops/check';

const BILINEAR = {
  mode: { string: 'linear' },
  coordinate_transformation_mode: { string: 'half_pixel' },
} as const;

/** Bilinear up-sampling of the two spatial axes of NCHW `x` by an integer factor. */
export function resizeLinearByScale(g: GraphBuilder, x: Value, factor: number): Value {
  if (x.shape.length !== 4 || !isFloat(x)) fail('Resize', 'expects a float NCHW tensor', x);
  const [n, c, h, w] = x.shape as [Dim, Dim, Dim, Dim];
  const scales = g.floats('float32', [1, 1, factor, factor]);
  const shape = [n, c, scaleDim(h, factor), scaleDim(w, factor)];
  return g.node('Resize', [x, '', scales], BILINEAR, [{ type: x.type, shape }])[0] as Value;
}

/**
 * Bilinear resize of NCHW `x` to the spatial size of `like` (read at run time), batch and channels
 * kept: `x` [N, C, h, w] → [N, C, H, W] where `like` is [*, *, H, W].
 */
export function resizeLinearLike(g: GraphBuilder, x: Value, like: Value): Value {
  if (x.shape.length !== 4 || like.shape.length !== 4 || !isFloat(x)) fail('Resize', 'expects float NCHW tensors', x, like);
  const [n, c] = x.shape as [Dim, Dim];
  if (n.symbols.length > 0 || c.symbols.length > 0) fail('Resize', 'the resized tensor needs fixed batch and channels', x);
  const spatial = slice(g, shapeOf(g, like), 2, 4);
  const sizes = g.node('Concat', [g.int64s([n.coefficient, c.coefficient]), spatial], { axis: { int: 0 } }, [{ type: 'int64', shape: [toDim(4)] }])[0] as Value;
  const shape = [n, c, like.shape[2] as Dim, like.shape[3] as Dim];
  return g.node('Resize', [x, '', '', sizes], BILINEAR, [{ type: x.type, shape }])[0] as Value;
}

export function shapeOf(g: GraphBuilder, x: Value): Value {
  return g.node('Shape', [x], {}, [{ type: 'int64', shape: [toDim(x.shape.length)] }])[0] as Value;
}

/** Elements [start, end) of a 1-D tensor with a concrete length. */
export function slice(g: GraphBuilder, x: Value, start: number, end: number): Value {
  const length = x.shape[0];
  if (x.shape.length !== 1 || !length || length.symbols.length > 0 || end > length.coefficient || start < 0 || start >= end) {
    fail('Slice', `[${start}, ${end}) is not inside a 1-D tensor of fixed length`, x);
  }
  const inputs = [x, g.int64s([start]), g.int64s([end]), g.int64s([0])];
  return g.node('Slice', inputs, {}, [{ type: x.type, shape: [toDim(end - start)] }])[0] as Value;
}

function reducedShape(x: Value, axes: readonly number[], keepDims: boolean): Dim[] {
  const out: Dim[] = [];
  x.shape.forEach((d, i) => {
    if (!axes.includes(i)) out.push(d);
    else if (keepDims) out.push(toDim(1));
  });
  return out;
}

/** ReduceMax over `axes` (an attribute at opset 14). */
export function reduceMax(g: GraphBuilder, x: Value, axes: readonly number[], keepDims: boolean): Value {
  const normalized = axes.map((a) => normalizeAxis('ReduceMax', a, x.shape.length));
  const attributes = { axes: { ints: normalized }, keepdims: { int: keepDims ? 1 : 0 } };
  return g.node('ReduceMax', [x], attributes, [{ type: x.type, shape: reducedShape(x, normalized, keepDims) }])[0] as Value;
}

/** ReduceSum over `axes` (an input since opset 13). */
export function reduceSum(g: GraphBuilder, x: Value, axes: readonly number[], keepDims: boolean): Value {
  const normalized = axes.map((a) => normalizeAxis('ReduceSum', a, x.shape.length));
  const attributes = { keepdims: { int: keepDims ? 1 : 0 } };
  return g.node('ReduceSum', [x, g.int64s(normalized)], attributes, [{ type: x.type, shape: reducedShape(x, normalized, keepDims) }])[0] as Value;
}

/** Product of all elements of a 1-D tensor, as a one-element tensor [1]. */
export function reduceProd(g: GraphBuilder, x: Value): Value {
  if (x.shape.length !== 1) fail('ReduceProd', 'expects a 1-D tensor', x);
  return g.node('ReduceProd', [x], { axes: { ints: [0] }, keepdims: { int: 1 } }, [{ type: x.type, shape: [toDim(1)] }])[0] as Value;
}

export function floor(g: GraphBuilder, x: Value): Value {
  if (!isFloat(x)) fail('Floor', 'expects a float tensor', x);
  return g.node('Floor', [x], {}, [{ type: x.type, shape: x.shape }])[0] as Value;
}

/** Clip to [min, max] (bounds as scalar inputs, opset 11+). */
export function clip(g: GraphBuilder, x: Value, min: number, max: number): Value {
  if (!isFloat(x)) fail('Clip', 'expects a float tensor', x);
  const bounds = [g.floats(x.type, [min], true), g.floats(x.type, [max], true)];
  return g.node('Clip', [x, ...bounds], {}, [{ type: x.type, shape: x.shape }])[0] as Value;
}

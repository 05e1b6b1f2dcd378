/** Operators that move data without arithmetic: reshape, transpose, concat, gather, cast... */
import { dimEquals, divDims, formatShape, product, toDim, type Dim, type Shape } from '../dims';
import type { GraphBuilder, Value } from '../graph-builder';
import type { ElementType } from '../tensor-data';
import { fail, normalizeAxis, sameType } from './check';
import { ONNX_TYPE_OF } from '../tensor-data';

/**
 * ONNX Reshape with a constant target: positive entries are sizes, 0 copies the input's dimension
 * at that index, one -1 is inferred. Dynamic dimensions survive because 0 and -1 are resolved at run time.
 */
export function reshape(g: GraphBuilder, x: Value, target: readonly number[]): Value {
  const known: Dim[] = [];
  let inferAt = -1;
  const shape: (Dim | null)[] = target.map((t, i) => {
    if (t === -1) {
      if (inferAt >= 0) fail('Reshape', 'more than one -1 in target', x);
      inferAt = i;
      return null;
    }
    const d = t === 0 ? x.shape[i] : toDim(t);
    if (!d) fail('Reshape', `target index ${i} copies a dimension the input lacks`, x);
    known.push(d);
    return d;
  });
  if (inferAt >= 0) {
    try {
      shape[inferAt] = divDims(product(x.shape), product(known));
    } catch (error) {
      fail('Reshape', `${(error as Error).message} for target [${target.join(', ')}]`, x);
    }
  } else if (!dimEquals(product(x.shape), product(known))) {
    fail('Reshape', `element count changes to [${target.join(', ')}]`, x);
  }
  return g.node('Reshape', [x, g.int64s(target)], {}, [{ type: x.type, shape: shape as Dim[] }])[0] as Value;
}

/** Reshape `x` to the run-time shape of `like` (Shape + Reshape), checking element counts symbolically. */
export function reshapeLike(g: GraphBuilder, x: Value, like: Value): Value {
  if (!dimEquals(product(x.shape), product(like.shape))) fail('Reshape', 'element counts differ', x, like);
  const likeShape = g.node('Shape', [like], {}, [{ type: 'int64', shape: [toDim(like.shape.length)] }])[0] as Value;
  return g.node('Reshape', [x, likeShape], {}, [{ type: x.type, shape: like.shape }])[0] as Value;
}

export function transpose(g: GraphBuilder, x: Value, perm: readonly number[]): Value {
  if (perm.length !== x.shape.length || [...perm].sort().some((p, i) => p !== i)) {
    fail('Transpose', `perm [${perm.join(', ')}] is not a permutation of the rank`, x);
  }
  const shape = perm.map((p) => x.shape[p] as Dim);
  return g.node('Transpose', [x], { perm: { ints: perm } }, [{ type: x.type, shape }])[0] as Value;
}

export function concat(g: GraphBuilder, values: readonly Value[], axis: number): Value {
  const first = values[0];
  if (!first) throw new Error('Concat: no inputs');
  sameType('Concat', ...values);
  const a = normalizeAxis('Concat', axis, first.shape.length);
  let along: Dim = toDim(0);
  for (const v of values) {
    if (v.shape.length !== first.shape.length) fail('Concat', 'ranks differ', first, v);
    v.shape.forEach((d, i) => {
      if (i !== a && !dimEquals(d, first.shape[i] as Dim)) fail('Concat', `dimension ${i} differs`, first, v);
    });
    along = addDims(along, v.shape[a] as Dim, values);
  }
  const shape = first.shape.map((d, i) => (i === a ? along : d));
  return g.node('Concat', [...values], { axis: { int: a } }, [{ type: first.type, shape }])[0] as Value;
}

function addDims(a: Dim, b: Dim, values: readonly Value[]): Dim {
  if (a.coefficient === 0) return b;
  if (a.symbols.join('*') !== b.symbols.join('*')) {
    fail('Concat', `cannot add ${formatShape([a])} and ${formatShape([b])} along the axis`, ...values);
  }
  return { coefficient: a.coefficient + b.coefficient, symbols: a.symbols };
}

export function split(g: GraphBuilder, x: Value, axis: number, sizes: readonly number[]): Value[] {
  const a = normalizeAxis('Split', axis, x.shape.length);
  const total = sizes.reduce((s, n) => s + n, 0);
  if (!dimEquals(x.shape[a] as Dim, toDim(total))) fail('Split', `sizes [${sizes.join(', ')}] do not cover the axis`, x);
  const outputs = sizes.map((n) => ({ type: x.type, shape: x.shape.map((d, i) => (i === a ? toDim(n) : d)) }));
  return g.node('Split', [x, g.int64s(sizes)], { axis: { int: a } }, outputs);
}

export function unsqueeze(g: GraphBuilder, x: Value, axes: readonly number[]): Value {
  const rank = x.shape.length + axes.length;
  const normalized = axes.map((a) => normalizeAxis('Unsqueeze', a, rank)).sort((p, q) => p - q);
  const shape: Dim[] = [];
  let source = 0;
  for (let i = 0; i < rank; i++) shape.push(normalized.includes(i) ? toDim(1) : (x.shape[source++] as Dim));
  return g.node('Unsqueeze', [x, g.int64s(normalized)], {}, [{ type: x.type, shape }])[0] as Value;
}

export function squeeze(g: GraphBuilder, x: Value, axes: readonly number[]): Value {
  const normalized = axes.map((a) => normalizeAxis('Squeeze', a, x.shape.length));
  for (const a of normalized) {
    if (!dimEquals(x.shape[a] as Dim, toDim(1))) fail('Squeeze', `axis ${a} is not of size 1`, x);
  }
  const shape = x.shape.filter((_, i) => !normalized.includes(i));
  return g.node('Squeeze', [x, g.int64s(normalized)], {}, [{ type: x.type, shape }])[0] as Value;
}

/** Gather along axis 0 of `data` (embedding lookup). */
export function gather(g: GraphBuilder, data: Value, indices: Value): Value {
  if (indices.type !== 'int32' && indices.type !== 'int64') fail('Gather', 'indices must be int32 or int64', indices);
  const shape: Shape = [...indices.shape, ...data.shape.slice(1)];
  return g.node('Gather', [data, indices], { axis: { int: 0 } }, [{ type: data.type, shape }])[0] as Value;
}

export function cast(g: GraphBuilder, x: Value, to: ElementType): Value {
  if (x.type === to) return x;
  return g.node('Cast', [x], { to: { int: ONNX_TYPE_OF[to] } }, [{ type: to, shape: x.shape }])[0] as Value;
}

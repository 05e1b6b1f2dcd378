/** Element-wise operators with numpy broadcasting. */
import { broadcastShapes } from '../dims';
import type { GraphBuilder, Value } from '../graph-builder';
import { fail, isFloat, sameType } from './check';

function binary(op: string, g: GraphBuilder, a: Value, b: Value): Value {
  sameType(op, a, b);
  let shape;
  try {
    shape = broadcastShapes(a.shape, b.shape);
  } catch (error) {
    fail(op, (error as Error).message, a, b);
  }
  return g.node(op, [a, b], {}, [{ type: a.type, shape }])[0] as Value;
}

function unary(op: string, g: GraphBuilder, x: Value): Value {
  if (!isFloat(x)) fail(op, 'expects a float tensor', x);
  return g.node(op, [x], {}, [{ type: x.type, shape: x.shape }])[0] as Value;
}

export const add = (g: GraphBuilder, a: Value, b: Value): Value => binary('Add', g, a, b);
export const sub = (g: GraphBuilder, a: Value, b: Value): Value => binary('Sub', g, a, b);
export const mul = (g: GraphBuilder, a: Value, b: Value): Value => binary('Mul', g, a, b);
export const div = (g: GraphBuilder, a: Value, b: Value): Value => binary('Div', g, a, b);
export const pow = (g: GraphBuilder, a: Value, b: Value): Value => binary('Pow', g, a, b);
export const sigmoid = (g: GraphBuilder, x: Value): Value => unary('Sigmoid', g, x);
export const sqrt = (g: GraphBuilder, x: Value): Value => unary('Sqrt', g, x);
export const erf = (g: GraphBuilder, x: Value): Value => unary('Erf', g, x);
export const sin = (g: GraphBuilder, x: Value): Value => unary('Sin', g, x);
export const cos = (g: GraphBuilder, x: Value): Value => unary('Cos', g, x);
export const exp = (g: GraphBuilder, x: Value): Value => unary('Exp', g, x);

/** Equal produces a bool tensor; inputs must share a type. */
export function equal(g: GraphBuilder, a: Value, b: Value): Value {
  sameType('Equal', a, b);
  let shape;
  try {
    shape = broadcastShapes(a.shape, b.shape);
  } catch (error) {
    fail('Equal', (error as Error).message, a, b);
  }
  return g.node('Equal', [a, b], {}, [{ type: 'bool', shape }])[0] as Value;
}

/** A scalar constant of `like`'s float type, for scaling and epsilons. */
export function scalarLike(g: GraphBuilder, like: Value, value: number): Value {
  return g.floats(like.type, [value], true);
}

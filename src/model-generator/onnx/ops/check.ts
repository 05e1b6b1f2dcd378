import { formatShape } from '../dims';
import type { Value } from '../graph-builder';

/** Throws a build-time error naming the operator and the offending values. */
export function fail(op: string, message: string, ...values: Value[]): never {
  const described = values.map((v) => `${v.name} ${v.type} ${formatShape(v.shape)}`).join('; ');
  throw new Error(`${op}: ${message}${described ? ` (${described})` : ''}`);
}

export function sameType(op: string, ...values: Value[]): void {
  const first = values[0];
  if (first && values.some((v) => v.type !== first.type)) fail(op, 'element types differ', ...values);
}

export function isFloat(value: Value): boolean {
  return value.type === 'float32' || value.type === 'float16';
}

export function normalizeAxis(op: string, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new Error(`${op}: axis ${axis} out of range for rank ${rank}`);
  return a;
}

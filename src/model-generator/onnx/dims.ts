/**
 * Build-time shape algebra. A dimension is a monomial: a coefficient times a product of named
 * symbols (`batch`, `height`...). That is enough to follow Stable Diffusion graphs exactly:
 * reshapes multiply and divide dimensions, stride-2 convolutions halve them, up-sampling doubles them.
 * Spatial symbols are assumed divisible by the network's total down-sampling factor (the pipeline
 * validates sizes before running), which is what makes `height / 2 * 2 == height` hold here.
 */
export interface Dim {
  readonly coefficient: number;
  /** Sorted symbol names; repeated names are powers. Empty for a concrete dimension. */
  readonly symbols: readonly string[];
}

export type DimLike = number | string | Dim;
export type Shape = readonly Dim[];

export function toDim(value: DimLike): Dim {
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 0) throw new Error(`dimension ${value} is not a non-negative integer`);
    return { coefficient: value, symbols: [] };
  }
  if (typeof value === 'string') return { coefficient: 1, symbols: [value] };
  return value;
}

export function toShape(dims: readonly DimLike[]): Shape {
  return dims.map(toDim);
}

export function isConcrete(dim: Dim): boolean {
  return dim.symbols.length === 0;
}

export function dimEquals(a: Dim, b: Dim): boolean {
  return a.coefficient === b.coefficient && a.symbols.join('*') === b.symbols.join('*');
}

export function mulDims(a: Dim, b: Dim): Dim {
  return { coefficient: a.coefficient * b.coefficient, symbols: [...a.symbols, ...b.symbols].sort() };
}

/** Exact division; throws when `b` does not divide `a` (a shape error in the graph being built). */
export function divDims(a: Dim, b: Dim): Dim {
  const remaining = [...a.symbols];
  for (const symbol of b.symbols) {
    const at = remaining.indexOf(symbol);
    if (at < 0) throw new Error(`cannot divide ${formatDim(a)} by ${formatDim(b)}`);
    remaining.splice(at, 1);
  }
  const coefficient = a.coefficient / b.coefficient;
  if (remaining.length === 0 && !Number.isInteger(coefficient)) {
    throw new Error(`cannot divide ${formatDim(a)} by ${formatDim(b)}`);
  }
  return { coefficient, symbols: remaining };
}

export function scaleDim(a: Dim, factor: number): Dim {
  return { coefficient: a.coefficient * factor, symbols: a.symbols };
}

export function product(shape: Shape): Dim {
  return shape.reduce<Dim>((acc, d) => mulDims(acc, d), toDim(1));
}

export function formatDim(d: Dim): string {
  if (d.symbols.length === 0) return String(d.coefficient);
  const symbols = d.symbols.join('*');
  if (d.coefficient === 1) return symbols;
  // Down-sampled sizes read as `height/8`, as an exporter would name them.
  const inverse = 1 / d.coefficient;
  return d.coefficient < 1 && Number.isInteger(inverse) ? `${symbols}/${inverse}` : `${d.coefficient}*${symbols}`;
}

export function formatShape(shape: Shape): string {
  return `[${shape.map(formatDim).join(', ')}]`;
}

/** numpy-style broadcasting of two shapes; throws naming both shapes when they are incompatible. */
export function broadcastShapes(a: Shape, b: Shape): Shape {
  const rank = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? toDim(1);
    const db = b[b.length - rank + i] ?? toDim(1);
    if (dimEquals(da, db) || (isConcrete(db) && db.coefficient === 1)) out.push(da);
    else if (isConcrete(da) && da.coefficient === 1) out.push(db);
    else throw new Error(`shapes ${formatShape(a)} and ${formatShape(b)} do not broadcast`);
  }
  return out;
}

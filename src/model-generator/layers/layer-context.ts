import type { GraphBuilder, Value } from '../onnx/graph-builder';
import type { SeededWeights } from './seeded-weights';

export type FloatType = 'float32' | 'float16';

/** What every layer builder needs: the graph, the weight source and the model's float type. */
export interface LayerContext {
  readonly g: GraphBuilder;
  readonly weights: SeededWeights;
  readonly dtype: FloatType;
}

export type ParameterInit = { readonly std: number } | { readonly constant: number };

/** A named weight in the current scope, random (std) or constant (norm scales and shifts). */
export function parameter(ctx: LayerContext, name: string, dims: readonly number[], init: ParameterInit): Value {
  const count = dims.reduce((a, b) => a * b, 1);
  const data =
    'std' in init ? ctx.weights.uniform(ctx.g.qualified(name), count, init.std) : new Float32Array(count).fill(init.constant);
  return ctx.g.initializer(name, ctx.dtype, dims, data);
}

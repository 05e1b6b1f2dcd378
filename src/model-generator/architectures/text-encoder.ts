/**
 * CLIP's text transformer as an ONNX graph: `input_ids` int32 [B, 77] →
 * `last_hidden_state` [B, 77, D] and `pooler_output` [B, D] (the state at the end-of-text token,
 * found as the position of the highest id, as CLIP does).
 */
import type { ModelConfig } from '../config/model-config';
import { layerNorm, linear, quickGelu } from '../layers/basic-layers';
import { attention } from '../layers/attention';
import { parameter, type LayerContext } from '../layers/layer-context';
import { SeededWeights } from '../layers/seeded-weights';
import { GraphBuilder, type Value } from '../onnx/graph-builder';
import type { ModelMessage } from '../onnx/onnx-proto';
import { add, equal } from '../onnx/ops/elementwise';
import { argMax, matmul } from '../onnx/ops/neural';
import { cast, gather, squeeze, unsqueeze } from '../onnx/ops/tensor-shape';
import type { WeightSink } from '../onnx/weight-sink';

const FLOAT32_LOWEST = -3.4028234663852886e38;
const FLOAT16_LOWEST = -65504;

export function buildTextEncoder(config: ModelConfig, weights: WeightSink): ModelMessage {
  const g = new GraphBuilder('text_encoder', weights);
  const ctx: LayerContext = { g, weights: new SeededWeights(config.seed), dtype: config.dtype };
  const { width, layers, heads, vocabSize, maxPositions } = config.textEncoder;

  const inputIds = g.input('input_ids', 'int32', ['batch', maxPositions]);
  let x = g.scoped('text_model.embeddings', () => {
    const tokens = gather(g, parameter(ctx, 'token_embedding.weight', [vocabSize, width], { std: 1 }), inputIds);
    return add(g, tokens, parameter(ctx, 'position_embedding.weight', [maxPositions, width], { std: 0.5 }));
  });
  const mask = causalMask(ctx, maxPositions);

  for (let i = 0; i < layers; i++) {
    x = g.scoped(`text_model.encoder.layers.${i}`, () => {
      const attended = attention(ctx, 'self_attn', layerNorm(ctx, 'layer_norm1', x, width, 1e-5), undefined, width, { heads, qkvBias: true, mask });
      const h = add(g, x, attended);
      const mlp = g.scoped('mlp', () => linear(ctx, 'fc2', quickGelu(ctx, linear(ctx, 'fc1', layerNorm(ctx, 'layer_norm2', h, width, 1e-5), width, width * 4)), width * 4, width));
      return add(g, h, mlp);
    });
  }
  const lastHidden = g.output(g.scoped('text_model', () => layerNorm(ctx, 'final_layer_norm', x, width, 1e-5)), 'last_hidden_state');
  g.output(poolAtEndOfText(ctx, inputIds, lastHidden, maxPositions), 'pooler_output');
  return g.build({ component: 'text_encoder' });
}

/** [S, S] additive mask: 0 on and below the diagonal, the type's lowest value above (future tokens). */
function causalMask(ctx: LayerContext, length: number): Value {
  const lowest = ctx.dtype === 'float16' ? FLOAT16_LOWEST : FLOAT32_LOWEST;
  const data = new Float32Array(length * length);
  for (let row = 0; row < length; row++) data.fill(lowest, row * length + row + 1, (row + 1) * length);
  return ctx.g.initializer('text_model.causal_attention_mask', ctx.dtype, [length, length], data);
}

/** One-hot of argmax(input_ids) times the hidden states: the end-of-text token's state per row. */
function poolAtEndOfText(ctx: LayerContext, inputIds: Value, hidden: Value, length: number): Value {
  const g = ctx.g;
  const endPositions = argMax(g, cast(g, inputIds, 'int64'), -1);
  const positions = g.int64s(Array.from({ length }, (_, i) => i));
  const oneHot = cast(g, equal(g, positions, endPositions), ctx.dtype);
  return squeeze(g, matmul(g, unsqueeze(g, oneHot, [1]), hidden), [1]);
}

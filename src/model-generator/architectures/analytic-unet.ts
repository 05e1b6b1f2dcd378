/**
 * A UNet with the real inputs and outputs whose prediction is known in closed form:
 * `out_sample = factor · sample`. Run through a scheduler, every latent is multiplied by a number
 * the scheduler's formulas give, which is how tests check the whole denoising loop exactly.
 */
import type { ModelConfig } from '../config/model-config';
import { GraphBuilder } from '../onnx/graph-builder';
import type { ModelMessage } from '../onnx/onnx-proto';
import { mul } from '../onnx/ops/elementwise';
import type { WeightSink } from '../onnx/weight-sink';
import { timestepInput } from './unet';

export function buildAnalyticUnet(config: ModelConfig, factor: number, weights: WeightSink): ModelMessage {
  const g = new GraphBuilder('unet', weights);
  const sample = g.input('sample', config.dtype, ['batch', config.latentChannels, 'height', 'width']);
  timestepInput(g, config);
  g.input('encoder_hidden_states', config.dtype, ['batch', 'sequence', config.textEncoder.width]);
  g.output(mul(g, sample, g.floats(config.dtype, [factor], true)), 'out_sample');
  return g.build({ component: 'unet', timestep_signature: config.timestep, analytic: `out_sample = ${factor} * sample` });
}

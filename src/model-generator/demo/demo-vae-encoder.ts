/**
 * The demo VAE encoder, shaped like a real diffusers export so the engine's image-to-image path
 * (which cuts a real encoder's random tail at load) runs on the demo release as it would on SD:
 *
 *   moments       = quant_conv(AveragePool×8(sample))          [B, 8, H/8, W/8]
 *   mean          = moments[:, 0:4]  = RGB_TO_LATENT · (rgb − bias) / scaling_factor
 *   logvar        = clip(moments[:, 4:8], −30, 20) = DEMO_ENCODER_LOGVAR
 *   std           = exp(0.5 · logvar)
 *   latent_sample = mean + std · Cast(RandomNormalLike(ConstantOfShape(Shape(mean))))
 *
 * The mean is the pseudo-inverse of the demo decoder's linear map applied to each 8×8 block's
 * average colour, so `scaling_factor · mean` decodes back to those averages: the demo's "VAE"
 * round-trips a picture at latent resolution, as SD's does at full resolution. The tail is the one
 * `vae.encode(x).latent_dist.sample()` exports to (onnxruntime's own unseeded generator), node for
 * node: Slice, Clip, Mul, Exp, Shape, ConstantOfShape, RandomNormalLike, Cast, Mul, Add.
 */
import { scaleDim, toDim, type Dim } from '../onnx/dims';
import { GraphBuilder, type Value } from '../onnx/graph-builder';
import type { ModelMessage } from '../onnx/onnx-proto';
import { exp, mul, scalarLike } from '../onnx/ops/elementwise';
import { conv } from '../onnx/ops/neural';
import type { WeightSink } from '../onnx/weight-sink';
import { clip } from './demo-ops';
import { DEMO_SCALING_FACTOR, LATENT_CHANNELS, RGB_BIAS, RGB_TO_LATENT } from './demo-vae';

/** Latents are 1/8 of the image, as in SD. */
export const DEMO_ENCODER_DOWNSAMPLING = 8;
/**
 * The latent distribution's log-variance, everywhere: std = exp(−6) ≈ 0.0025 before scaling (about
 * 0.00045 in the diffusion's latent space), small as a trained SD VAE's, so a sample stays on the picture.
 */
export const DEMO_ENCODER_LOGVAR = -12;
/** diffusers' DiagonalGaussianDistribution clamps the log-variance to this range. */
const LOGVAR_RANGE = [-30, 20] as const;

/** quant_conv's 1×1 kernel [8, 3] and bias [8]: rows 0–3 the mean, rows 4–7 the (constant) log-variance. */
export function encoderMoments(): { weight: Float32Array; bias: Float32Array } {
  const weight = new Float32Array(2 * LATENT_CHANNELS * 3);
  const bias = new Float32Array(2 * LATENT_CHANNELS);
  for (let k = 0; k < LATENT_CHANNELS; k++) {
    const row = RGB_TO_LATENT[k] as readonly number[];
    let offset = 0;
    for (let c = 0; c < 3; c++) {
      const w = (row[c] as number) / DEMO_SCALING_FACTOR;
      weight[k * 3 + c] = w;
      offset -= w * (RGB_BIAS[c] as number);
    }
    bias[k] = offset;
    bias[LATENT_CHANNELS + k] = DEMO_ENCODER_LOGVAR;
  }
  return { weight, bias };
}

export function buildDemoVaeEncoder(weights?: WeightSink): ModelMessage {
  const g = new GraphBuilder('vae_encoder', weights);
  const sample = g.input('sample', 'float32', ['batch', 3, 'height', 'width']);
  const [n, c, h, w] = sample.shape as [Dim, Dim, Dim, Dim];
  const f = DEMO_ENCODER_DOWNSAMPLING;
  const pooled = g.node('AveragePool', [sample], { kernel_shape: { ints: [f, f] }, strides: { ints: [f, f] } }, [
    { type: 'float32', shape: [n, c, scaleDim(h, 1 / f), scaleDim(w, 1 / f)] },
  ])[0] as Value;
  const moments = encoderMoments();
  const weight = g.initializer('quant_conv.weight', 'float32', [2 * LATENT_CHANNELS, 3, 1, 1], moments.weight);
  const bias = g.initializer('quant_conv.bias', 'float32', [2 * LATENT_CHANNELS], moments.bias);
  const parameters = conv(g, pooled, weight, bias);

  const half = (start: number): Value => {
    const inputs = [parameters, g.int64s([start]), g.int64s([start + LATENT_CHANNELS]), g.int64s([1])];
    const shape = [n, toDim(LATENT_CHANNELS), parameters.shape[2] as Dim, parameters.shape[3] as Dim];
    return g.node('Slice', inputs, {}, [{ type: 'float32', shape }])[0] as Value;
  };
  const mean = half(0);
  const logvar = clip(g, half(LATENT_CHANNELS), LOGVAR_RANGE[0], LOGVAR_RANGE[1]);
  const std = exp(g, mul(g, logvar, scalarLike(g, logvar, 0.5)));

  // The random tail of a real export: noise shaped like the mean from onnxruntime's own generator.
  const shape = g.node('Shape', [mean], {}, [{ type: 'int64', shape: [toDim(4)] }])[0] as Value;
  const zeros = g.node('ConstantOfShape', [shape], {}, [{ type: 'float32', shape: mean.shape }])[0] as Value;
  const noise = g.node('RandomNormalLike', [zeros], { dtype: { int: 1 } }, [{ type: 'float32', shape: mean.shape }])[0] as Value;
  const cast = g.node('Cast', [noise], { to: { int: 1 } }, [{ type: 'float32', shape: mean.shape }])[0] as Value;
  // Named at the Add, as the exporter names it: the graph ends in Add(mean, Mul(std, Cast(noise))), no Identity.
  const scaled = mul(g, std, cast);
  const latentSample = g.node('Add', [mean, scaled], {}, [{ type: 'float32', shape: mean.shape }], 'latent_sample')[0] as Value;
  g.output(latentSample, 'latent_sample');
  return g.build({ component: 'vae_encoder', demo: 'average-pool ×8, pseudo-inverse of the decoder map; SD-style random tail' });
}

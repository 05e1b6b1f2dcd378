/**
 * Image-to-image photos → the VAE encoder's latent distribution (mean and std per latent value),
 * several photos per encoder call. The sample itself is drawn later from each image's own
 * generator (see image-to-image.ts), never inside the graph.
 */
import { ModelFailedError } from '../errors';
import type { VaeEncoder } from '../model/load-vae-encoder';
import { MEAN_OUTPUT, STD_OUTPUT } from '../model/vae-encoder-graph';
import { floatTensor, readFloats } from '../runtime/float-tensor';
import { checkFinite, type NonFiniteOutputError } from './non-finite';

export type { VaeEncoder };

/** diffusers' DiagonalGaussianDistribution over one latent: [channels × h × w] each. */
export interface LatentDistribution {
  readonly mean: Float32Array;
  readonly std: Float32Array;
}

/**
 * Encodes every sample ([3, height, width] values in [-1, 1]) in one call; an image whose
 * distribution holds NaN or ±Inf comes back as its error, so one broken photo fails only its request.
 */
export async function encodeInitImages(
  samples: readonly Float32Array[],
  height: number,
  width: number,
  latentChannels: number,
  encoder: VaeEncoder,
): Promise<(LatentDistribution | NonFiniteOutputError)[]> {
  const size = 3 * height * width;
  const batch = new Float32Array(samples.length * size);
  samples.forEach((s, i) => {
    if (s.length !== size) throw new RangeError(`sample ${i} holds ${s.length} values, expected ${size}`);
    batch.set(s, i * size);
  });
  let output;
  try {
    output = await encoder.runner.run({ sample: floatTensor(batch, [samples.length, 3, height, width], encoder.dtype) });
  } catch (error) {
    throw new ModelFailedError('vae_encoder', error);
  }
  const latentSize = latentChannels * (height / 8) * (width / 8);
  const expected = `[${samples.length}, ${latentChannels}, ${height / 8}, ${width / 8}]`;
  let means: Float32Array;
  let stds: Float32Array;
  if (encoder.outputs.kind === 'distribution') {
    means = readFloats(output[MEAN_OUTPUT], MEAN_OUTPUT);
    stds = readFloats(output[STD_OUTPUT], STD_OUTPUT);
    if (means.length !== samples.length * latentSize || stds.length !== means.length) {
      throw new ModelFailedError('vae_encoder', `mean and std have ${means.length} and ${stds.length} values, expected ${expected}`);
    }
  } else {
    const moments = readFloats(output[encoder.outputs.output], encoder.outputs.output);
    if (moments.length !== 2 * samples.length * latentSize) {
      throw new ModelFailedError('vae_encoder', `${encoder.outputs.output} has ${moments.length} values, expected mean ‖ logvar for ${expected}`);
    }
    ({ means, stds } = splitMoments(moments, samples.length, latentSize));
  }
  return samples.map((_, i) => {
    const start = i * latentSize;
    const end = start + latentSize;
    const broken = checkFinite(means, start, end, 'vae_encoder', 'when encoding the initial image') ?? checkFinite(stds, start, end, 'vae_encoder', 'when encoding the initial image');
    return broken ?? { mean: means.slice(start, end), std: stds.slice(start, end) };
  });
}

/**
 * Moments [B, 2C, h, w] → mean and std as diffusers' DiagonalGaussianDistribution:
 * logvar clamped to [-30, 20], std = exp(0.5 · logvar), in float32.
 */
function splitMoments(moments: Float32Array, images: number, latentSize: number): { means: Float32Array; stds: Float32Array } {
  const means = new Float32Array(images * latentSize);
  const stds = new Float32Array(images * latentSize);
  for (let i = 0; i < images; i++) {
    means.set(moments.subarray(2 * i * latentSize, (2 * i + 1) * latentSize), i * latentSize);
    const logvar = moments.subarray((2 * i + 1) * latentSize, (2 * i + 2) * latentSize);
    for (let j = 0; j < latentSize; j++) {
      const clamped = Math.min(Math.max(logvar[j] as number, -30), 20);
      stds[i * latentSize + j] = Math.exp(Math.fround(0.5 * clamped));
    }
  }
  return { means, stds };
}

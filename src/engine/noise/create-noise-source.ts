import type { NoiseSource } from './noise-source';
import { NumpyRandomState } from './numpy-noise';
import { TorchCpuGenerator } from './torch-noise';

/**
 * Whose initial latents to reproduce: `torch` = `torch.Generator('cpu').manual_seed(seed)` (what
 * diffusers users pass), `numpy` = `numpy.random.RandomState(seed)` (older pipelines).
 */
export type NoiseMode = 'torch' | 'numpy';

export const NOISE_MODES: readonly NoiseMode[] = ['torch', 'numpy'];

/**
 * A fresh noise stream for one image. Throws SeedError for a seed outside 0..2^64 - 1, and in
 * numpy mode for seeds of 2^32 and above, which numpy's RandomState rejects.
 */
export function createNoiseSource(mode: NoiseMode, seed: bigint): NoiseSource {
  switch (mode) {
    case 'torch':
      return new TorchCpuGenerator(seed);
    case 'numpy':
      return new NumpyRandomState(seed);
    default: {
      // Reached only from untyped callers; keeps the switch exhaustive for the compiler.
      const unknownMode: never = mode;
      throw new RangeError(`unknown noise mode ${JSON.stringify(unknownMode)}; expected torch or numpy`);
    }
  }
}

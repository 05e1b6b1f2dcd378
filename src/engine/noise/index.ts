export type { NoiseSource } from './noise-source';
export { Mt19937 } from './mt19937';
export { TorchCpuGenerator } from './torch-noise';
export { NumpyRandomState, NUMPY_MAX_SEED } from './numpy-noise';
export { MAX_SEED, SeedError, assertSeedRange, parseSeed, randomSeed, seedForImage } from './seed';
export { NOISE_MODES, createNoiseSource } from './create-noise-source';
export type { NoiseMode } from './create-noise-source';

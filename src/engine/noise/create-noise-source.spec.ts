import { createNoiseSource, type NoiseMode } from './create-noise-source';
import { NumpyRandomState } from './numpy-noise';
import { SeedError } from './seed';
import { TorchCpuGenerator } from './torch-noise';

describe('createNoiseSource', () => {
  it('builds the generator for each mode', () => {
    expect(createNoiseSource('torch', 1n)).toBeInstanceOf(TorchCpuGenerator);
    expect(createNoiseSource('numpy', 1n)).toBeInstanceOf(NumpyRandomState);
    expect(createNoiseSource('torch', 0n).randn(4)).toEqual(new TorchCpuGenerator(0n).randn(4));
  });

  it('accepts every 64-bit seed in torch mode', () => {
    expect(createNoiseSource('torch', 2n ** 64n - 1n).randn(16)).toHaveLength(16);
  });

  it("limits numpy mode to RandomState's 32-bit seeds", () => {
    expect(createNoiseSource('numpy', 2n ** 32n - 1n).randn(2)).toHaveLength(2);
    expect(() => createNoiseSource('numpy', 2n ** 32n)).toThrow(SeedError);
    expect(() => createNoiseSource('numpy', 2n ** 32n)).toThrow(/32-bit/);
  });

  it('rejects seeds outside 0..2^64 - 1 in torch mode too', () => {
    expect(() => createNoiseSource('torch', 2n ** 64n)).toThrow(SeedError);
    expect(() => createNoiseSource('torch', -1n)).toThrow(SeedError);
  });

  it('rejects an unknown mode from untyped callers', () => {
    expect(() => createNoiseSource('jax' as unknown as NoiseMode, 1n)).toThrow(/unknown noise mode/);
  });
});

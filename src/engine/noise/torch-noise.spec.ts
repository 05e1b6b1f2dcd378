import { TorchCpuGenerator } from './torch-noise';

/** Published torch values are printed to 4 decimals, so they pin each value to within 5e-5. */
function expectTorchPrint(actual: Float32Array, printed: number[]): void {
  expect(actual).toHaveLength(printed.length);
  printed.forEach((value, i) => {
    expect(Math.abs(actual[i] - value)).toBeLessThanOrEqual(1e-4);
  });
}

function randn(seed: bigint, count: number): Float32Array {
  return new TorchCpuGenerator(seed).randn(count);
}

function concat(...parts: Float32Array[]): number[] {
  return parts.flatMap((p) => Array.from(p));
}

describe('TorchCpuGenerator golden values', () => {
  it('seed 0, randn(4): the < 16 double Box-Muller path', () => {
    // torch.manual_seed(0); torch.randn(4) -> tensor([ 1.5410, -0.2934, -2.1788,  0.5684])
    expectTorchPrint(randn(0n, 4), [1.541, -0.2934, -2.1788, 0.5684]);
  });

  it('seed 42, randn(2, 3): the < 16 path with an even count', () => {
    // torch.manual_seed(42); torch.randn(2, 3) -> [[0.3367, 0.1288, 0.2345], [0.2303, -1.1229, -0.1863]]
    // as printed in https://sprintchase.com/?p=9243 ("Reproducibility with seed").
    expectTorchPrint(randn(42n, 6), [0.3367, 0.1288, 0.2345, 0.2303, -1.1229, -0.1863]);
  });

  it('seed 0, randn(4, 4): one normal_fill block of 16', () => {
    // torch.manual_seed(0); torch.randn(4, 4)
    expectTorchPrint(randn(0n, 16), [
      -1.1258, -1.1524, -0.2506, -0.4339, 0.8487, 0.692, -0.316, -2.1152, 0.3223, -1.2633, 0.35,
      0.3081, 0.1198, 1.2377, 1.1168, -0.2473,
    ]);
  });

  it('seed 42, randn(2, 3, 4): 24 values, the last 16 recomputed from fresh uniforms', () => {
    // torch.manual_seed(42); torch.randn(2, 3, 4)
    expectTorchPrint(randn(42n, 24), [
      1.9269, 1.4873, 0.9007, -2.1055, 0.6784, -1.2345, -0.0431, -1.6047, 0.3559, -0.6866, -0.4934,
      0.2415, -1.1109, 0.0915, -2.3169, -0.2168, -0.3097, -0.3957, 0.8034, -0.6216, -0.592, -0.0631,
      -0.8286, 0.3309,
    ]);
  });
});

describe('TorchCpuGenerator structure (from the ATen source)', () => {
  it('keeps the first block of a non-multiple-of-16 fill: only the last 16 are recomputed', () => {
    expect(Array.from(randn(42n, 24).subarray(0, 8))).toEqual(Array.from(randn(42n, 16).subarray(0, 8)));
  });

  it('seeds the engine with the low 32 bits only, like at::mt19937(uint64_t)', () => {
    expect(randn(2n ** 32n + 7n, 20)).toEqual(randn(7n, 20));
    expect(randn(2n ** 64n - 1n, 5)).toEqual(randn(0xffffffffn, 5));
  });

  it('returns an empty tensor for count 0 without consuming state', () => {
    const g = new TorchCpuGenerator(3n);
    expect(g.randn(0)).toHaveLength(0);
    expect(g.randn(5)).toEqual(randn(3n, 5));
  });

  it('rejects invalid counts', () => {
    const g = new TorchCpuGenerator(0n);
    expect(() => g.randn(-1)).toThrow(RangeError);
    expect(() => g.randn(2.5)).toThrow(RangeError);
  });
});

describe('TorchCpuGenerator statefulness', () => {
  // Below 16 elements every pair of outputs is one Box-Muller pair (cos now, sin cached in the
  // generator), and the cache outlives the call, so small calls concatenate exactly.
  it('randn(2) twice equals randn(4): the pairs line up', () => {
    const g = new TorchCpuGenerator(0n);
    expect(concat(g.randn(2), g.randn(2))).toEqual(Array.from(randn(0n, 4)));
  });

  it('randn(3) then randn(3) equals randn(6): the cached sine crosses the call boundary', () => {
    const g = new TorchCpuGenerator(11n);
    expect(concat(g.randn(3), g.randn(3))).toEqual(Array.from(randn(11n, 6)));
  });

  it('randn(8) twice differs from randn(16): 16 elements switch to normal_fill', () => {
    const g = new TorchCpuGenerator(0n);
    const split = concat(g.randn(8), g.randn(8));
    const whole = Array.from(randn(0n, 16));
    expect(split).not.toEqual(whole);
    // Not even the first value agrees: the two paths use different uniforms and formulas.
    expect(split[0]).not.toBe(whole[0]);
  });

  it('randn(16) twice equals randn(32): normal_fill consumes exactly one draw per element', () => {
    const g = new TorchCpuGenerator(5n);
    expect(concat(g.randn(16), g.randn(16))).toEqual(Array.from(randn(5n, 32)));
  });

  it('a cached normal survives an intervening normal_fill call', () => {
    const g = new TorchCpuGenerator(9n);
    const first = g.randn(1);
    g.randn(16); // normal_fill neither reads nor clears next_double_normal_sample_
    const third = g.randn(1);
    const pair = randn(9n, 2);
    expect(first[0]).toBe(pair[0]);
    expect(third[0]).toBe(pair[1]);
  });

  it('continues the stream: the second latent-sized call differs from the first', () => {
    const g = new TorchCpuGenerator(1234n);
    const a = g.randn(4 * 64 * 64);
    const b = g.randn(4 * 64 * 64);
    expect(b).not.toEqual(a);
    expect(a).toEqual(randn(1234n, 4 * 64 * 64));
  });
});

describe('TorchCpuGenerator distribution', () => {
  it('is standard normal over 65536 samples (4x128x128)', () => {
    const values = randn(2024n, 4 * 128 * 128);
    let sum = 0;
    let sumSq = 0;
    for (const v of values) {
      sum += v;
      sumSq += v * v;
    }
    const mean = sum / values.length;
    const std = Math.sqrt(sumSq / values.length - mean * mean);
    // Standard error of the mean is 1/256; allow about 5 of them.
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(Math.abs(std - 1)).toBeLessThan(0.02);
    expect(values.every(Number.isFinite)).toBe(true);
  });
});

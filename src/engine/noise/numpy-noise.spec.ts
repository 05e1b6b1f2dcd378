import { createHash } from 'node:crypto';
import { NumpyRandomState } from './numpy-noise';
import { SeedError } from './seed';

/**
 * Golden values come from numpy 2.4.6 (the legacy RandomState stream is frozen across versions).
 * JS Math.log and C's log may differ in the last bit, so float64 values are compared to within
 * 1e-15 (relative); the float32 output is checked bit for bit through hashes below.
 */
function expectFloat64(actual: Float64Array, expected: number[]): void {
  expect(actual).toHaveLength(expected.length);
  expected.forEach((value, i) => {
    expect(Math.abs(actual[i] - value)).toBeLessThanOrEqual(1e-15 * Math.max(1, Math.abs(value)));
  });
}

function randn64(seed: bigint, count: number): Float64Array {
  return new NumpyRandomState(seed).randnFloat64(count);
}

function sha256(values: Float32Array): string {
  return createHash('sha256').update(Buffer.from(values.buffer, values.byteOffset, values.byteLength)).digest('hex');
}

describe('NumpyRandomState golden values', () => {
  it('seed 0', () => {
    // np.random.RandomState(0).randn(6).tolist()
    expectFloat64(randn64(0n, 6), [
      1.764052345967664, 0.4001572083672233, 0.9787379841057392, 2.240893199201458,
      1.8675579901499675, -0.977277879876411,
    ]);
  });

  it('seed 42', () => {
    // np.random.RandomState(42).randn(10).tolist()
    expectFloat64(randn64(42n, 10), [
      0.4967141530112327, -0.13826430117118466, 0.6476885381006925, 1.5230298564080254,
      -0.23415337472333597, -0.23413695694918055, 1.5792128155073915, 0.7674347291529088,
      -0.4694743859349521, 0.5425600435859647,
    ]);
  });

  it('seed 2**32 - 1, the largest numpy accepts', () => {
    // np.random.RandomState(2**32-1).randn(10).tolist()
    expectFloat64(randn64(2n ** 32n - 1n, 10), [
      0.6484086742306527, 0.6693235306338161, -1.0805437227474493, 0.2845010447986309,
      0.11388773652167104, 0.8676218937929382, -0.044026015448043285, 0.24877161740907913,
      -0.9882301508639844, -0.5459227140515623,
    ]);
  });

  it('seed 1234, a 4x64x64 latent: sum and sampled indices', () => {
    // a = np.random.RandomState(1234).randn(4*64*64); a.sum() -> 186.64035166151825;
    // a[0], a[1], a[2], a[100], a[8191], a[16383] as listed. numpy sums pairwise, so the sum is
    // compared loosely.
    const a = randn64(1234n, 4 * 64 * 64);
    const sum = a.reduce((acc, v) => acc + v, 0);
    expect(Math.abs(sum - 186.64035166151825)).toBeLessThan(1e-9);
    const at = (i: number): number => a[i];
    expectFloat64(Float64Array.from([0, 1, 2, 100, 8191, 16383].map(at)), [
      0.47143516373249306, -1.1909756947064645, 1.4327069684260973, 0.2912053597430635,
      -0.6037176021599561, -0.3126478012882415,
    ]);
  });

  it('float32 output is bit-identical to numpy .astype(np.float32)', () => {
    // hashlib.sha256(np.random.RandomState(S).randn(N).astype(np.float32).tobytes()).hexdigest()
    expect(sha256(new NumpyRandomState(1234n).randn(4 * 64 * 64))).toBe(
      '0a73739558d94b13243ee89038eb4e08970c604e0ecda7a31e352c33b6cb11c3',
    );
    expect(sha256(new NumpyRandomState(0n).randn(4 * 64 * 64))).toBe(
      'e9d408c76ee8e46d009d0d9bd881ec1b0a80b8a985fdf1cb2cbb907b58f8ac32',
    );
    expect(sha256(new NumpyRandomState(1234n).randn(4 * 128 * 128))).toBe(
      'baaf9862903f2d5c265acef327a622f50a8fb092eff455163f250595f5a7e8ba',
    );
  });
});

describe('NumpyRandomState statefulness', () => {
  it('randn(3) + randn(3) equals randn(6), including the cached gaussian', () => {
    // rs = np.random.RandomState(7); rs.randn(3); rs.randn(3) -> the same six values as
    // np.random.RandomState(7).randn(6): [1.690525703800356, -0.4659373705408328,
    // 0.0328201636785844, 0.40751628299650783, -0.7889230286257386, 0.00206557290594813]
    const rs = new NumpyRandomState(7n);
    const split = [...rs.randnFloat64(3), ...rs.randnFloat64(3)];
    expect(split).toEqual(Array.from(randn64(7n, 6)));
    expectFloat64(Float64Array.from(split), [
      1.690525703800356, -0.4659373705408328, 0.0328201636785844, 0.40751628299650783,
      -0.7889230286257386, 0.00206557290594813,
    ]);
  });

  it('a second call continues the stream', () => {
    // rs = np.random.RandomState(99); rs.randn(5); rs.randn(3).tolist()
    const rs = new NumpyRandomState(99n);
    rs.randn(5);
    expectFloat64(rs.randnFloat64(3), [-0.06903085913008591, 0.7551804850779186, 0.8256466485126221]);
  });

  it('randn is the float32 rounding of randnFloat64', () => {
    expect(new NumpyRandomState(3n).randn(9)).toEqual(Float32Array.from(randn64(3n, 9)));
  });
});

describe('NumpyRandomState seeds and distribution', () => {
  it('rejects seeds numpy rejects', () => {
    // np.random.RandomState(2**32) -> ValueError: Seed must be between 0 and 2**32 - 1
    expect(() => new NumpyRandomState(2n ** 32n)).toThrow(SeedError);
    expect(() => new NumpyRandomState(2n ** 32n)).toThrow(/2\*\*32 - 1/);
    expect(() => new NumpyRandomState(-1n)).toThrow(SeedError);
  });

  it('is standard normal over 65536 samples (4x128x128)', () => {
    const values = randn64(2024n, 4 * 128 * 128);
    let sum = 0;
    let sumSq = 0;
    for (const v of values) {
      sum += v;
      sumSq += v * v;
    }
    const mean = sum / values.length;
    const std = Math.sqrt(sumSq / values.length - mean * mean);
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(Math.abs(std - 1)).toBeLessThan(0.02);
  });
});

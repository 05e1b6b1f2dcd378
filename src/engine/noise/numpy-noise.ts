/**
 * `numpy.random.RandomState(seed).randn(count)`: the legacy generator (numpy/random/src/legacy,
 * mt19937.c), which every numpy version keeps bit-for-bit stable.
 */
import { Mt19937 } from './mt19937';
import type { NoiseSource } from './noise-source';
import { assertSampleCount } from './sample-count';
import { SeedError } from './seed';

export const NUMPY_MAX_SEED = 0xffffffffn;

export class NumpyRandomState implements NoiseSource {
  private readonly engine: Mt19937;
  /** `has_gauss` / `gauss`: the second value of the last polar pair, kept for the next draw. */
  private hasGauss = false;
  private gauss = 0;

  constructor(seed: bigint) {
    // _legacy_seeding raises "Seed must be between 0 and 2**32 - 1" for anything wider, then
    // seeds with mt19937_seed, which is init_genrand.
    if (seed < 0n || seed > NUMPY_MAX_SEED) {
      throw new SeedError(
        `numpy mode seeds must be between 0 and 2**32 - 1 = ${NUMPY_MAX_SEED} ` +
          `(numpy.random.RandomState accepts only 32-bit seeds); got ${seed}`,
      );
    }
    this.engine = new Mt19937(Number(seed));
  }

  randn(count: number): Float32Array {
    // numpy computes in float64; `.astype(np.float32)` rounds to nearest, as this conversion does.
    return new Float32Array(this.randnFloat64(count));
  }

  /** The exact float64 values numpy returns. */
  randnFloat64(count: number): Float64Array {
    assertSampleCount(count);
    const out = new Float64Array(count);
    for (let i = 0; i < count; i++) out[i] = this.legacyGauss();
    return out;
  }

  /** mt19937_next_double: 27 + 26 bits of two draws, a 53-bit double in [0, 1). */
  private nextDouble(): number {
    const a = this.engine.nextUint32() >>> 5;
    const b = this.engine.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** legacy_gauss: Marsaglia's polar method, returning f * x2 and caching f * x1. */
  private legacyGauss(): number {
    if (this.hasGauss) {
      this.hasGauss = false;
      const cached = this.gauss;
      this.gauss = 0;
      return cached;
    }
    let x1: number;
    let x2: number;
    let r2: number;
    do {
      x1 = 2 * this.nextDouble() - 1;
      x2 = 2 * this.nextDouble() - 1;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1 || r2 === 0);
    const f = Math.sqrt((-2 * Math.log(r2)) / r2);
    this.gauss = f * x1;
    this.hasGauss = true;
    return f * x2;
  }
}

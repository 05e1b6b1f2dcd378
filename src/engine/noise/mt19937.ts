/**
 * MT19937, the 32-bit Mersenne Twister (Matsumoto & Nishimura), as both reference generators use it.
 *
 * PyTorch's CPU generator (`at::mt19937`, seeded with `seed & 0xffffffff`) and numpy's legacy
 * `RandomState(int)` (`mt19937_seed`) both seed it with the classic `init_genrand` recurrence, so one
 * engine serves both modes. numpy's `init_by_array` is only used for array seeds, which the API
 * never passes, so this engine leaves it out.
 *
 * All arithmetic is 32-bit integer arithmetic (`Math.imul`, `>>> 0`) on a Uint32Array: no BigInt,
 * because the noise paths call this once per sample.
 */

const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;

export class Mt19937 {
  private readonly mt = new Uint32Array(N);
  /** Next state word to temper; N means the block is used up and must be regenerated. */
  private index = N;

  /** Seeds with `init_genrand(seed)`; `seed` must be an unsigned 32-bit integer. */
  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new RangeError(`MT19937 seed must be an integer in [0, 2**32 - 1], got ${seed}`);
    }
    const mt = this.mt;
    mt[0] = seed;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      // Uint32Array stores modulo 2^32, which is the `& 0xffffffff` of the reference.
      mt[i] = Math.imul(1812433253, prev) + i;
    }
    // Both references generate the first block lazily on the first draw (torch: left_ = 1;
    // numpy: pos = 624), which is what index = N does.
    this.index = N;
  }

  /** The next tempered 32-bit output, as a non-negative number. */
  nextUint32(): number {
    if (this.index >= N) this.generateBlock();
    let y = this.mt[this.index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** Regenerates all 624 state words at once (the standard "twist"). */
  private generateBlock(): void {
    const mt = this.mt;
    let k = 0;
    for (; k < N - M; k++) {
      const y = (mt[k] & UPPER_MASK) | (mt[k + 1] & LOWER_MASK);
      mt[k] = mt[k + M] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    for (; k < N - 1; k++) {
      const y = (mt[k] & UPPER_MASK) | (mt[k + 1] & LOWER_MASK);
      mt[k] = mt[k + (M - N)] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    const y = (mt[N - 1] & UPPER_MASK) | (mt[0] & LOWER_MASK);
    mt[N - 1] = mt[M - 1] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    this.index = 0;
  }
}

/**
 * Seeds: unsigned 64-bit integers, like `torch.manual_seed` accepts (numpy mode narrows this to 32
 * bits, see create-noise-source.ts). They are handled as `bigint` because 2^64 - 1 does not fit a
 * JS number; only the noise generators turn them into 32-bit words.
 */
import { randomFillSync } from 'node:crypto';

export const MAX_SEED = (1n << 64n) - 1n;

/** A seed that breaks the rules; the message names the rule so API clients can fix the request. */
export class SeedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SeedError';
  }
}

/** Canonical decimal digits: no sign, no leading zeros, no whitespace, at most 20 digits. */
const DECIMAL_SEED = /^(?:0|[1-9][0-9]{0,19})$/;

/**
 * Parses a request's seed: a non-negative safe-integer JSON number, or a decimal string for
 * seeds above 2^53 - 1 (up to 2^64 - 1). A bigint in range is accepted as is.
 */
export function parseSeed(value: unknown): bigint {
  if (typeof value === 'bigint') {
    assertSeedRange(value);
    return value;
  }
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new SeedError(
        `seed must be an integer from 0 to ${Number.MAX_SAFE_INTEGER} when given as a number ` +
          `(got ${String(value)}); pass larger seeds, up to ${MAX_SEED}, as a decimal string`,
      );
    }
    // `-0` passes the checks above and becomes 0n, which is what it means.
    return BigInt(value);
  }
  if (typeof value === 'string') {
    if (!DECIMAL_SEED.test(value)) {
      throw new SeedError(
        `seed string must be a plain decimal integer from 0 to ${MAX_SEED} ` +
          `(digits only, no sign, spaces, leading zeros, fraction or hex); got ${JSON.stringify(value)}`,
      );
    }
    const seed = BigInt(value);
    if (seed > MAX_SEED) {
      throw new SeedError(`seed must be at most 2^64 - 1 = ${MAX_SEED}; got ${value}`);
    }
    return seed;
  }
  throw new SeedError(`seed must be a number or a decimal string; got ${describeType(value)}`);
}

/** Throws unless `seed` is an unsigned 64-bit integer. */
export function assertSeedRange(seed: bigint): void {
  if (seed < 0n || seed > MAX_SEED) {
    throw new SeedError(`seed must be an integer from 0 to 2^64 - 1 = ${MAX_SEED}; got ${seed}`);
  }
}

/**
 * The seed of image `index` in a request seeded with `seed`: seed + index, wrapping at 2^64 like
 * the unsigned 64-bit arithmetic it stands for, so the last seeds of the range stay usable.
 */
export function seedForImage(seed: bigint, index: number): bigint {
  assertSeedRange(seed);
  if (!Number.isSafeInteger(index) || index < 0) {
    throw new RangeError(`image index must be a non-negative integer; got ${index}`);
  }
  return BigInt.asUintN(64, seed + BigInt(index));
}

/** A cryptographically random seed in [0, 2^53 - 1], for requests that do not give one. */
export function randomSeed(): bigint {
  const words = randomFillSync(new Uint32Array(2));
  // 21 high bits + 32 low bits = 53 bits, so the result is at most 2^53 - 1.
  return (BigInt(words[0] & 0x1fffff) << 32n) | BigInt(words[1]);
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}

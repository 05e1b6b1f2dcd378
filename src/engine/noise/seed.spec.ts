import { MAX_SEED, SeedError, parseSeed, randomSeed, seedForImage } from './seed';

describe('parseSeed', () => {
  it.each<[unknown, bigint]>([
    [0, 0n],
    [42, 42n],
    [-0, 0n],
    [Number.MAX_SAFE_INTEGER, 9007199254740991n],
    ['0', 0n],
    ['42', 42n],
    ['9007199254740993', 9007199254740993n], // above 2^53: exact only as a string
    ['18446744073709551615', MAX_SEED],
    [123n, 123n],
  ])('accepts %p', (input, expected) => {
    expect(parseSeed(input)).toBe(expected);
  });

  it.each<[unknown, RegExp]>([
    [-1, /from 0 to/],
    [1.5, /from 0 to/],
    [Number.NaN, /from 0 to/],
    [Number.POSITIVE_INFINITY, /from 0 to/],
    [2 ** 53, /decimal string/], // not a safe integer: may already have been rounded
    ['-1', /no sign/],
    ['+1', /no sign/],
    ['1.5', /fraction/],
    ['1e3', /decimal/],
    ['0x10', /hex/],
    ['', /decimal integer/],
    [' 42', /spaces/],
    ['42 ', /spaces/],
    ['42abc', /decimal integer/],
    ['007', /leading zeros/],
    ['18446744073709551616', /2\^64 - 1/],
    ['999999999999999999999', /decimal integer/],
    [-1n, /2\^64 - 1/],
    [2n ** 64n, /2\^64 - 1/],
    [null, /number or a decimal string/],
    [true, /number or a decimal string/],
    [[1], /number or a decimal string/],
    [{}, /number or a decimal string/],
  ])('rejects %p', (input, message) => {
    expect(() => parseSeed(input)).toThrow(SeedError);
    expect(() => parseSeed(input)).toThrow(message);
  });
});

describe('seedForImage', () => {
  it('adds the image index', () => {
    expect(seedForImage(1000n, 0)).toBe(1000n);
    expect(seedForImage(1000n, 3)).toBe(1003n);
  });

  it('wraps around at 2^64', () => {
    expect(seedForImage(MAX_SEED, 1)).toBe(0n);
    expect(seedForImage(MAX_SEED - 1n, 3)).toBe(1n);
  });

  it('rejects a bad index or seed', () => {
    expect(() => seedForImage(1n, -1)).toThrow(RangeError);
    expect(() => seedForImage(1n, 0.5)).toThrow(RangeError);
    expect(() => seedForImage(-1n, 0)).toThrow(SeedError);
  });
});

describe('randomSeed', () => {
  it('returns seeds that round-trip through a JSON number', () => {
    const seeds = Array.from({ length: 200 }, () => randomSeed());
    for (const seed of seeds) {
      expect(seed >= 0n && seed <= BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
      expect(parseSeed(JSON.parse(JSON.stringify(Number(seed))))).toBe(seed);
    }
    expect(new Set(seeds).size).toBeGreaterThan(190);
  });
});

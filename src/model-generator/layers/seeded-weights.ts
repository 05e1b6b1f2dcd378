/**
 * Deterministic random weights. Each tensor draws from its own stream, keyed by the model seed and
 * the tensor's qualified name, so float16 and float32 variants of a config hold the same values and
 * a change to one layer never shifts the weights of another.
 */
// Bound once: hot loops that look up globals run several times slower inside vm contexts (Jest).
const imul = Math.imul;

export class SeededWeights {
  constructor(private readonly seed: number) {}

  /** `count` values uniform in [-std·√3, std·√3]: mean 0, standard deviation `std`. */
  uniform(name: string, count: number, std: number): Float32Array {
    const next = xoshiro128(hashName(`${this.seed}:${name}`));
    const bound = std * Math.sqrt(3);
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = (next() * 2 - 1) * bound;
    return out;
  }
}

/** FNV-1a, 32-bit. */
function hashName(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** xoshiro128** seeded through splitmix32; returns uniforms in [0, 1) with 32 bits. */
function xoshiro128(seed: number): () => number {
  let state = seed >>> 0;
  const splitmix = (): number => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = imul(z ^ (z >>> 16), 0x85ebca6b);
    z = imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  return () => {
    const result = imul(rotl(imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return result / 4294967296;
  };
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

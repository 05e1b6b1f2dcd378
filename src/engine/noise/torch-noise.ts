/**
 * `torch.manual_seed(seed); torch.randn(count)` on the CPU in float32, reproduced step by step from
 * ATen (CPUGeneratorImpl.cpp, core/DistributionsHelper.h, native/cpu/DistributionTemplates.h).
 */
import { Mt19937 } from './mt19937';
import type { NoiseSource } from './noise-source';
import { assertSampleCount } from './sample-count';
import { assertSeedRange } from './seed';

const TWO_POW_32 = 2 ** 32;
const TWO_POW_M24 = 2 ** -24;
const TWO_POW_M53 = 2 ** -53;
/** `2.0f * c10::pi<double>`: the float literal is promoted, so this is a double. */
const TWO_PI = 2 * Math.PI;
const fround = Math.fround;

export class TorchCpuGenerator implements NoiseSource {
  private readonly engine: Mt19937;
  /**
   * `next_double_normal_sample_` of CPUGeneratorImpl: the sine half of the last Box-Muller pair of
   * the small-tensor path. It lives in the generator, so it survives across randn calls (and is
   * left untouched by the >= 16 path, which never reads or writes it).
   */
  private nextDoubleNormal: number | null = null;

  constructor(seed: bigint) {
    assertSeedRange(seed);
    // at::mt19937(uint64_t seed) -> init_with_uint32: only the low 32 bits seed the engine.
    this.engine = new Mt19937(Number(BigInt.asUintN(32, seed)));
  }

  randn(count: number): Float32Array {
    assertSampleCount(count);
    const out = new Float32Array(count);
    // normal_kernel: contiguous float tensors of >= 16 elements take normal_fill; smaller ones
    // draw double-precision normals one by one and cast each to float.
    if (count >= 16) {
      this.normalFill(out);
    } else {
      for (let i = 0; i < count; i++) out[i] = this.normalDouble();
    }
    return out;
  }

  /** `uniform_real_distribution<float>(0, 1)`: 24 low bits of one 32-bit draw, exact in float. */
  private uniformFloat(): number {
    return (this.engine.nextUint32() & 0xffffff) * TWO_POW_M24;
  }

  /**
   * `uniform_real_distribution<double>(0, 1)`: the low 53 bits of `random64()`, which is
   * `(first draw << 32) | second draw`, times 2^-53.
   */
  private uniformDouble(): number {
    const hi = this.engine.nextUint32();
    const lo = this.engine.nextUint32();
    return ((hi & 0x1fffff) * TWO_POW_32 + lo) * TWO_POW_M53;
  }

  /** `normal_distribution<double>(0, 1)`: Box-Muller in double, caching the sine half. */
  private normalDouble(): number {
    if (this.nextDoubleNormal !== null) {
      const cached = this.nextDoubleNormal;
      this.nextDoubleNormal = null;
      return cached;
    }
    const u1 = this.uniformDouble();
    const u2 = this.uniformDouble();
    // Current ATen uses log1p(-u2); older releases wrote log(1 - u2). After the cast to float the
    // two agree except in vanishingly rare rounding ties.
    const r = Math.sqrt(-2 * Math.log1p(-u2));
    const theta = TWO_PI * u1;
    this.nextDoubleNormal = r * Math.sin(theta);
    return r * Math.cos(theta);
  }

  /**
   * `normal_fill`: fill every element with a float uniform, Box-Muller each full block of 16 in
   * place, and when the size is not a multiple of 16, overwrite the last 16 elements with fresh
   * uniforms and transform them again (so such a call consumes count + 16 draws).
   */
  private normalFill(data: Float32Array): void {
    const size = data.length;
    for (let i = 0; i < size; i++) data[i] = this.uniformFloat();
    for (let i = 0; i + 16 <= size; i += 16) normalFill16(data, i);
    if (size % 16 !== 0) {
      const start = size - 16;
      for (let i = 0; i < 16; i++) data[start + i] = this.uniformFloat();
      normalFill16(data, start);
    }
  }
}

/**
 * `normal_fill_16` in float arithmetic: element j pairs with j + 8. Each float operation of the
 * C++ is a `Math.fround` here (the Float32Array stores do the final rounding); std::log/cos/sin
 * on float are emulated by rounding the double result, which matches to within one float ulp.
 * Builds that take the AVX2 variant use approximate log/sincos and so differ from any scalar
 * implementation in the last bits as well.
 */
function normalFill16(data: Float32Array, offset: number): void {
  for (let j = offset; j < offset + 8; j++) {
    const u1 = 1 - data[j]; // exact in float: data[j] is a multiple of 2^-24 in [0, 1)
    const u2 = data[j + 8];
    const radius = fround(Math.sqrt(fround(-2 * fround(Math.log(u1)))));
    const theta = fround(TWO_PI * u2); // computed in double, stored in a float
    data[j] = radius * fround(Math.cos(theta));
    data[j + 8] = radius * fround(Math.sin(theta));
  }
}

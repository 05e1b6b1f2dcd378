import { RESCALE_GUARD, applyEmphasis } from './emphasis';

describe('applyEmphasis', () => {
  // Two positions of width 2.
  const states = Float32Array.from([1, 3, 2, 2]);

  it('returns the states themselves when every weight is 1', () => {
    for (const mode of ['original', 'no-norm'] as const) expect(applyEmphasis(states, Float32Array.from([1, 1]), 2, mode).states).toBe(states);
  });

  it('no-norm multiplies each position by its weight, in float32', () => {
    const r = applyEmphasis(states, Float32Array.from([1.1, 2]), 2, 'no-norm');
    expect([...r.states]).toEqual([Math.fround(1 * Math.fround(1.1)), Math.fround(3 * Math.fround(1.1)), 4, 4]);
    expect(r.rescale).toBe(1);
  });

  it('original scales the weighted states back to the mean they had', () => {
    const r = applyEmphasis(states, Float32Array.from([1, 2]), 2, 'original');
    // mean before 2, after (1 + 3 + 4 + 4) / 4 = 3: factor 2/3.
    expect(r.rescale).toBe(Math.fround(2 / 3));
    const mean = [...r.states].reduce((a, b) => a + b, 0) / 4;
    expect(mean).toBeCloseTo(2, 6);
    expect(r.rescaleSkipped).toBe(false);
  });

  it('original skips the rescale when a mean is rounding residue against the values (an untrained final LayerNorm)', () => {
    const zeroMean = Float32Array.from([0.8, -0.8, 0.5, -0.5 + 1e-8]);
    const r = applyEmphasis(zeroMean, Float32Array.from([1.4, 1]), 2, 'original');
    expect(r).toMatchObject({ rescale: 1, rescaleSkipped: true });
    expect([...r.states]).toEqual([...applyEmphasis(zeroMean, Float32Array.from([1.4, 1]), 2, 'no-norm').states]);
    // All zero: 0/0 never happens.
    expect(applyEmphasis(new Float32Array(4), Float32Array.from([2, 1]), 2, 'original').rescaleSkipped).toBe(true);
  });

  it('rescales a mean just above the guard', () => {
    // mean |x| = 1, mean = 2 × RESCALE_GUARD: kept.
    const values = Float32Array.from([1 + 4 * RESCALE_GUARD, -1 + 4 * RESCALE_GUARD]);
    const r = applyEmphasis(values, Float32Array.from([1.5]), 2, 'original');
    expect(r.rescaleSkipped).toBe(false);
  });

  it('refuses states and weights of different lengths', () => {
    expect(() => applyEmphasis(states, Float32Array.from([1]), 2, 'original')).toThrow(RangeError);
  });
});

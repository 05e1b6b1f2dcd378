import { SD1_LATENT_RGB, latentPreview } from './latent-preview';

describe('latentPreview', () => {
  it('applies the SD 1.x latent→RGB matrix per latent pixel and maps [-1, 1] to 0..255', () => {
    // Two pixels (1 × 2): pixel 0 is channel 0 = 1, pixel 1 is all zeros.
    const latents = Float32Array.from([1, 0, 0, 0, 0, 0, 0, 0]);
    const preview = latentPreview(latents, [4, 1, 2]);
    expect([preview.width, preview.height]).toEqual([2, 1]);
    const [r, g, b] = SD1_LATENT_RGB[0]!;
    expect(Array.from(preview.data)).toEqual([Math.round((r + 1) * 127.5), Math.round((g + 1) * 127.5), Math.round((b + 1) * 127.5), 128, 128, 128]);
  });

  it('clamps to 0..255 and maps NaN to 0', () => {
    // Three pixels; channel planes c0 = [10, 0, NaN], c3 = [0, 10, 0].
    const latents = Float32Array.from([10, 0, Number.NaN, 0, 0, 0, 0, 0, 0, 0, 10, 0]);
    const preview = latentPreview(latents, [4, 1, 3]);
    expect(Array.from(preview.data)).toEqual([255, 255, 255, 0, 0, 0, 0, 0, 0]);
  });
});

/**
 * A cheap preview of an image being denoised, from latents (no VAE): the usual linear latent → RGB
 * approximation for Stable Diffusion 1.x, one 4×3 matrix per latent pixel, mapped from about
 * [-1, 1] to 0..255. The preview has the latent resolution (1/8 of the image). The worker gives it
 * the step's predicted clean latents (x0, Scheduler.predictedOriginalSample), not the noisy sample,
 * so the first previews already show the design.
 */
import type { PreviewImage } from './protocol';

/** Rows: latent channels 0..3; columns: R, G, B. */
export const SD1_LATENT_RGB: readonly (readonly [number, number, number])[] = [
  [0.298, 0.207, 0.208],
  [0.187, 0.286, 0.173],
  [-0.158, 0.189, 0.264],
  [-0.184, -0.271, -0.473],
];

const round = Math.round;

/** `latents` is [channels, height, width]; channels beyond the matrix's four are ignored. */
export function latentPreview(latents: Float32Array, shape: readonly [number, number, number]): PreviewImage {
  const [channels, height, width] = shape;
  const plane = height * width;
  const data = new Uint8Array(plane * 3);
  const used = channels < SD1_LATENT_RGB.length ? channels : SD1_LATENT_RGB.length;
  for (let p = 0; p < plane; p++) {
    let r = 0;
    let g = 0;
    let b = 0;
    for (let c = 0; c < used; c++) {
      const v = latents[c * plane + p] as number;
      const m = SD1_LATENT_RGB[c] as readonly [number, number, number];
      r += v * m[0];
      g += v * m[1];
      b += v * m[2];
    }
    data[p * 3] = toByte(r);
    data[p * 3 + 1] = toByte(g);
    data[p * 3 + 2] = toByte(b);
  }
  return { width, height, data };
}

/** [-1, 1] → [0, 255], clamped; NaN → 0. */
function toByte(v: number): number {
  const x = (v + 1) * 127.5;
  return x > 0 ? (x < 255 ? round(x) : 255) : 0;
}

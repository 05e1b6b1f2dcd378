/**
 * A partner's product photo, made by the demo generator: a plain red dress (one of the demo's
 * garment layouts) on the studio ground, with its garment mask (1 inside the dress).
 */
import type { RgbImage } from '../../src/engine/pipeline/decode-latents';
import { plainGarmentPhoto } from '../../src/model-generator/demo/garment-layouts';

const RED: readonly [number, number, number] = [200, 32, 45];

export function plainDressPhoto(width: number, height: number): { image: RgbImage; mask: Uint8Array } {
  const { data, mask } = plainGarmentPhoto('dress', RED, width, height);
  return { image: { width, height, data }, mask };
}

import type { RgbImage } from './decode-latents';
import { coverBox, fitInitImage, imageToSample } from './fit-init-image';
import { lanczosResize } from './lanczos-resize';

function image(width: number, height: number, pixel: (x: number, y: number) => [number, number, number]): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set(pixel(x, y), (y * width + x) * 3);
  return { width, height, data };
}

describe('fitInitImage', () => {
  it('uses a photo already at the request size as it is, in both modes', () => {
    const photo = image(64, 96, (x, y) => [x, y, 7]);
    expect(fitInitImage(photo, 64, 96, 'torch')).toBe(photo);
    expect(fitInitImage(photo, 64, 96, 'numpy')).toBe(photo);
  });

  it('covers and centre-crops in torch mode (ImageOps.fit): the crop box keeps the target aspect ratio', () => {
    expect(coverBox(96, 64, 64, 64)).toEqual([16, 0, 80, 64]);
    expect(coverBox(64, 96, 128, 64)).toEqual([0, 32, 64, 64]);
    expect(coverBox(100, 50, 200, 100)).toEqual([0, 0, 100, 50]);
  });

  it('keeps the layout in torch mode and stretches it in numpy mode', () => {
    // Left half red, right half blue, 128 × 64; fitted to 64 × 64.
    const photo = image(128, 64, (x) => (x < 64 ? [255, 0, 0] : [0, 0, 255]));
    const cropped = fitInitImage(photo, 64, 64, 'torch');
    const stretched = fitInitImage(photo, 64, 64, 'numpy');
    // Cropped: the centre 64 columns, so column 0 is red and column 63 is blue at full strength.
    expect(Array.from(cropped.data.subarray(0, 3))).toEqual([255, 0, 0]);
    expect(Array.from(cropped.data.subarray(63 * 3, 64 * 3))).toEqual([0, 0, 255]);
    // Both halves survive the stretch, each now 32 columns wide.
    expect(Array.from(stretched.data.subarray(10 * 3, 11 * 3))).toEqual([255, 0, 0]);
    expect(Array.from(stretched.data.subarray(54 * 3, 55 * 3))).toEqual([0, 0, 255]);
  });

  it('keeps a flat colour flat through the Lanczos resize (weights sum to one)', () => {
    const flat = lanczosResize(image(37, 23, () => [200, 13, 99]), 64, 48);
    for (let i = 0; i < flat.data.length; i += 3) expect(Array.from(flat.data.subarray(i, i + 3))).toEqual([200, 13, 99]);
  });

  it('refuses a box outside the image', () => {
    expect(() => lanczosResize(image(8, 8, () => [0, 0, 0]), 4, 4, [0, 0, 9, 8])).toThrow(RangeError);
  });
});

describe('imageToSample', () => {
  it('maps 0 → -1, 255 → 1 and lays channels out NCHW, in float32', () => {
    const sample = imageToSample(image(2, 1, (x) => (x === 0 ? [0, 255, 51] : [255, 0, 102])));
    expect(Array.from(sample)).toEqual([-1, 1, 1, -1, 2 * Math.fround(51 / 255) - 1, 2 * Math.fround(102 / 255) - 1].map(Math.fround));
  });
});

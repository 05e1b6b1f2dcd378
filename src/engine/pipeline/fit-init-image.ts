/**
 * An image-to-image request's photo, fitted to the request's width × height and made the VAE
 * encoder's input, by the rule of the pipeline each noise mode reproduces:
 *
 * - `torch` (diffusers' StableDiffusionImg2ImgPipeline): a photo already at the request's size is
 *   used as it is (diffusers encodes the photo at its own size); any other is scaled to cover the
 *   size and centre-cropped with one Lanczos resize of the crop box, as Pillow's
 *   `ImageOps` fit to (width, height) with `Image.LANCZOS`, so the layout is kept, never stretched.
 * - `numpy` (diffusers' OnnxStableDiffusionImg2ImgPipeline): stretched to the size with Pillow's
 *   Lanczos (`photo.resize((width, height), Image.LANCZOS)`), as that pipeline resizes to its
 *   floored-to-64 size; a photo already at the size is used as it is.
 */
import type { NoiseMode } from '../noise';
import type { RgbImage } from './decode-latents';
import { lanczosResize, type ResizeBox } from './lanczos-resize';

export function fitInitImage(image: RgbImage, width: number, height: number, mode: NoiseMode): RgbImage {
  if (image.width === width && image.height === height) return image;
  return mode === 'numpy' ? lanczosResize(image, width, height) : lanczosResize(image, width, height, coverBox(image.width, image.height, width, height));
}

/** Pillow's ImageOps.fit crop box (no bleed, centred): the largest centred rectangle of the target's aspect ratio. */
export function coverBox(inWidth: number, inHeight: number, width: number, height: number): ResizeBox {
  const liveRatio = inWidth / inHeight;
  const outRatio = width / height;
  let cropWidth = inWidth;
  let cropHeight = inHeight;
  if (liveRatio !== outRatio) {
    if (liveRatio >= outRatio) cropWidth = outRatio * inHeight;
    else cropHeight = inWidth / outRatio;
  }
  const left = (inWidth - cropWidth) * 0.5;
  const top = (inHeight - cropHeight) * 0.5;
  return [left, top, left + cropWidth, top + cropHeight];
}

/**
 * RGB pixels → the encoder's `sample` values, NCHW [3, H, W]: `x / 255` then `2x − 1`, each in
 * float32 as diffusers' VaeImageProcessor (and the ONNX pipeline's preprocess) compute them.
 */
export function imageToSample(image: RgbImage): Float32Array {
  const plane = image.width * image.height;
  const out = new Float32Array(3 * plane);
  for (let p = 0; p < plane; p++) {
    for (let c = 0; c < 3; c++) {
      const x = Math.fround((image.data[p * 3 + c] as number) / 255);
      out[c * plane + p] = 2 * x - 1;
    }
  }
  return out;
}

/**
 * Preview images as a client receives them: the worker's small raw RGB (x0 through the linear
 * latent → RGB approximation, at latent resolution) encoded to WebP on the main thread. sharp runs
 * in libuv's pool, so encoding never holds the event loop nor the worker's step loop.
 */
import sharp from 'sharp';
import type { PreviewImage } from '../protocol/protocol';

/** The longest side a preview is sent at; larger latents (images over 1024 px) are scaled down, keeping the aspect ratio. */
export const PREVIEW_MAX_SIDE = 128;
/** Small images at this quality weigh a few KB and still show colours and shapes. */
const PREVIEW_WEBP_QUALITY = 70;

/** A preview ready to send: WebP bytes and their size in pixels. */
export interface EncodedPreview {
  readonly mimeType: 'image/webp';
  readonly width: number;
  readonly height: number;
  readonly bytes: Uint8Array;
}

export async function encodePreview(preview: PreviewImage): Promise<EncodedPreview> {
  const { width, height } = preview;
  const scale = Math.min(1, PREVIEW_MAX_SIDE / Math.max(width, height));
  const outWidth = Math.max(1, Math.round(width * scale));
  const outHeight = Math.max(1, Math.round(height * scale));
  let pipeline = sharp(preview.data, { raw: { width, height, channels: 3 } });
  if (scale < 1) pipeline = pipeline.resize(outWidth, outHeight, { fit: 'fill' });
  const bytes = await pipeline.webp({ quality: PREVIEW_WEBP_QUALITY }).toBuffer();
  return { mimeType: 'image/webp', width: outWidth, height: outHeight, bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
}

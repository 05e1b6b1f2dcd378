/** RGB pixels → PNG (with the `parameters` chunk), JPEG or WebP bytes, with sharp (asynchronous, off the main thread). */
import sharp, { type Sharp } from 'sharp';
import { InvalidInputError } from '../errors';
import type { RgbImage } from '../pipeline/decode-latents';
import { addPngTextChunk } from './png-text-chunk';

export const IMAGE_FORMATS = ['png', 'jpeg', 'webp'] as const;
export type ImageFormat = (typeof IMAGE_FORMATS)[number];

export const MIME_TYPES: Readonly<Record<ImageFormat, string>> = { png: 'image/png', jpeg: 'image/jpeg', webp: 'image/webp' };

export interface ImageEncoding {
  readonly format: ImageFormat;
  /** 1..100 for JPEG and WebP; ignored for PNG, which is lossless. */
  readonly quality?: number;
  /** Stored as the PNG `parameters` text chunk, or the EXIF UserComment of JPEG and WebP. */
  readonly parameters?: string;
}

export async function encodeImage(image: RgbImage, encoding: ImageEncoding): Promise<Buffer> {
  const quality = encoding.quality ?? 90;
  if (!Number.isInteger(quality) || quality < 1 || quality > 100) throw new InvalidInputError('quality', `must be an integer from 1 to 100, got ${quality}`);
  const pipeline = sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } });
  switch (encoding.format) {
    case 'png': {
      const png = await pipeline.png({ compressionLevel: 6 }).toBuffer();
      return encoding.parameters === undefined ? png : addPngTextChunk(png, 'parameters', encoding.parameters);
    }
    case 'jpeg':
      return withComment(pipeline, encoding.parameters).jpeg({ quality, mozjpeg: false }).toBuffer();
    case 'webp':
      return withComment(pipeline, encoding.parameters).webp({ quality }).toBuffer();
    default:
      throw new InvalidInputError('format', `must be one of ${IMAGE_FORMATS.join(', ')}, got ${JSON.stringify(encoding.format)}`);
  }
}

function withComment(pipeline: Sharp, parameters: string | undefined): Sharp {
  return parameters === undefined ? pipeline : pipeline.withExif({ IFD2: { UserComment: parameters } });
}

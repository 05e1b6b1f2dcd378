/** A pool preview as the domain's progress events carry it: base64, so every transport can send it as text. */
import type { EncodedPreview } from '../pool';

/** A small image (WebP) of the predicted clean image, on a progress event of a request that asked for previews. */
export interface ProgressPreview {
  readonly mimeType: string;
  readonly width: number;
  readonly height: number;
  readonly base64: string;
}

export function toProgressPreview(preview: EncodedPreview): ProgressPreview {
  const { mimeType, width, height, bytes } = preview;
  return { mimeType, width, height, base64: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64') };
}

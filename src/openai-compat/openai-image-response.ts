/** A finished generation as OpenAI's ImagesResponse: every image as a URL on this server or as base64. */
import type { Request } from 'express';
import { generationImageUrl } from '../common/result-urls';
import type { GenerationRecord } from '../generation/generation-store';
import type { ImageGenerationAsk } from './openai-image-request';
import type { ImagesResponseBody } from './openai.schemas';

/** With b64_json the record must hold its images' bytes (Generations.withImageBytes). */
export function imagesResponse(record: GenerationRecord, ask: ImageGenerationAsk, origin: string): ImagesResponseBody {
  return {
    created: Math.floor(record.createdAt / 1000),
    data: record.images.map((image) =>
      ask.responseFormat === 'b64_json'
        ? { b64_json: image.bytes.toString('base64'), seed: image.seed }
        : { url: `${origin}${generationImageUrl(record.id, image.index)}`, seed: image.seed },
    ),
    background: 'opaque',
    output_format: ask.outputFormat,
    size: `${ask.width}x${ask.height}`,
  };
}

/** A host name or address with an optional port; anything else in Host is not echoed into a URL. */
const HOST = /^([A-Za-z0-9-]{1,63}(\.[A-Za-z0-9-]{1,63})*|\[[0-9A-Fa-f:.]{2,45}\])(:[0-9]{1,5})?$/;

/**
 * `scheme://host` as the client reached this server (behind a proxy, as AFD_TRUST_PROXY lets
 * Express read X-Forwarded-Proto and -Host), since OpenAI's clients expect absolute URLs; '' (URLs
 * relative to this server) when the Host header is absent or not a plain host.
 */
export function requestOrigin(request: Pick<Request, 'protocol' | 'host'>): string {
  const host = request.host;
  return typeof host === 'string' && HOST.test(host) && (request.protocol === 'http' || request.protocol === 'https') ? `${request.protocol}://${host}` : '';
}

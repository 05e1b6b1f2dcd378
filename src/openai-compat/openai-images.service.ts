/**
 * OpenAI's image generations and variations on the native generations: the request becomes a native body and goes
 * to Generations.start (same validation, queue, idempotency and results); a request refused for
 * its OpenAI fields counts as an invalid generation in the metrics, as a native refusal does.
 */
import { Inject, Injectable, Optional } from '@nestjs/common';
import { ApiError, type ErrorCode } from '../common/error-code';
import type { StartedGeneration } from '../generation/generation-backend';
import type { GenerationRecord } from '../generation/generation-store';
import { Generations } from '../generation/generations';
import { MetricsService } from '../observability/metrics/metrics.service';
import { parseImageGenerationRequest, type ImageGenerationAsk } from './openai-image-request';
import { imagesResponse } from './openai-image-response';
import { parseImageVariationRequest } from './openai-variation-request';
import type { ImagesResponseBody } from './openai.schemas';

@Injectable()
export class OpenAiImagesService {
  constructor(
    @Inject(Generations) private readonly generations: Generations,
    @Optional() @Inject(MetricsService) private readonly metrics?: MetricsService,
  ) {}

  async start(body: unknown, clientId: string, idempotencyKey: string | undefined): Promise<{ ask: ImageGenerationAsk } & StartedGeneration> {
    return this.startAsked(() => parseImageGenerationRequest(body), clientId, idempotencyKey);
  }

  /** A variation: image to image on the same path (the image decoded and checked by the native rules, named `image`). */
  async startVariation(fields: unknown, image: Buffer | undefined, clientId: string, idempotencyKey: string | undefined): Promise<{ ask: ImageGenerationAsk } & StartedGeneration> {
    return this.startAsked(() => parseImageVariationRequest(fields, image), clientId, idempotencyKey);
  }

  private async startAsked(parse: () => ImageGenerationAsk, clientId: string, idempotencyKey: string | undefined): Promise<{ ask: ImageGenerationAsk } & StartedGeneration> {
    let ask: ImageGenerationAsk;
    try {
      ask = parse();
    } catch (error) {
      this.metrics?.generationFailed(error);
      throw error;
    }
    return { ask, ...(await this.generations.start(ask.generation, clientId, idempotencyKey)) };
  }

  /** The answer for a generation that has ended: its images as asked, or its error (in OpenAI's shape, by the error face). */
  async answer(finished: GenerationRecord, ask: ImageGenerationAsk, origin: string): Promise<ImagesResponseBody> {
    if (finished.error) throw new ApiError(finished.error.code as ErrorCode, finished.error.message, { id: finished.id });
    const record = ask.responseFormat === 'b64_json' ? await this.generations.withImageBytes(finished) : finished;
    return imagesResponse(record, ask, origin);
  }
}

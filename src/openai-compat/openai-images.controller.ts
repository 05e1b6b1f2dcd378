import { Body, Controller, Headers, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentPrincipal, RateLimit } from '../auth/access.decorators';
import { viewerOf, type Principal } from '../auth/api-keys';
import { ApiError, type ErrorCode } from '../common/error-code';
import { awaitWhileConnected } from '../generation/await-while-connected';
import { Generations } from '../generation/generations';
import { parseImageGenerationRequest } from './openai-image-request';
import { imagesResponse, requestOrigin } from './openai-image-response';
import type { ImagesResponseBody } from './openai.schemas';

/** OpenAI's Images API over the native generations: same queue, limits, metrics and results. */
@ApiTags('openai')
@Controller('v1/images')
export class OpenAiImagesController {
  constructor(@Inject(Generations) private readonly generations: Generations) {}

  /** Synchronous, as OpenAI's is: answers once the images exist; a client that goes away cancels the work. */
  @Post('generations')
  @HttpCode(200)
  @RateLimit('generations')
  async generate(
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ImagesResponseBody> {
    const ask = parseImageGenerationRequest(body);
    const { record, done } = await this.generations.start(ask.generation, principal.clientId, idempotencyKey);
    const finished = await awaitWhileConnected(response, done, () => {
      if (idempotencyKey === undefined) void this.generations.cancel(record.id, viewerOf(principal)).catch(() => undefined);
    });
    if (finished.error) throw new ApiError(finished.error.code as ErrorCode, finished.error.message, { id: finished.id });
    const withBytes = ask.responseFormat === 'b64_json' ? await this.generations.withImageBytes(finished) : finished;
    return imagesResponse(withBytes, ask, requestOrigin(request));
  }
}

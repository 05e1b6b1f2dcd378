import { Body, Controller, Headers, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentPrincipal, RateLimit } from '../auth/access.decorators';
import { viewerOf, type Principal } from '../auth/api-keys';
import { awaitWhileConnected } from '../generation/await-while-connected';
import { Generations } from '../generation/generations';
import { requestOrigin } from './openai-image-response';
import { OpenAiImagesService } from './openai-images.service';
import type { ImagesResponseBody } from './openai.schemas';

/** OpenAI's Images API over the native generations: same queue, limits, metrics and results. */
@ApiTags('openai')
@Controller('v1/images')
export class OpenAiImagesController {
  constructor(
    @Inject(OpenAiImagesService) private readonly images: OpenAiImagesService,
    @Inject(Generations) private readonly generations: Generations,
  ) {}

  /**
   * Synchronous, as OpenAI's is: answers once the images exist. A client that goes away (the SDK's
   * timeout included) cancels the work, unless its Idempotency-Key says it will come back for it.
   */
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
    const { ask, record, done } = await this.images.start(body, principal.clientId, idempotencyKey);
    const finished = await awaitWhileConnected(response, done, () => {
      if (idempotencyKey === undefined) void this.generations.cancel(record.id, viewerOf(principal)).catch(() => undefined);
    });
    return this.images.answer(finished, ask, requestOrigin(request));
  }
}

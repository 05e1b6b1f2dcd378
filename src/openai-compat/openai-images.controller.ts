import { Body, Controller, Headers, HttpCode, Inject, Post, Req, Res, UploadedFiles, UseInterceptors } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentPrincipal, RateLimit } from '../auth/access.decorators';
import { viewerOf, type Principal } from '../auth/api-keys';
import { awaitWhileConnected } from '../generation/await-while-connected';
import { Generations } from '../generation/generations';
import { requestOrigin } from './openai-image-response';
import { OpenAiImagesService } from './openai-images.service';
import { imageUploadInterceptor, type ImageUploadShape, type UploadedImageFiles } from '../transports/rest/image-upload';
import { openAiInvalid } from './openai-errors';
import { IMAGE_VARIATION_TEXT_FIELDS, VARIATION_IMAGE_FIELD, type ImagesResponseBody } from './openai.schemas';

/** multer's shape for a variation: the one file part, and at most one text part per field. */
const VARIATION_UPLOAD: ImageUploadShape = { kind: 'variation', fileFields: [VARIATION_IMAGE_FIELD], textFields: IMAGE_VARIATION_TEXT_FIELDS };

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

  /**
   * OpenAI's variations as image to image: multipart/form-data with the picture as the `image` file
   * part and each field as a text part, as OpenAI's SDKs send it. Answers as generations does.
   */
  @Post('variations')
  @HttpCode(200)
  @RateLimit('generations')
  @UseInterceptors(imageUploadInterceptor(VARIATION_UPLOAD))
  async vary(
    @Body() fields: unknown,
    @UploadedFiles() files: UploadedImageFiles | undefined,
    @CurrentPrincipal() principal: Principal,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ImagesResponseBody> {
    if (!request.is('multipart/form-data')) {
      throw openAiInvalid('body', `must be multipart/form-data with the picture as the ${VARIATION_IMAGE_FIELD} file part (as OpenAI's SDKs send it), got ${request.headers['content-type'] ?? 'no Content-Type'}`, undefined, 'invalid_type');
    }
    const image = files?.[VARIATION_IMAGE_FIELD]?.[0]?.buffer;
    const { ask, record, done } = await this.images.startVariation(fields, image, principal.clientId, idempotencyKey);
    const finished = await awaitWhileConnected(response, done, () => {
      if (idempotencyKey === undefined) void this.generations.cancel(record.id, viewerOf(principal)).catch(() => undefined);
    });
    return this.images.answer(finished, ask, requestOrigin(request));
  }
}

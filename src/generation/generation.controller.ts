import { Body, Controller, Delete, Get, Headers, HttpCode, Inject, Param, Post, Query, Req, Res, StreamableFile, UploadedFiles, UseInterceptors } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentPrincipal, RateLimit } from '../auth/access.decorators';
import { viewerOf, type Principal } from '../auth/api-keys';
import { ApiError, type ErrorCode } from '../common/error-code';
import { generationUrl } from '../common/result-urls';
import type { GenerationView } from './generation.service';
import { awaitWhileConnected } from './await-while-connected';
import { generationAnswer } from './generation-answer';
import { streamServerSentEvents } from './server-sent-events';
import { Generations } from './generations';
import { bodyFromMultipart, imageUploadInterceptor, type UploadedImageFiles } from '../transports/rest/image-upload';
import { GENERATION_UPLOAD } from './generation.schemas';

@ApiTags('generations')
@Controller('v1/generations')
export class GenerationController {
  constructor(@Inject(Generations) private readonly generations: Generations) {}

  /**
   * Synchronous by default; `Prefer: respond-async` answers 202 with the job's location. `Accept` is
   * settled before any work is queued (406 when nothing acceptable can be produced), and a
   * synchronous generation whose client goes away is cancelled, as gRPC's Generate is. A JSON body,
   * or multipart/form-data with the init image as a file part (see image-upload.ts).
   */
  @Post()
  @RateLimit('generations')
  @UseInterceptors(imageUploadInterceptor(GENERATION_UPLOAD))
  async create(
    @Req() request: Request,
    @Body() json: unknown,
    @UploadedFiles() files: UploadedImageFiles | undefined,
    @CurrentPrincipal() principal: Principal,
    @Headers('prefer') prefer: string | undefined,
    @Headers('accept') accept: string | undefined,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Query('base64') base64: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<GenerationView | StreamableFile> {
    const body = request.is('multipart/form-data') ? bodyFromMultipart(json, files, GENERATION_UPLOAD) : json;
    const answer = generationAnswer(accept, body);
    const { record, done } = await this.generations.start(body, principal.clientId, idempotencyKey);
    if (prefer?.includes('respond-async')) {
      response.status(202).setHeader('Location', generationUrl(record.id));
      return await this.generations.view(record, false);
    }
    // With an Idempotency-Key the client means to come back for the result: a retry must find it, not a cancelled job.
    const finished = await awaitWhileConnected(response, done, () => {
      if (idempotencyKey === undefined) void this.generations.cancel(record.id, viewerOf(principal)).catch(() => undefined);
    });
    const first = finished.images[0];
    if (answer === 'image' && finished.status === 'succeeded' && finished.images.length === 1 && first) {
      response.status(200);
      return new StreamableFile(first.bytes, { type: first.mimeType, length: first.bytes.length });
    }
    response.status(201).setHeader('Location', generationUrl(finished.id));
    if (finished.error) throw new ApiError(finished.error.code as ErrorCode, finished.error.message, { id: finished.id });
    return await this.generations.view(finished, base64 === 'true');
  }

  @Get(':id')
  async get(@Param('id') id: string, @Query('base64') base64: string | undefined, @CurrentPrincipal() principal: Principal): Promise<GenerationView> {
    return this.generations.view(await this.generations.get(id, viewerOf(principal)), base64 === 'true');
  }

  /**
   * Server-sent events: the current progress at once, a `progress` event per step, then `done`. A
   * client that does not read is sent the latest progress once its socket drains, not every step.
   * Counts against the client's open streams (429 past AFD_MAX_STREAMS_PER_CLIENT).
   */
  @Get(':id/events')
  async events(@Param('id') id: string, @Res() response: Response, @CurrentPrincipal() principal: Principal): Promise<void> {
    const slot = this.generations.openStream(principal.clientId);
    await streamServerSentEvents(response, slot, (sink) => this.generations.subscribe(id, sink, viewerOf(principal)));
  }

  @Delete(':id')
  @HttpCode(202)
  async cancel(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<GenerationView> {
    return this.generations.view(await this.generations.cancel(id, viewerOf(principal)), false);
  }

  @Get(':id/images/:index')
  async image(@Param('id') id: string, @Param('index') index: string, @CurrentPrincipal() principal: Principal): Promise<StreamableFile> {
    const image = await this.generations.image(id, index, viewerOf(principal));
    return new StreamableFile(image.bytes, { type: image.mimeType, length: image.bytes.length });
  }
}

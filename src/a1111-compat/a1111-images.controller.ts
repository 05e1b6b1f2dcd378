import { Body, Controller, HttpCode, Inject, Post, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentPrincipal, RateLimit } from '../auth/access.decorators';
import { viewerOf, type Principal } from '../auth/api-keys';
import { awaitWhileConnected } from '../generation/await-while-connected';
import { Generations } from '../generation/generations';
import { A1111ImagesService } from './a1111-images.service';
import type { A1111Route } from './a1111-request';
import type { A1111ImagesBody } from './a1111-response';

/** The web UI's txt2img and img2img over the native generations: same queue, limits, metrics and images. */
@ApiTags('a1111')
@Controller('sdapi/v1')
export class A1111ImagesController {
  constructor(
    @Inject(A1111ImagesService) private readonly images: A1111ImagesService,
    @Inject(Generations) private readonly generations: Generations,
  ) {}

  @Post('txt2img')
  @HttpCode(200)
  @RateLimit('generations')
  txt2img(@Body() body: unknown, @CurrentPrincipal() principal: Principal, @Res({ passthrough: true }) response: Response): Promise<A1111ImagesBody> {
    return this.generate('txt2img', body, principal, response);
  }

  @Post('img2img')
  @HttpCode(200)
  @RateLimit('generations')
  img2img(@Body() body: unknown, @CurrentPrincipal() principal: Principal, @Res({ passthrough: true }) response: Response): Promise<A1111ImagesBody> {
    return this.generate('img2img', body, principal, response);
  }

  /** Synchronous, as the web UI's are; a client that goes away cancels the work (nobody would read it). */
  private async generate(route: A1111Route, body: unknown, principal: Principal, response: Response): Promise<A1111ImagesBody> {
    const { ask, record, done } = await this.images.start(route, body, principal.clientId);
    const finished = await awaitWhileConnected(response, done, () => void this.generations.cancel(record.id, viewerOf(principal)).catch(() => undefined));
    return this.images.answer(finished, ask);
  }
}

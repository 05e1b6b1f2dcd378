import { Body, Controller, Get, Headers, Inject, Param, Post, Query, Req, Res, StreamableFile, UploadedFiles, UseInterceptors } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentPrincipal, RateLimit } from '../auth/access.decorators';
import { viewerOf, type Principal } from '../auth/api-keys';
import { comparisonUrl } from '../common/result-urls';
import { bodyFromMultipart, imageUploadInterceptor, type UploadedImageFiles } from '../transports/rest/image-upload';
import { COMPARISON_UPLOAD } from './comparison.schemas';
import { streamServerSentEvents } from '../generation/server-sent-events';
import { ComparisonsService, type ComparisonEvent, type ComparisonPage, type ComparisonView } from './comparisons.service';

@ApiTags('comparisons')
@Controller('v1/comparisons')
export class ComparisonsController {
  constructor(@Inject(ComparisonsService) private readonly comparisons: ComparisonsService) {}

  /**
   * Runs every prompt on every checkpoint with one seed; answers when the grid is ready, or at once
   * (202 with its location) under `Prefer: respond-async` (its document: comparison.openapi.ts).
   */
  @Post()
  @RateLimit('generations')
  @UseInterceptors(imageUploadInterceptor(COMPARISON_UPLOAD))
  async create(
    @Req() request: Request,
    @CurrentPrincipal() principal: Principal,
    @Body() body: unknown,
    @UploadedFiles() files: UploadedImageFiles | undefined,
    @Headers('prefer') prefer: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ComparisonView> {
    const input = request.is('multipart/form-data') ? bodyFromMultipart(body, files, COMPARISON_UPLOAD) : body;
    const started = await this.comparisons.start(input, principal.clientId);
    if (prefer?.includes('respond-async')) {
      response.status(202).setHeader('Location', comparisonUrl(started.id));
      return this.comparisons.state(started.id, viewerOf(principal));
    }
    const record = await started.done;
    response.status(201).setHeader('Location', comparisonUrl(record.id));
    return this.comparisons.view(record);
  }

  /** The caller's kept comparisons, newest first, a page at a time (a read, rate-limited as one). */
  @Get()
  list(@Query('limit') limit: unknown, @Query('cursor') cursor: unknown, @CurrentPrincipal() principal: Principal): ComparisonPage {
    return this.comparisons.list({ limit, cursor }, viewerOf(principal));
  }

  @Get(':id')
  get(@Param('id') id: string, @CurrentPrincipal() principal: Principal): ComparisonView {
    return this.comparisons.state(id, viewerOf(principal));
  }

  /**
   * Server-sent events: a `cell` event per step of each cell (the latest only for a client that
   * reads slower than the steps come), then `done`. Counts against the client's open streams.
   */
  @Get(':id/events')
  async events(@Param('id') id: string, @Res() response: Response, @CurrentPrincipal() principal: Principal): Promise<void> {
    const slot = this.comparisons.openStream(principal.clientId);
    await streamServerSentEvents<ComparisonEvent>(response, slot, (sink) => this.comparisons.subscribe(id, sink, viewerOf(principal)));
  }

  @Get(':id/grid')
  grid(@Param('id') id: string, @CurrentPrincipal() principal: Principal): StreamableFile {
    return png(this.comparisons.grid(id, viewerOf(principal)));
  }

  @Get(':id/cells/:row/:column')
  cell(@Param('id') id: string, @Param('row') row: string, @Param('column') column: string, @CurrentPrincipal() principal: Principal): StreamableFile {
    return png(this.comparisons.cell(id, row, column, viewerOf(principal)));
  }
}

function png(bytes: Buffer): StreamableFile {
  return new StreamableFile(bytes, { type: 'image/png', length: bytes.length });
}

import { Body, Controller, Get, Inject, Param, Post, Req, Res, StreamableFile, UploadedFile, UseInterceptors } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentPrincipal, RateLimit } from '../auth/access.decorators';
import { viewerOf, type Principal } from '../auth/api-keys';
import { comparisonUrl } from '../common/result-urls';
import { comparisonBodyFromMultipart, ComparisonUploadInterceptor, type UploadedImageFile } from './comparison-upload';
import { ComparisonsService, type ComparisonView } from './comparisons.service';

@ApiTags('comparisons')
@Controller('v1/comparisons')
export class ComparisonsController {
  constructor(@Inject(ComparisonsService) private readonly comparisons: ComparisonsService) {}

  /** Runs every prompt on every checkpoint with one seed; answers when the grid is ready (its document: comparison.openapi.ts). */
  @Post()
  @RateLimit('generations')
  @UseInterceptors(ComparisonUploadInterceptor)
  async create(
    @Req() request: Request,
    @CurrentPrincipal() principal: Principal,
    @Body() body: unknown,
    @UploadedFile() file: UploadedImageFile | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ComparisonView> {
    const input = request.is('multipart/form-data') ? comparisonBodyFromMultipart(body, file) : body;
    const record = await this.comparisons.create(input, principal.clientId);
    response.status(201).setHeader('Location', comparisonUrl(record.id));
    return this.comparisons.view(record);
  }

  @Get(':id')
  get(@Param('id') id: string, @CurrentPrincipal() principal: Principal): ComparisonView {
    return this.comparisons.view(this.comparisons.get(id, viewerOf(principal)));
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

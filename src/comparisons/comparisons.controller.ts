import { Body, Controller, Get, Inject, Param, Post, Res, StreamableFile } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ComparisonsService, type ComparisonView } from './comparisons.service';

@ApiTags('comparisons')
@Controller('v1/comparisons')
export class ComparisonsController {
  constructor(@Inject(ComparisonsService) private readonly comparisons: ComparisonsService) {}

  /** Runs every prompt on every checkpoint with one seed; answers when the grid is ready. */
  @Post()
  async create(@Body() body: unknown, @Res({ passthrough: true }) response: Response): Promise<ComparisonView> {
    const record = await this.comparisons.create(body, 'anonymous');
    response.status(201).setHeader('Location', `/v1/comparisons/${record.id}`);
    return this.comparisons.view(record);
  }

  @Get(':id')
  get(@Param('id') id: string): ComparisonView {
    return this.comparisons.view(this.comparisons.get(id));
  }

  @Get(':id/grid')
  grid(@Param('id') id: string): StreamableFile {
    return png(this.comparisons.grid(id));
  }

  @Get(':id/cells/:row/:column')
  cell(@Param('id') id: string, @Param('row') row: string, @Param('column') column: string): StreamableFile {
    return png(this.comparisons.cell(id, row, column));
  }
}

function png(bytes: Buffer): StreamableFile {
  return new StreamableFile(bytes, { type: 'image/png', length: bytes.length });
}

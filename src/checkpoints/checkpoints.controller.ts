import { Controller, Get, Inject, Param } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CheckpointsService, type CheckpointView } from './checkpoints.service';

@ApiTags('checkpoints')
@Controller('v1/checkpoints')
export class CheckpointsController {
  constructor(@Inject(CheckpointsService) private readonly checkpoints: CheckpointsService) {}

  @Get()
  async list(): Promise<{ checkpoints: CheckpointView[] }> {
    return { checkpoints: await this.checkpoints.list() };
  }

  @Get(':id')
  get(@Param('id') id: string): Promise<CheckpointView> {
    return this.checkpoints.get(id);
  }
}

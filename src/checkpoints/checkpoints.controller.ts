import { Body, Controller, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { RequireRole } from '../auth/access.decorators';
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

  /** Administrators: load a checkpoint now (optionally `{ "device": "cuda:1" }`); answers once it is resident. */
  @Post(':id/load')
  @HttpCode(200)
  @RequireRole('admin')
  load(@Param('id') id: string, @Body() body: unknown): Promise<CheckpointView> {
    return this.checkpoints.load(id, deviceOf(body));
  }

  /** Administrators: unload a checkpoint from one device or all; its running jobs finish first. */
  @Post(':id/unload')
  @HttpCode(200)
  @RequireRole('admin')
  unload(@Param('id') id: string, @Body() body: unknown): Promise<CheckpointView> {
    return this.checkpoints.unload(id, deviceOf(body));
  }
}

function deviceOf(body: unknown): unknown {
  return body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>)['device'] : undefined;
}

import { Controller, Get, Inject, Param } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { OpenAiModelsService } from './openai-models.service';
import type { OpenAiModelBody, OpenAiModelListBody } from './openai.schemas';

/** OpenAI's model listing: the checkpoints, by the ids `model` takes. */
@ApiTags('openai')
@Controller('v1/models')
export class OpenAiModelsController {
  constructor(@Inject(OpenAiModelsService) private readonly models: OpenAiModelsService) {}

  @Get()
  list(): OpenAiModelListBody {
    return { object: 'list', data: this.models.list() };
  }

  @Get(':id')
  get(@Param('id') id: string): OpenAiModelBody {
    return this.models.get(id);
  }
}

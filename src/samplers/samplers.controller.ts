import { Controller, Get, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { SamplerView } from './sampler.schemas';
import { SamplersService } from './samplers.service';

@ApiTags('samplers')
@Controller('v1/samplers')
export class SamplersController {
  constructor(@Inject(SamplersService) private readonly samplers: SamplersService) {}

  @Get()
  list(): { samplers: SamplerView[] } {
    return { samplers: this.samplers.list() };
  }
}

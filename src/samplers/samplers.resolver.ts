import { Inject } from '@nestjs/common';
import { Query, Resolver } from '@nestjs/graphql';
import { SchedulerEnum } from '../transports/graphql/enums';
import { SamplerModel } from './sampler.model';
import { SamplersService } from './samplers.service';

@Resolver(() => SamplerModel)
export class SamplersResolver {
  constructor(@Inject(SamplersService) private readonly service: SamplersService) {}

  @Query(() => [SamplerModel], { description: 'Every sampler GenerateInput.scheduler takes' })
  samplers(): SamplerModel[] {
    return this.service.list().map((s) => ({ ...s, id: s.id as SchedulerEnum }));
  }
}

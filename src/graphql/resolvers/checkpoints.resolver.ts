import { Inject } from '@nestjs/common';
import { Args, ID, Query, Resolver } from '@nestjs/graphql';
import { CheckpointsService, type CheckpointView } from '../../checkpoints/checkpoints.service';
import { CheckpointModel } from '../types/checkpoint.model';

@Resolver(() => CheckpointModel)
export class CheckpointsResolver {
  constructor(@Inject(CheckpointsService) private readonly service: CheckpointsService) {}

  @Query(() => [CheckpointModel], { description: 'Every checkpoint in the registry, in registry order' })
  async checkpoints(): Promise<CheckpointModel[]> {
    return (await this.service.list()).map(checkpointModel);
  }

  @Query(() => CheckpointModel)
  async checkpoint(@Args('id', { type: () => ID }) id: string): Promise<CheckpointModel> {
    return checkpointModel(await this.service.get(id));
  }
}

export function checkpointModel(view: CheckpointView): CheckpointModel {
  const { default: isDefault, residentOn, ...rest } = view;
  return { ...rest, isDefault, residentOn: [...residentOn] };
}

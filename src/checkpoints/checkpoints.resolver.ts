import { Inject } from '@nestjs/common';
import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { RequireRole } from '../auth/access.decorators';
import { CheckpointsService, type CheckpointView } from './checkpoints.service';
import { CheckpointModel } from './checkpoint.model';

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

  @Mutation(() => CheckpointModel, { description: 'Administrators: load a checkpoint now (on a device, or where the pool chooses)' })
  @RequireRole('admin')
  async loadCheckpoint(@Args('id', { type: () => ID }) id: string, @Args('device', { type: () => String, nullable: true }) device: string | null): Promise<CheckpointModel> {
    return checkpointModel(await this.service.load(id, device));
  }

  @Mutation(() => CheckpointModel, { description: 'Administrators: unload a checkpoint from one device or all; its running jobs finish first' })
  @RequireRole('admin')
  async unloadCheckpoint(@Args('id', { type: () => ID }) id: string, @Args('device', { type: () => String, nullable: true }) device: string | null): Promise<CheckpointModel> {
    return checkpointModel(await this.service.unload(id, device));
  }
}

export function checkpointModel(view: CheckpointView): CheckpointModel {
  const { default: isDefault, residentOn, ...rest } = view;
  return { ...rest, isDefault, residentOn: [...residentOn] };
}

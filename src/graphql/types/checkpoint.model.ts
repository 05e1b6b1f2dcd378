import { Field, Float, ID, Int, ObjectType } from '@nestjs/graphql';

@ObjectType('Checkpoint', { description: 'A servable checkpoint from the registry, with where it is loaded' })
export class CheckpointModel {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  label!: string;

  @Field(() => String)
  baseModel!: string;

  @Field(() => Int, { description: 'Fine-tuning steps (0 for the baseline)' })
  trainingStep!: number;

  @Field(() => Boolean, { description: 'Used when a request names no checkpoint' })
  isDefault!: boolean;

  @Field(() => Boolean, { description: 'Kept loaded, never evicted' })
  pinned!: boolean;

  @Field(() => String, { description: 'Content hash of the UNet weights' })
  unetHash!: string;

  @Field(() => [String], { description: 'Devices where it is loaded now' })
  residentOn!: string[];

  @Field(() => Float, { description: 'Bytes of all its components' })
  bytes!: number;
}

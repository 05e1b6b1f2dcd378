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

  @Field(() => Float, {
    nullable: true,
    description:
      'Memory its components were measured to take resident (their sessions, at load; on CPU the growth of the resident set, never less than their files), the most over the devices that loaded it all; the memory budget charges this. null until it has been loaded',
  })
  measuredBytes!: number | null;

  @Field(() => String, { description: '"available", or "unavailable": broken (see error), listed but not served' })
  status!: 'available' | 'unavailable';

  @Field(() => String, { nullable: true, description: 'Why it is unavailable, naming the file (e.g. "tokenizer/vocab.json: invalid JSON (...)"); null when available' })
  error!: string | null;

  @Field(() => Int, { description: 'Widths and heights must be multiples of this (64 for a real SD 1.x export: its UNet halves the latents 3 times and up-samples by fixed factors)' })
  sizeMultiple!: number;
}

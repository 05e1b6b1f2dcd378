import { Field, Int, ObjectType } from '@nestjs/graphql';
import { SchedulerEnum } from '../transports/graphql/enums';

@ObjectType('Sampler', { description: "A sampler a generation's scheduler field takes, with AUTOMATIC1111's names for it" })
export class SamplerModel {
  @Field(() => SchedulerEnum, { description: 'The value of GenerateInput.scheduler' })
  id!: SchedulerEnum;

  @Field(() => String, { description: 'The diffusers scheduler class it reproduces' })
  className!: string;

  @Field(() => [String], { description: "AUTOMATIC1111's names for it (REST and gRPC accept them as the scheduler)" })
  a1111Names!: string[];

  @Field(() => [String], { description: 'Other display names REST and gRPC accept' })
  aliases!: string[];

  @Field(() => Int, { description: "The solver's order" })
  order!: number;

  @Field(() => Int, { description: 'UNet calls per step: 2 for Heun and DPM2 (2N − 1 for N steps)' })
  unetEvaluationsPerStep!: number;

  @Field(() => Boolean, { description: 'Draws fresh noise from the seed at every step' })
  stochastic!: boolean;

  @Field(() => Boolean, { description: 'Uses Karras sigmas whatever the model config says' })
  karras!: boolean;
}

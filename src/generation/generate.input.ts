import { Field, Float, InputType, Int } from '@nestjs/graphql';
import { ImageFormatEnum, NoiseModeEnum, SchedulerEnum } from '../transports/graphql/enums';
import { PromptAttributesInput } from '../prompts/prompt-attributes.input';
import { SeedScalar } from '../transports/graphql/seed.scalar';

/** The same fields as POST /v1/generations; omitted fields take the same defaults. */
@InputType('GenerateInput')
export class GenerateInput {
  @Field(() => String, { nullable: true, description: 'The text prompt (or give attributes)' })
  prompt?: string | null;

  @Field(() => PromptAttributesInput, { nullable: true, description: "Fashion attributes, rendered by the checkpoint's prompt template" })
  attributes?: PromptAttributesInput | null;

  @Field(() => String, { nullable: true })
  negativePrompt?: string | null;

  @Field(() => String, { nullable: true, description: "Checkpoint id; the registry's default when omitted" })
  checkpoint?: string | null;

  @Field(() => SeedScalar, { nullable: true, description: 'Random when omitted; image i uses seed + i' })
  seed?: string | number | null;

  @Field(() => Int, { nullable: true })
  steps?: number | null;

  @Field(() => Float, { nullable: true })
  guidanceScale?: number | null;

  @Field(() => Int, { nullable: true, description: 'Pixels, a multiple of 8' })
  width?: number | null;

  @Field(() => Int, { nullable: true, description: 'Pixels, a multiple of 8' })
  height?: number | null;

  @Field(() => SchedulerEnum, { nullable: true })
  scheduler?: SchedulerEnum | null;

  @Field(() => NoiseModeEnum, { nullable: true })
  noiseMode?: NoiseModeEnum | null;

  @Field(() => Int, { nullable: true })
  numImages?: number | null;

  @Field(() => Float, { nullable: true, description: "DDIM's eta" })
  eta?: number | null;

  @Field(() => ImageFormatEnum, { nullable: true })
  outputFormat?: ImageFormatEnum | null;

  @Field(() => Int, { nullable: true, description: 'JPEG and WebP quality, 1 to 100' })
  quality?: number | null;
}

@InputType('CompareInput', { description: 'Every prompt on every checkpoint with one seed (the same initial latents in every cell)' })
export class CompareInput {
  @Field(() => [String], { description: '1 to 4 prompts, one row each' })
  prompts!: string[];

  @Field(() => [String], { nullable: true, description: 'Checkpoint ids, one column each; every checkpoint when omitted' })
  checkpoints?: string[] | null;

  @Field(() => SeedScalar, { nullable: true })
  seed?: string | number | null;

  @Field(() => Int, { nullable: true })
  steps?: number | null;

  @Field(() => Float, { nullable: true })
  guidanceScale?: number | null;

  @Field(() => Int, { nullable: true })
  width?: number | null;

  @Field(() => Int, { nullable: true })
  height?: number | null;

  @Field(() => SchedulerEnum, { nullable: true })
  scheduler?: SchedulerEnum | null;

  @Field(() => String, { nullable: true })
  negativePrompt?: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      'An optional reference image shown as the grid\'s first column ("Reference") in every row: base64 or a data URL (data:image/png;base64,...); ' +
      'PNG, JPEG or WebP, at most 8 MiB and 4096 × 4096 pixels, metadata dropped, scaled to cover the cell size. The request body limit ' +
      '(AFD_BODY_LIMIT_KB) applies; larger images go through REST multipart. Cells keep numbering the checkpoint columns from 0.',
  })
  referenceImageBase64?: string | null;
}

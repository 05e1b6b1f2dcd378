import { Field, Float, InputType, Int } from '@nestjs/graphql';
import { EmphasisEnum, ImageFormatEnum, NoiseModeEnum, SchedulerEnum } from '../transports/graphql/enums';
import { PromptAttributesInput } from '../prompts/prompt-attributes.input';
import { SeedScalar } from '../transports/graphql/seed.scalar';
import { describeGenerationField } from './generation.schemas';

/** The image settings generations and comparisons share, described by the generation schema. */
@InputType({ isAbstract: true })
abstract class ImageSettingsInput {
  @Field(() => String, { nullable: true, description: describeGenerationField('negativePrompt') })
  negativePrompt?: string | null;

  @Field(() => SeedScalar, { nullable: true, description: describeGenerationField('seed') })
  seed?: string | number | null;

  @Field(() => Int, { nullable: true, description: describeGenerationField('steps') })
  steps?: number | null;

  @Field(() => Float, { nullable: true, description: describeGenerationField('guidanceScale') })
  guidanceScale?: number | null;

  @Field(() => Int, { nullable: true, description: describeGenerationField('width') })
  width?: number | null;

  @Field(() => Int, { nullable: true, description: describeGenerationField('height') })
  height?: number | null;

  @Field(() => SchedulerEnum, { nullable: true, description: describeGenerationField('scheduler') })
  scheduler?: SchedulerEnum | null;

  @Field(() => Boolean, { nullable: true, description: describeGenerationField('preview') })
  preview?: boolean | null;

  @Field(() => Int, { nullable: true, description: describeGenerationField('previewInterval') })
  previewInterval?: number | null;

  @Field(() => String, { nullable: true, description: describeGenerationField('initImage') })
  initImage?: string | null;

  @Field(() => Float, { nullable: true, description: describeGenerationField('strength') })
  strength?: number | null;
}

/**
 * The same fields as POST /v1/generations, described by its schema (generation.schemas.ts); omitted
 * fields take the same defaults. test/contract-parity.e2e-spec.ts checks the two stay alike.
 */
@InputType('GenerateInput')
export class GenerateInput extends ImageSettingsInput {
  @Field(() => String, { nullable: true, description: describeGenerationField('prompt') })
  prompt?: string | null;

  @Field(() => PromptAttributesInput, { nullable: true, description: describeGenerationField('attributes') })
  attributes?: PromptAttributesInput | null;

  @Field(() => String, { nullable: true, description: describeGenerationField('checkpoint') })
  checkpoint?: string | null;

  @Field(() => NoiseModeEnum, { nullable: true, description: describeGenerationField('noiseMode') })
  noiseMode?: NoiseModeEnum | null;

  @Field(() => Int, { nullable: true, description: describeGenerationField('numImages') })
  numImages?: number | null;

  @Field(() => Float, { nullable: true, description: describeGenerationField('eta') })
  eta?: number | null;

  @Field(() => EmphasisEnum, { nullable: true, description: describeGenerationField('emphasis') })
  emphasis?: EmphasisEnum | null;

  @Field(() => ImageFormatEnum, { nullable: true, description: describeGenerationField('outputFormat') })
  outputFormat?: ImageFormatEnum | null;

  @Field(() => Int, { nullable: true, description: describeGenerationField('quality') })
  quality?: number | null;
}

@InputType('CompareInput', { description: 'Every prompt on every checkpoint with one seed (the same initial latents in every cell)' })
export class CompareInput extends ImageSettingsInput {
  @Field(() => [String], { description: '1 to 4 prompts, one row each' })
  prompts!: string[];

  @Field(() => [String], { nullable: true, description: 'Checkpoint ids, one column each; every checkpoint when omitted' })
  checkpoints?: string[] | null;

  @Field(() => String, {
    nullable: true,
    description:
      'An optional reference image shown as the grid\'s first column ("Reference") in every row: base64 or a data URL (data:image/png;base64,...); ' +
      'PNG, JPEG or WebP, at most 8 MiB and 4096 × 4096 pixels, metadata dropped, scaled to cover the cell size. The request body limit ' +
      '(AFD_BODY_LIMIT_KB) applies; larger images go through REST multipart. Cells keep numbering the checkpoint columns from 0.',
  })
  referenceImageBase64?: string | null;
}

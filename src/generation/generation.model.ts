import { Field, Float, ID, Int, ObjectType } from '@nestjs/graphql';
import { GenerationEventKind, GenerationStatusEnum } from '../transports/graphql/enums';

@ObjectType('ImageToImage', { description: "What a generation's init image did: the strength it ran at (the pixels are not kept)" })
export class ImageToImageModel {
  @Field(() => Float)
  strength!: number;
}

@ObjectType('ApiErrorInfo', { description: 'Why a generation failed: a code from the API error enum and a message' })
export class ErrorInfoModel {
  @Field(() => String)
  code!: string;

  @Field(() => String)
  message!: string;
}

@ObjectType('Progress')
export class ProgressModel {
  @Field(() => Int)
  step!: number;

  @Field(() => Int)
  totalSteps!: number;

  @Field(() => Float, { description: 'Estimated milliseconds left' })
  etaMs!: number;
}

@ObjectType('GeneratedImage')
export class ImageModel {
  /** Used by the base64 field's resolver; not a GraphQL field. */
  generationId!: string;

  @Field(() => Int)
  index!: number;

  @Field(() => String, { description: 'The seed this image was drawn with (the request seed + index)' })
  seed!: string;

  @Field(() => String)
  mimeType!: string;

  @Field(() => String, { description: 'Path of the image bytes on this server (GET)' })
  url!: string;
}

@ObjectType('Generation')
export class GenerationModel {
  @Field(() => ID)
  id!: string;

  @Field(() => GenerationStatusEnum)
  status!: GenerationStatusEnum;

  @Field(() => String)
  checkpoint!: string;

  @Field(() => ProgressModel)
  progress!: ProgressModel;

  @Field(() => [ImageModel])
  images!: ImageModel[];

  @Field(() => ErrorInfoModel, { nullable: true })
  error?: ErrorInfoModel;

  @Field(() => ImageToImageModel, { nullable: true, description: 'Present when the generation started from an init image' })
  imageToImage?: ImageToImageModel;
}

@ObjectType('GenerationPreview', { description: 'The first image as the model predicts it at this step (x0), small, in WebP' })
export class GenerationPreviewModel {
  @Field(() => String)
  mimeType!: string;

  @Field(() => Int)
  width!: number;

  @Field(() => Int)
  height!: number;

  @Field(() => String, { description: 'The WebP bytes in base64' })
  base64!: string;
}

@ObjectType('GenerationEvent', { description: "A generation's progress: one PROGRESS per step, then DONE with the final status" })
export class GenerationEventModel {
  @Field(() => ID)
  id!: string;

  @Field(() => GenerationEventKind)
  kind!: GenerationEventKind;

  @Field(() => GenerationStatusEnum)
  status!: GenerationStatusEnum;

  @Field(() => Int)
  step!: number;

  @Field(() => Int)
  totalSteps!: number;

  @Field(() => Float)
  etaMs!: number;

  @Field(() => ErrorInfoModel, { nullable: true })
  error?: ErrorInfoModel;

  @Field(() => GenerationPreviewModel, { nullable: true, description: 'With preview: true, every previewInterval steps and at the last' })
  preview?: GenerationPreviewModel;
}

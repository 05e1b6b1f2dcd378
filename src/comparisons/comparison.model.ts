import { Field, Float, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { ErrorInfoModel, GenerationPreviewModel } from '../generation/generation.model';
import { GenerationStatusEnum } from '../transports/graphql/enums';

export enum ComparisonEventKind {
  CELL = 'cell',
  DONE = 'done',
}
registerEnumType(ComparisonEventKind, { name: 'ComparisonEventKind', description: 'CELL once per denoising step of each cell, then one DONE' });

@ObjectType('ComparisonCell')
export class ComparisonCellModel {
  @Field(() => String)
  prompt!: string;

  @Field(() => String)
  checkpoint!: string;

  @Field(() => Int)
  trainingStep!: number;

  @Field(() => Int)
  row!: number;

  @Field(() => Int)
  column!: number;

  @Field(() => GenerationStatusEnum, { description: 'This cell: QUEUED, RUNNING, SUCCEEDED, FAILED, or CANCELLED (by cancelComparison)' })
  status!: GenerationStatusEnum;

  @Field(() => String, { nullable: true, description: 'Path of the cell image (PNG), once the cell has succeeded (before the rest of the comparison has)' })
  imageUrl?: string;
}

@ObjectType('Comparison')
export class ComparisonModel {
  @Field(() => ID)
  id!: string;

  @Field(() => GenerationStatusEnum, { description: 'QUEUED or RUNNING until every cell is done (compare with wait: false), then SUCCEEDED, FAILED or CANCELLED' })
  status!: GenerationStatusEnum;

  @Field(() => ErrorInfoModel, { nullable: true, description: 'Why it failed or was cancelled' })
  error?: ErrorInfoModel;

  @Field(() => String, { description: 'The one seed every cell was drawn with' })
  seed!: string;

  @Field(() => [ComparisonCellModel], { description: 'Every cell, row-major, from the start: each with its own status' })
  cells!: ComparisonCellModel[];

  @Field(() => String, { description: 'Path of the labelled grid image (PNG): rows are prompts, columns checkpoints' })
  gridUrl!: string;

  @Field(() => Boolean, { description: 'Whether the grid starts with the uploaded reference image as an extra first column (cells still number the checkpoint columns from 0)' })
  hasReference!: boolean;
}

@ObjectType('ComparisonEvent', { description: "A comparison's progress: one CELL per step of each cell, then DONE with the final status" })
export class ComparisonEventModel {
  @Field(() => ID)
  id!: string;

  @Field(() => ComparisonEventKind)
  kind!: ComparisonEventKind;

  @Field(() => Int, { nullable: true, description: 'CELL: the prompt row, from 0' })
  row?: number;

  @Field(() => Int, { nullable: true, description: 'CELL: the checkpoint column, from 0' })
  column?: number;

  @Field(() => String, { nullable: true, description: "CELL: the column's checkpoint id" })
  checkpoint?: string;

  @Field(() => Int, { nullable: true })
  step?: number;

  @Field(() => Int, { nullable: true })
  totalSteps?: number;

  @Field(() => Float, { nullable: true, description: "CELL: estimated milliseconds left in the cell's job" })
  etaMs?: number;

  @Field(() => GenerationPreviewModel, { nullable: true, description: "CELL, with preview: true: the cell's predicted image, every previewInterval steps and at the last" })
  preview?: GenerationPreviewModel;

  @Field(() => GenerationStatusEnum, { nullable: true, description: 'DONE: SUCCEEDED, FAILED or CANCELLED' })
  status?: GenerationStatusEnum;

  @Field(() => ErrorInfoModel, { nullable: true, description: 'DONE, when it failed or was cancelled' })
  error?: ErrorInfoModel;
}

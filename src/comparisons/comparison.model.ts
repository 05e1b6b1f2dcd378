import { Field, ID, Int, ObjectType } from '@nestjs/graphql';

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

  @Field(() => String, { description: 'Path of the cell image (PNG)' })
  imageUrl!: string;
}

@ObjectType('Comparison')
export class ComparisonModel {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { description: 'The one seed every cell was drawn with' })
  seed!: string;

  @Field(() => [ComparisonCellModel])
  cells!: ComparisonCellModel[];

  @Field(() => String, { description: 'Path of the labelled grid image (PNG): rows are prompts, columns checkpoints' })
  gridUrl!: string;

  @Field(() => Boolean, { description: 'Whether the grid starts with the uploaded reference image as an extra first column (cells still number the checkpoint columns from 0)' })
  hasReference!: boolean;
}

/** The comparisons query's answer: a page of the caller's kept comparisons (its history), newest first. */
import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { GenerationStatusEnum } from '../transports/graphql/enums';

@ObjectType('ComparisonSummary', { description: 'One kept comparison, without image bytes: reopen it with comparison(id) or its gridUrl' })
export class ComparisonSummaryModel {
  @Field(() => ID)
  id!: string;

  @Field(() => GenerationStatusEnum, { description: 'SUCCEEDED: only finished comparisons are kept, and listed' })
  status!: GenerationStatusEnum;

  @Field(() => String, { description: 'When it was asked for (ISO 8601, UTC)' })
  createdAt!: string;

  @Field(() => String, { description: 'The one seed every cell was drawn with' })
  seed!: string;

  @Field(() => [String], { description: 'One per grid row' })
  prompts!: string[];

  @Field(() => [String], { description: 'Checkpoint ids, one per column' })
  checkpoints!: string[];

  @Field(() => Boolean)
  hasReference!: boolean;

  @Field(() => Int, { description: "Each cell's width in pixels" })
  width!: number;

  @Field(() => Int, { description: "Each cell's height in pixels" })
  height!: number;

  @Field(() => String, { nullable: true, description: 'With a reference image: the image as the grid shows it (PNG, scaled to the cell size)' })
  referenceUrl?: string;

  @Field(() => String)
  gridUrl!: string;

  @Field(() => Int)
  cellCount!: number;
}

@ObjectType('ComparisonPage')
export class ComparisonPageModel {
  @Field(() => [ComparisonSummaryModel], { description: "The caller's kept comparisons (an administrator's: everyone's), newest first" })
  items!: ComparisonSummaryModel[];

  @Field(() => String, { nullable: true, description: 'Present when more exist: pass it as cursor for the next page' })
  nextCursor?: string;
}

import { Field, InputType } from '@nestjs/graphql';

@InputType('PromptAttributesInput', { description: 'Fashion attributes as ids, labels or synonyms (English or French); see the vocabulary query' })
export class PromptAttributesInput {
  @Field(() => String, { nullable: true })
  garment?: string | null;

  @Field(() => [String], { nullable: true })
  fabrics?: string[] | null;

  @Field(() => [String], { nullable: true })
  colours?: string[] | null;

  @Field(() => String, { nullable: true })
  gender?: string | null;

  @Field(() => String, { nullable: true })
  length?: string | null;

  @Field(() => [String], { nullable: true })
  accessories?: string[] | null;
}

import { Field, Int, ObjectType } from '@nestjs/graphql';

@ObjectType('TermSynonyms')
export class TermSynonymsModel {
  @Field(() => [String])
  en!: string[];

  @Field(() => [String])
  fr!: string[];
}

@ObjectType('VocabularyTerm')
export class VocabularyTermModel {
  @Field(() => String, { description: 'Canonical id' })
  id!: string;

  @Field(() => String, { description: 'English label, as written into prompts' })
  label!: string;

  @Field(() => TermSynonymsModel)
  synonyms!: TermSynonymsModel;
}

@ObjectType('Vocabulary', { description: 'The fashion terms prompts are built from' })
export class VocabularyModel {
  @Field(() => [VocabularyTermModel])
  garment!: VocabularyTermModel[];

  @Field(() => [VocabularyTermModel])
  fabric!: VocabularyTermModel[];

  @Field(() => [VocabularyTermModel])
  colour!: VocabularyTermModel[];

  @Field(() => [VocabularyTermModel])
  gender!: VocabularyTermModel[];

  @Field(() => [VocabularyTermModel])
  length!: VocabularyTermModel[];

  @Field(() => [VocabularyTermModel])
  accessory!: VocabularyTermModel[];
}

@ObjectType('PromptAttributes', { description: 'Attributes as canonical vocabulary ids' })
export class PromptAttributesModel {
  @Field(() => String, { nullable: true })
  garment!: string | null;

  @Field(() => [String])
  fabrics!: string[];

  @Field(() => [String])
  colours!: string[];

  @Field(() => String, { nullable: true })
  gender!: string | null;

  @Field(() => String, { nullable: true })
  length!: string | null;

  @Field(() => [String])
  accessories!: string[];
}

@ObjectType('BuiltPrompt')
export class BuiltPromptModel {
  @Field(() => String)
  prompt!: string;

  @Field(() => PromptAttributesModel)
  attributes!: PromptAttributesModel;
}

@ObjectType('ParsedPrompt')
export class ParsedPromptModel {
  @Field(() => PromptAttributesModel)
  attributes!: PromptAttributesModel;

  @Field(() => String, { description: 'The standardised prompt' })
  prompt!: string;

  @Field(() => [String], { description: 'Words of the text it could not place' })
  unplaced!: string[];

  @Field(() => String, { description: 'en or fr' })
  language!: string;
}

@ObjectType('DroppedTokens')
export class DroppedTokensModel {
  @Field(() => Int)
  count!: number;

  @Field(() => String)
  text!: string;
}

@ObjectType('TokenizedPrompt')
export class TokenizedPromptModel {
  @Field(() => [Int], { description: 'bos, the prompt tokens, eos (no padding)' })
  ids!: number[];

  @Field(() => [String])
  tokens!: string[];

  @Field(() => Int)
  count!: number;

  @Field(() => Boolean, { description: 'Whether the text was cut at 77 tokens' })
  truncated!: boolean;

  @Field(() => DroppedTokensModel)
  dropped!: DroppedTokensModel;
}

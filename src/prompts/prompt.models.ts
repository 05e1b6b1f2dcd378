import { Field, Float, Int, ObjectType } from '@nestjs/graphql';

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

@ObjectType('WeightedFragment')
export class WeightedFragmentModel {
  @Field(() => String)
  text!: string;

  @Field(() => Float)
  weight!: number;
}

@ObjectType('TokenizedPrompt')
export class TokenizedPromptModel {
  @Field(() => [Int], { description: 'bos, the prompt tokens (all chunks, attention syntax removed), eos (no padding); token i after bos is in chunk floor(i / 75)' })
  ids!: number[];

  @Field(() => [String])
  tokens!: string[];

  @Field(() => [Float], { description: 'The attention weight of each id (bos and eos 1)' })
  weights!: number[];

  @Field(() => Int)
  count!: number;

  @Field(() => Int, { description: "Chunks of 75 tokens the text is encoded in; the UNet's context is 77 × chunks" })
  chunks!: number;

  @Field(() => Int, { description: 'Chunks encoded at most; tokens past them are cut' })
  maxChunks!: number;

  @Field(() => Boolean, { description: 'Whether tokens were cut after maxChunks chunks' })
  truncated!: boolean;

  @Field(() => [WeightedFragmentModel], { description: 'The attention syntax parsed: fragments of text and their weights' })
  fragments!: WeightedFragmentModel[];

  @Field(() => DroppedTokensModel)
  dropped!: DroppedTokensModel;
}

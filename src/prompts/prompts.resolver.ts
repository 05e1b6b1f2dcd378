import { Inject } from '@nestjs/common';
import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { PromptsService } from './prompts.service';
import { PromptAttributesInput } from './prompt-attributes.input';
import { BuiltPromptModel, ParsedPromptModel, TokenizedPromptModel, VocabularyModel } from './prompt.models';
import { setFields } from '../transports/graphql/graphql-input';

const CHECKPOINT_ARG = { type: () => String, nullable: true, description: "Whose prompt template and tokenizer; the default checkpoint's when omitted" } as const;

@Resolver()
export class PromptsResolver {
  constructor(@Inject(PromptsService) private readonly prompts: PromptsService) {}

  @Query(() => VocabularyModel, { description: 'Garment types, fabrics and materials, colours, gender, length and accessories' })
  vocabulary(): VocabularyModel {
    return this.prompts.vocabulary().vocabulary as unknown as VocabularyModel;
  }

  @Mutation(() => BuiltPromptModel, { description: "Attributes → the standardised prompt, by the checkpoint's template" })
  buildPrompt(
    @Args('attributes', { type: () => PromptAttributesInput }) attributes: PromptAttributesInput,
    @Args('checkpoint', CHECKPOINT_ARG) checkpoint: string | null,
  ): BuiltPromptModel {
    return this.prompts.build({ attributes: setFields(attributes), checkpoint }) as BuiltPromptModel;
  }

  @Mutation(() => ParsedPromptModel, { description: 'A product title or description (English or French) → attributes and the standardised prompt' })
  parsePrompt(@Args('text', { type: () => String }) text: string, @Args('checkpoint', CHECKPOINT_ARG) checkpoint: string | null): ParsedPromptModel {
    return this.prompts.parse({ text, checkpoint }) as ParsedPromptModel;
  }

  @Query(() => TokenizedPromptModel, { description: "CLIP token ids and tokens, and what was cut at 77 tokens" })
  tokenize(@Args('text', { type: () => String }) text: string, @Args('checkpoint', CHECKPOINT_ARG) checkpoint: string | null): TokenizedPromptModel {
    return this.prompts.tokenize({ text, checkpoint });
  }
}

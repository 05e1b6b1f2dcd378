/** The prompt domain over HTTP: vocabulary, build, parse and tokenize, per checkpoint (template, tokenizer). */
import { Inject, Injectable } from '@nestjs/common';
import { join } from 'node:path';
import { CheckpointsService } from '../checkpoints/checkpoints.service';
import type { CheckpointEntry } from '../checkpoints/checkpoint-registry';
import { ApiError, ErrorCode, invalidArgument } from '../common/error-code';
import { toApiError } from '../error-mapping/to-api-error';
import { refuseUnknownFields, type RequestSchema } from '../common/api-contract';
import { MAX_PROMPT_CHUNKS, promptWeightProblem, sharedChunkCount, tokenizeWeighted, type WeightedFragment } from '../engine/prompt-weighting';
import { ClipTokenizer, END_OF_TEXT, START_OF_TEXT } from '../engine/tokenizer';
import {
  FASHION_VOCABULARY,
  PromptTemplateError,
  buildPrompt,
  compilePromptTemplate,
  parsePrompt,
  type BuiltPrompt,
  type FashionVocabulary,
  type PromptLanguage,
  type PromptTemplate,
} from '../prompt-language/index';
import type { PromptAttributes } from '../prompt-language/index';
import { BuildPromptRequestSchema, MAX_TOKENIZE_TEXT_LENGTH, ParsePromptRequestSchema, TokenizePromptRequestSchema } from './prompt.schemas';

export interface ParsedPromptView {
  readonly attributes: PromptAttributes;
  readonly prompt: string;
  readonly unplaced: readonly string[];
  readonly language: PromptLanguage;
}

export interface TokenizedPromptView {
  /** bos, the prompt's tokens (all chunks, attention syntax removed), eos (no padding). */
  readonly ids: number[];
  /** The text of each id; bos and eos as their special strings. */
  readonly tokens: string[];
  /** The weight of each id (bos and eos 1). */
  readonly weights: number[];
  readonly count: number;
  /** Chunks of 75 tokens the prompt is encoded in (the UNet's context is 77 × chunks). */
  readonly chunks: number;
  readonly maxChunks: number;
  /** Tokens were cut after maxChunks chunks. */
  readonly truncated: boolean;
  readonly dropped: { readonly count: number; readonly text: string };
  /** The attention syntax parsed: text and weight of each fragment. */
  readonly fragments: WeightedFragment[];
}

export { MAX_TOKENIZE_TEXT_LENGTH } from './prompt.schemas';

@Injectable()
export class PromptsService {
  private readonly templates = new Map<string, PromptTemplate | undefined>();
  private readonly tokenizers = new Map<string, ClipTokenizer>();

  constructor(@Inject(CheckpointsService) private readonly checkpoints: CheckpointsService) {}

  vocabulary(): { vocabulary: FashionVocabulary } {
    return { vocabulary: FASHION_VOCABULARY };
  }

  build(body: unknown): BuiltPrompt {
    const input = object(body, BuildPromptRequestSchema);
    const template = this.template(this.checkpoints.resolve(input['checkpoint']));
    return guard(() => buildPrompt(input['attributes'], { template }));
  }

  parse(body: unknown): ParsedPromptView {
    const input = object(body, ParsePromptRequestSchema);
    const template = this.template(this.checkpoints.resolve(input['checkpoint']));
    const parsed = guard(() => parsePrompt(input['text'], { template }));
    return { attributes: parsed.attributes, prompt: parsed.prompt, unplaced: parsed.unplaced, language: parsed.language };
  }

  tokenize(body: unknown): TokenizedPromptView {
    const input = object(body, TokenizePromptRequestSchema);
    const text = input['text'];
    if (typeof text !== 'string') throw invalidArgument('text', 'must be a string');
    if (text.length > MAX_TOKENIZE_TEXT_LENGTH) throw invalidArgument('text', `must be at most ${MAX_TOKENIZE_TEXT_LENGTH} characters, got ${text.length}`);
    // Generations refuse these weights too; and GraphQL's Float cannot carry Infinity or NaN.
    const weightProblem = promptWeightProblem(text);
    if (weightProblem) throw invalidArgument('text', weightProblem);
    const tokenizer = this.tokenizer(this.checkpoints.resolve(input['checkpoint']));
    // Tokenised as a generation does: the attention syntax parsed, up to MAX_PROMPT_CHUNKS chunks.
    const weighted = tokenizeWeighted(text, tokenizer, tokenizer.maxLength, MAX_PROMPT_CHUNKS);
    const ids = [tokenizer.bosId, ...weighted.ids, tokenizer.eosId];
    const tokens = ids.map((id, i) => (i === 0 ? START_OF_TEXT : i === ids.length - 1 ? END_OF_TEXT : tokenizer.decode([id])));
    return {
      ids,
      tokens,
      weights: [1, ...weighted.weights, 1],
      count: ids.length,
      chunks: sharedChunkCount([weighted], tokenizer.maxLength, MAX_PROMPT_CHUNKS),
      maxChunks: MAX_PROMPT_CHUNKS,
      truncated: weighted.droppedTokenCount > 0,
      dropped: { count: weighted.droppedTokenCount, text: weighted.droppedText },
      fragments: weighted.fragments.map((f) => ({ text: f.text, weight: f.weight })),
    };
  }

  /** The checkpoint's compiled template (undefined: the default); a broken one is a server configuration error. */
  private template(entry: CheckpointEntry): PromptTemplate | undefined {
    if (this.templates.has(entry.id)) return this.templates.get(entry.id);
    let template: PromptTemplate | undefined;
    if (entry.promptTemplate !== undefined) {
      try {
        template = compilePromptTemplate(entry.promptTemplate);
      } catch (error) {
        if (error instanceof PromptTemplateError) throw new ApiError(ErrorCode.INTERNAL, `checkpoint ${entry.id} has an unusable prompt template (${error.message})`);
        throw error;
      }
    }
    this.templates.set(entry.id, template);
    return template;
  }

  private tokenizer(entry: CheckpointEntry): ClipTokenizer {
    let tokenizer = this.tokenizers.get(entry.path);
    if (!tokenizer) {
      try {
        tokenizer = ClipTokenizer.fromDirectory(join(entry.path, 'tokenizer'));
      } catch (error) {
        throw new ApiError(ErrorCode.INTERNAL, `checkpoint ${entry.id} has no usable tokenizer (${(error as Error).message})`);
      }
      this.tokenizers.set(entry.path, tokenizer);
    }
    return tokenizer;
  }
}

/** The fields each request's schema defines; anything else is refused by name, as generations and comparisons do. */
function object(body: unknown, schema: RequestSchema): Record<string, unknown> {
  return refuseUnknownFields(schema, body, 'is not a field of this request');
}

/** Prompt-domain errors (PromptInputError) as 400s naming the field. */
function guard<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    throw toApiError(error);
  }
}

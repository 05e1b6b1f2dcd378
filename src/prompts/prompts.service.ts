/** The prompt domain over HTTP: vocabulary, build, parse and tokenize, per checkpoint (template, tokenizer). */
import { Inject, Injectable } from '@nestjs/common';
import { join } from 'node:path';
import { CheckpointsService } from '../checkpoints/checkpoints.service';
import type { CheckpointEntry } from '../checkpoints/checkpoint-registry';
import { ApiError, ErrorCode, invalidArgument } from '../common/error-code';
import { toApiError } from '../error-mapping/to-api-error';
import { refuseUnknownFields, type RequestSchema } from '../common/api-contract';
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
  /** bos, the prompt's tokens, eos (no padding). */
  readonly ids: number[];
  /** The text of each id; bos and eos as their special strings. */
  readonly tokens: string[];
  readonly count: number;
  readonly truncated: boolean;
  readonly dropped: { readonly count: number; readonly text: string };
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
    const tokenizer = this.tokenizer(this.checkpoints.resolve(input['checkpoint']));
    const encoded = tokenizer.encode(text);
    const ids = encoded.ids.slice(0, encoded.tokenCount);
    const tokens = ids.map((id) => (id === tokenizer.bosId ? START_OF_TEXT : id === tokenizer.eosId ? END_OF_TEXT : tokenizer.decode([id])));
    return {
      ids,
      tokens,
      count: encoded.tokenCount,
      truncated: encoded.truncated,
      dropped: { count: encoded.droppedTokenCount, text: encoded.droppedText },
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

/** The prompt routes in the OpenAPI document. */
import { errors, GATED_ERRORS, json, ref, type Operation, type PathTable } from '../common/openapi';
import {
  BuildPromptRequestSchema,
  BuiltPromptSchema,
  ParsedPromptSchema,
  ParsePromptRequestSchema,
  PromptAttributesInputSchema,
  PromptAttributesSchema,
  TokenizedPromptSchema,
  TokenizePromptRequestSchema,
  VocabularySchema,
} from './prompt.schemas';

export const PROMPT_SCHEMAS = {
  PromptAttributesInput: PromptAttributesInputSchema,
  PromptAttributes: PromptAttributesSchema,
  BuildPromptRequest: BuildPromptRequestSchema,
  BuiltPrompt: BuiltPromptSchema,
  ParsePromptRequest: ParsePromptRequestSchema,
  ParsedPrompt: ParsedPromptSchema,
  TokenizePromptRequest: TokenizePromptRequestSchema,
  TokenizedPrompt: TokenizedPromptSchema,
  Vocabulary: VocabularySchema,
};

const TAGS = ['prompts'];
const requestId = { $ref: '#/components/parameters/X-Request-Id' };

function post(operationId: string, summary: string, request: string, answer: string): { post: Operation } {
  return {
    post: {
      operationId,
      summary,
      tags: TAGS,
      parameters: [requestId],
      requestBody: { required: true, content: { 'application/json': { schema: ref(request) } } },
      responses: { '200': json({ description: summary, schema: ref(answer) }), ...errors(...GATED_ERRORS, 404, 413) },
    },
  };
}

export const PROMPT_PATHS: PathTable = {
  '/v1/prompts/vocabulary': {
    get: {
      operationId: 'getPromptVocabulary',
      summary: 'The fashion vocabulary: garments, fabrics, colours, genders, lengths, accessories',
      tags: TAGS,
      parameters: [requestId],
      responses: { '200': json({ description: 'The vocabulary', schema: ref('Vocabulary') }), ...errors(...GATED_ERRORS) },
    },
  },
  '/v1/prompts/build': post('buildPrompt', "Build the checkpoint's standard prompt from fashion attributes", 'BuildPromptRequest', 'BuiltPrompt'),
  '/v1/prompts/parse': post('parsePrompt', 'Read fashion attributes out of a product title or prompt (English or French)', 'ParsePromptRequest', 'ParsedPrompt'),
  '/v1/prompts/tokenize': post('tokenizePrompt', "Tokenize text with the checkpoint's CLIP tokenizer", 'TokenizePromptRequest', 'TokenizedPrompt'),
};

/**
 * The prompt endpoints' requests and responses, and the fashion attributes every request that
 * builds a prompt takes (generations too). Values are checked against the vocabulary by the domain
 * (prompt-attributes.ts), which names the field and lists what it allows.
 */
import { z } from 'zod';
import { ATTRIBUTE_FIELDS, MAX_LIST_ITEMS, MAX_VALUE_LENGTH } from '../prompt-language/prompt-attributes';
import { VOCABULARY_CATEGORIES } from '../prompt-language/vocabulary-types';

/** The longest text /tokenize accepts, in UTF-16 code units. */
export const MAX_TOKENIZE_TEXT_LENGTH = 10_000;

const attributeValue = z.string().max(MAX_VALUE_LENGTH);
const attributeList = z.union([attributeValue, z.array(attributeValue).max(MAX_LIST_ITEMS)]);

/** Input attributes: canonical ids, labels or synonyms (English or French); list fields also under their aliases. */
export const PromptAttributesInputSchema = z
  .object(
    Object.fromEntries(
      ATTRIBUTE_FIELDS.flatMap((spec) =>
        [spec.field, ...spec.aliases].map((name) => [
          name,
          (spec.list ? attributeList : attributeValue)
            .nullable()
            .optional()
            .describe(`A ${spec.category} from the vocabulary (GET /v1/prompts/vocabulary)${name === spec.field ? '' : `; an alias of \`${spec.field}\``}`),
        ]),
      ),
    ),
  )
  .strict()
  .meta({ example: { garment: 'dress', fabrics: ['kente'], colours: ['red', 'gold'] } });

/** Attributes as answered: canonical ids. */
export const PromptAttributesSchema = z.object({
  garment: z.string().nullable(),
  fabrics: z.array(z.string()),
  colours: z.array(z.string()),
  gender: z.string().nullable(),
  length: z.string().nullable(),
  accessories: z.array(z.string()),
});

const checkpoint = z.string().nullable().optional().describe("A checkpoint id, whose prompt template or tokenizer is used; the registry's default when omitted");

export const BuildPromptRequestSchema = z.object({ attributes: PromptAttributesInputSchema, checkpoint }).strict();
export const ParsePromptRequestSchema = z.object({ text: z.string().describe('A product title or a prompt, in English or French'), checkpoint }).strict();
export const TokenizePromptRequestSchema = z
  .object({ text: z.string().max(MAX_TOKENIZE_TEXT_LENGTH).describe("Text to tokenize with the checkpoint's CLIP tokenizer, as a generation does: AUTOMATIC1111's attention syntax parsed, in chunks of 75 tokens"), checkpoint })
  .strict();

export const BuiltPromptSchema = z.object({ prompt: z.string(), attributes: PromptAttributesSchema }).meta({
  example: { prompt: 'a photo of a red and gold kente dress, african fashion', attributes: { garment: 'dress', fabrics: ['kente'], colours: ['red', 'gold'], gender: null, length: null, accessories: [] } },
});

export const ParsedPromptSchema = z.object({
  attributes: PromptAttributesSchema,
  prompt: z.string(),
  unplaced: z.array(z.string()).describe('Words of the text that are no attribute'),
  language: z.enum(['en', 'fr', 'unknown']).describe('`unknown` when the text gives no clue'),
});

export const TokenizedPromptSchema = z.object({
  ids: z.array(z.int()).describe("bos, the text's tokens (all chunks; brackets and weights of the attention syntax are not tokens), eos (no padding). Token i after bos is in chunk floor(i / 75)"),
  tokens: z.array(z.string()),
  weights: z.array(z.number()).describe('The attention weight of each id (bos and eos 1)'),
  count: z.int().describe('ids, bos and eos included'),
  chunks: z.int().min(1).describe("Chunks of 75 tokens the text is encoded in; the UNet's context is 77 × chunks (a prompt and its negative share the larger count)"),
  maxChunks: z.int().describe('Chunks encoded at most; tokens past them are cut'),
  truncated: z.boolean().describe('Whether tokens were cut after maxChunks chunks'),
  dropped: z.object({ count: z.int(), text: z.string() }).describe('What did not fit in maxChunks chunks'),
  fragments: z.array(z.object({ text: z.string(), weight: z.number() })).describe('The attention syntax parsed: each fragment of text and its weight, adjacent equal weights merged'),
});

const VocabularyTermSchema = z.object({
  id: z.string(),
  label: z.string(),
  synonyms: z.object({ en: z.array(z.string()), fr: z.array(z.string()) }),
  plural: z.boolean().optional(),
  phrase: z.string().optional(),
  parts: z.object({ garment: z.string().optional(), colours: z.array(z.string()).optional(), fabrics: z.array(z.string()).optional() }).optional(),
});

export const VocabularySchema = z.object({
  vocabulary: z.object(Object.fromEntries(VOCABULARY_CATEGORIES.map((c) => [c, z.array(VocabularyTermSchema)]))),
});

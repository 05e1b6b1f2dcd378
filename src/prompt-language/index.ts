/**
 * Fashion prompts: the vocabulary (GET /v1/prompts/vocabulary), attributes → standardised prompt
 * (POST /v1/prompts/build) and free text → attributes and prompt (POST /v1/prompts/parse).
 * Pure TypeScript: no framework, no runtime; a Nest module wraps it.
 */
export { FASHION_VOCABULARY, VOCABULARY_CATEGORIES, vocabularyIds, vocabularyTerm } from './fashion-vocabulary';
export type { FashionVocabulary, VocabularyCategory, VocabularyLanguage, VocabularyTerm } from './fashion-vocabulary';
export { resolveTerm } from './term-index';
export { ATTRIBUTE_FIELDS, EMPTY_ATTRIBUTES, MAX_LIST_ITEMS, MAX_VALUE_LENGTH, normalisePromptAttributes } from './prompt-attributes';
export type { AttributeField, AttributeFieldSpec, ListAttribute, PromptAttributes, SingleAttribute } from './prompt-attributes';
export { DEFAULT_PROMPT_TEMPLATE, DEFAULT_TEMPLATE_SOURCE, MAX_TEMPLATE_LENGTH, TEMPLATE_PLACEHOLDERS, compilePromptTemplate } from './prompt-template';
export type { PromptTemplate, TemplatePlaceholder } from './prompt-template';
export { buildPrompt, renderPrompt } from './build-prompt';
export type { BuiltPrompt, PromptTemplateOption } from './build-prompt';
export { MAX_PARSE_TEXT_LENGTH, parsePrompt } from './parse-prompt';
export type { ParseOptions, ParsedPrompt, PlacedPhrase } from './parse-prompt';
export type { PromptLanguage } from './detect-language';
export { PromptInputError, PromptTemplateError } from './prompt-errors';

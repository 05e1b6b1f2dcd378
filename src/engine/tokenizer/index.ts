export { ClipTokenizer, MAX_DROPPED_TEXT_CHARS } from './clip-tokenizer';
export type { EncodedPrompt } from './clip-tokenizer';
export { DEFAULT_MAX_LENGTH, END_OF_TEXT, START_OF_TEXT } from './tokenizer-definition';
export type { ClipTokenizerDefinition } from './tokenizer-definition';
export { TokenizerFileError } from './tokenizer-file-error';
export {
  MERGES_FILE,
  SPECIAL_TOKENS_MAP_FILE,
  TOKENIZER_CONFIG_FILE,
  VOCAB_FILE,
  parseTokenizerFiles,
  readTokenizerDirectory,
} from './tokenizer-files';
export type { TokenizerFileTexts } from './tokenizer-files';
export { cleanText } from './clean-text';
export { BYTE_TO_UNICODE, UNICODE_TO_BYTE, textToByteSymbols } from './byte-unicode';

/**
 * Reads a Hugging Face CLIPTokenizer directory (`vocab.json`, `merges.txt`, and optionally
 * `tokenizer_config.json` and `special_tokens_map.json`) into a checked tokenizer definition.
 * Every problem is a TokenizerFileError naming the file.
 */
import * as fs from 'fs';
import * as path from 'path';
import { TokenizerFileError } from './tokenizer-file-error';
import { ClipTokenizerDefinition, specialTokens } from './tokenizer-definition';

export const VOCAB_FILE = 'vocab.json';
export const MERGES_FILE = 'merges.txt';
export const TOKENIZER_CONFIG_FILE = 'tokenizer_config.json';
export const SPECIAL_TOKENS_MAP_FILE = 'special_tokens_map.json';

/** The files' text; the two optional files may be absent. */
export interface TokenizerFileTexts {
  readonly vocab: string;
  readonly merges: string;
  readonly tokenizerConfig?: string;
  readonly specialTokensMap?: string;
}

/** The longest sequence a `model_max_length` may ask for (CLIP's is 77). */
const MAX_MODEL_LENGTH = 100_000;
type SpecialTokenKey = 'bos_token' | 'eos_token' | 'pad_token' | 'unk_token';

/** Reads and checks the tokenizer files of `dir` (synchronously). */
export function readTokenizerDirectory(dir: string): ClipTokenizerDefinition {
  const label = path.basename(path.resolve(dir));
  let isDirectory = false;
  try {
    isDirectory = fs.statSync(dir).isDirectory();
  } catch {
    throw new TokenizerFileError(label, `tokenizer directory not found (${dir})`);
  }
  if (!isDirectory) throw new TokenizerFileError(label, `is not a directory (${dir})`);

  const read = (name: string, optional: boolean): string | undefined => {
    try {
      return fs.readFileSync(path.join(dir, name), 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && optional) return undefined;
      const problem = code === 'ENOENT' ? 'file not found' : `cannot be read (${(error as Error).message})`;
      throw new TokenizerFileError(`${label}/${name}`, problem);
    }
  };
  return parseTokenizerFiles(
    {
      vocab: read(VOCAB_FILE, false) as string,
      merges: read(MERGES_FILE, false) as string,
      tokenizerConfig: read(TOKENIZER_CONFIG_FILE, true),
      specialTokensMap: read(SPECIAL_TOKENS_MAP_FILE, true),
    },
    label,
  );
}

/** Checks the files' text; `label` is the directory name the errors put before the file name. */
export function parseTokenizerFiles(texts: TokenizerFileTexts, label = 'tokenizer'): ClipTokenizerDefinition {
  const fileName = (name: string): string => `${label}/${name}`;
  const vocab = parseVocab(texts.vocab, fileName(VOCAB_FILE));
  const merges = parseMerges(texts.merges, fileName(MERGES_FILE));

  const config = texts.tokenizerConfig === undefined ? {} : parseObject(texts.tokenizerConfig, fileName(TOKENIZER_CONFIG_FILE));
  const map = texts.specialTokensMap === undefined ? {} : parseObject(texts.specialTokensMap, fileName(SPECIAL_TOKENS_MAP_FILE));
  // As in transformers, special_tokens_map.json overrides tokenizer_config.json.
  const token = (key: SpecialTokenKey): string | undefined =>
    specialToken(map, key, fileName(SPECIAL_TOKENS_MAP_FILE)) ?? specialToken(config, key, fileName(TOKENIZER_CONFIG_FILE));

  const definition: ClipTokenizerDefinition = {
    vocab,
    merges,
    maxLength: maxLength(config, fileName(TOKENIZER_CONFIG_FILE)),
    bosToken: token('bos_token'),
    eosToken: token('eos_token'),
    padToken: token('pad_token'),
    unkToken: token('unk_token'),
  };
  const specials = specialTokens(definition);
  for (const [role, text] of Object.entries(specials)) {
    if (!vocab.has(text)) {
      throw new TokenizerFileError(fileName(VOCAB_FILE), `has no entry for the ${role} token ${JSON.stringify(text)}`);
    }
  }
  return definition;
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new TokenizerFileError(file, `invalid JSON (${(error as Error).message})`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseObject(text: string, file: string): Record<string, unknown> {
  const value = parseJson(text, file);
  if (!isObject(value)) throw new TokenizerFileError(file, `must hold a JSON object, got ${jsonType(value)}`);
  return value;
}

function jsonType(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}

function parseVocab(text: string, file: string): Map<string, number> {
  const value = parseJson(text, file);
  if (!isObject(value)) {
    throw new TokenizerFileError(file, `must hold a JSON object mapping tokens to integer ids, got ${jsonType(value)}`);
  }
  const vocab = new Map<string, number>();
  const tokenById = new Map<number, string>();
  for (const [token, id] of Object.entries(value)) {
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) {
      throw new TokenizerFileError(file, `token ${JSON.stringify(token)} has id ${JSON.stringify(id)}; ids must be integers >= 0`);
    }
    const other = tokenById.get(id);
    if (other !== undefined) {
      throw new TokenizerFileError(file, `tokens ${JSON.stringify(other)} and ${JSON.stringify(token)} share the id ${id}`);
    }
    tokenById.set(id, token);
    vocab.set(token, id);
  }
  if (vocab.size === 0) throw new TokenizerFileError(file, 'the vocabulary is empty');
  return vocab;
}

function parseMerges(text: string, file: string): Array<readonly [string, string]> {
  const merges: Array<readonly [string, string]> = [];
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  lines.forEach((raw, index) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '' || line.startsWith('#version')) return;
    const halves = line.split(' ');
    if (halves.length !== 2 || !halves[0] || !halves[1]) {
      const shown = line.length > 60 ? `${line.slice(0, 57)}...` : line;
      throw new TokenizerFileError(file, `line ${index + 1}: expected "left right", got ${JSON.stringify(shown)}`);
    }
    merges.push([halves[0], halves[1]]);
  });
  return merges;
}

/** A special token written as a string or as a serialized AddedToken (`{ "content": ... }`). */
function specialToken(json: Record<string, unknown>, key: SpecialTokenKey, file: string): string | undefined {
  const value = json[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string' && value !== '') return value;
  if (isObject(value) && typeof value['content'] === 'string' && value['content'] !== '') return value['content'];
  throw new TokenizerFileError(file, `${key} must be a non-empty string or an object with a "content" string`);
}

function maxLength(config: Record<string, unknown>, file: string): number | undefined {
  const value = config['model_max_length'];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 2 || value > MAX_MODEL_LENGTH) {
    throw new TokenizerFileError(file, `model_max_length must be an integer from 2 to ${MAX_MODEL_LENGTH}, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** tokenizer/: a CLIPTokenizer's four files, with a vocabulary, merges and bos/eos tokens that agree. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TokenizerSummary } from './inspection-report';
import { isJsonObject, readJsonFile, type JsonObject } from './json-file';
import type { ProblemList, Rule } from './problem-list';

type TokenizerFile = 'vocab.json' | 'merges.txt' | 'special_tokens_map.json' | 'tokenizer_config.json';
const PRESENT: Rule = { code: 'missing-file', text: 'the tokenizer folder has vocab.json, merges.txt, special_tokens_map.json and tokenizer_config.json' };
const VOCAB_FORMAT: Rule = { code: 'vocab-format', text: 'vocab.json is an object mapping each token to a non-negative integer id' };
const MERGES_FORMAT: Rule = { code: 'merges-format', text: 'merges.txt has one "left right" pair per line, each merged token in vocab.json' };
const SPECIAL_TOKENS: Rule = { code: 'special-tokens', text: 'bos_token and eos_token are named and are in vocab.json' };
const OBJECT_FORMAT: Rule = { code: 'tokenizer-format', text: "the tokenizer's JSON files are objects" };

export interface TokenizerFindings {
  readonly summary: TokenizerSummary | null;
  /** Largest id + 1, for the check against the text encoder's embedding; null when unknown. */
  readonly idCount: number | null;
}

export function readTokenizer(root: string, problems: ProblemList): TokenizerFindings {
  if (!existsSync(join(root, 'tokenizer'))) {
    problems.error('tokenizer/', PRESENT, 'the tokenizer folder is missing');
    return { summary: null, idCount: null };
  }
  const file = (name: TokenizerFile): string => `tokenizer/${name}`;
  const vocab = readVocab(root, file('vocab.json'), problems);
  const mergesCount = readMerges(root, file('merges.txt'), vocab, problems);
  const specialMap = asObject(readJsonFile(root, file('special_tokens_map.json'), PRESENT, problems), file('special_tokens_map.json'), problems);
  const config = asObject(readJsonFile(root, file('tokenizer_config.json'), PRESENT, problems), file('tokenizer_config.json'), problems);

  const special = (key: string): string | null => tokenContent(specialMap?.[key]) ?? tokenContent(config?.[key]);
  const bosToken = special('bos_token');
  const eosToken = special('eos_token');
  if (specialMap !== undefined || config !== undefined) {
    for (const [key, token] of [['bos_token', bosToken], ['eos_token', eosToken]] as const) {
      if (token === null) problems.error(file('special_tokens_map.json'), SPECIAL_TOKENS, `${key} is missing`);
      else if (vocab && !vocab.has(token)) problems.error(file('vocab.json'), SPECIAL_TOKENS, `${key} "${token}" is not in the vocabulary`);
    }
  }
  const maxLength = config?.['model_max_length'];
  const ids = vocab ? [...vocab.values()] : [];
  return {
    summary: {
      vocabSize: vocab ? vocab.size : null,
      mergesCount,
      bosToken,
      eosToken,
      modelMaxLength: typeof maxLength === 'number' ? maxLength : null,
    },
    idCount: vocab ? ids.reduce((max, id) => Math.max(max, id + 1), 0) : null,
  };
}

function readVocab(root: string, file: string, problems: ProblemList): Map<string, number> | undefined {
  const json = readJsonFile(root, file, PRESENT, problems);
  if (json === undefined) return undefined;
  if (!isJsonObject(json)) {
    problems.error(file, VOCAB_FORMAT, `is ${Array.isArray(json) ? 'an array' : typeof json === 'object' ? 'null' : `a ${typeof json}`}, not an object`);
    return undefined;
  }
  const vocab = new Map<string, number>();
  const bad: string[] = [];
  for (const [token, id] of Object.entries(json)) {
    if (typeof id === 'number' && Number.isInteger(id) && id >= 0) vocab.set(token, id);
    else bad.push(`"${token}": ${JSON.stringify(id)}`);
  }
  if (bad.length > 0) problems.error(file, VOCAB_FORMAT, `${bad.length} entries are not non-negative integer ids, first ${bad[0]}`);
  return vocab;
}

function readMerges(root: string, file: string, vocab: ReadonlyMap<string, number> | undefined, problems: ProblemList): number | null {
  let text: string;
  try {
    text = readFileSync(join(root, file), 'utf8');
  } catch {
    problems.error(file, PRESENT, 'is missing');
    return null;
  }
  const lines = text.split(/\r?\n/).filter((line, i) => line.trim() !== '' && !(i === 0 && line.startsWith('#version')));
  const isPair = (line: string): boolean => /^[^ ]+ [^ ]+$/.test(line);
  const malformed = lines.filter((line) => !isPair(line));
  if (malformed.length > 0) {
    problems.error(file, MERGES_FORMAT, `${malformed.length} lines are not "left right" pairs, first ${JSON.stringify(malformed[0])}`);
  }
  if (vocab) {
    const unknown = lines.filter((line) => isPair(line) && !vocab.has(line.replace(' ', '')));
    if (unknown.length > 0) {
      problems.error(file, MERGES_FORMAT, `${unknown.length} merges make tokens vocab.json lacks, first ${JSON.stringify(unknown[0])}`);
    }
  }
  return lines.length;
}

function asObject(json: unknown, file: string, problems: ProblemList): JsonObject | undefined {
  if (json === undefined) return undefined;
  if (isJsonObject(json)) return json;
  problems.error(file, OBJECT_FORMAT, 'is not a JSON object');
  return undefined;
}

/** A special token is a string or, in newer files, `{ "content": "...", ... }`. */
function tokenContent(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (isJsonObject(value) && typeof value['content'] === 'string') return value['content'];
  return null;
}

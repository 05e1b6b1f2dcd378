/**
 * The CLIP tokenizer of Stable Diffusion 1.x: prompt text → the `input_ids` of the text encoder.
 *
 * Same ids as OpenAI CLIP's `SimpleTokenizer` and transformers' `CLIPTokenizer` with
 * `padding="max_length", truncation=True`: [bos, tokens..., eos, pad...], `maxLength` long, the
 * tokens cut to `maxLength - 2`. What a long prompt loses is reported, not silently dropped.
 */
import { BoundedCache } from './bounded-cache';
import { BpeMerger } from './bpe';
import { textToByteSymbols } from './byte-unicode';
import { cleanText } from './clean-text';
import { preTokenize } from './pre-tokenize';
import { tokensToText } from './token-text';
import {
  ClipTokenizerDefinition,
  DEFAULT_MAX_LENGTH,
  END_OF_TEXT,
  START_OF_TEXT,
  specialTokens,
} from './tokenizer-definition';
import { readTokenizerDirectory } from './tokenizer-files';

export interface EncodedPrompt {
  /** `maxLength` ids: bos, the prompt's tokens, eos, then padding. */
  readonly ids: number[];
  /** 1 for bos, the tokens and eos; 0 for padding. */
  readonly attentionMask: number[];
  /** How many ids are not padding (bos and eos included). */
  readonly tokenCount: number;
  /** Whether the prompt had more than `maxLength - 2` tokens. */
  readonly truncated: boolean;
  /** How many tokens were cut (exact). */
  readonly droppedTokenCount: number;
  /**
   * The text of the cut tokens, as decoded from them (cleaned: lower case, single spaces); '' when
   * nothing was cut. Longer than MAX_DROPPED_TEXT_CHARS, it is cut there and ends with '…'.
   */
  readonly droppedText: string;
}

/** The most characters of cut text that a truncation report carries. */
export const MAX_DROPPED_TEXT_CHARS = 300;
/** Words up to this many characters have their ids cached. */
const MAX_CACHED_WORD_LENGTH = 64;
const WORD_CACHE_ENTRIES = 20_000;
/** The special tokens CLIP's pattern finds when written out in a prompt; they map to their own ids. */
const WRITTEN_SPECIAL_TOKENS: ReadonlySet<string> = new Set([START_OF_TEXT, END_OF_TEXT]);

export class ClipTokenizer {
  readonly maxLength: number;
  readonly bosId: number;
  readonly eosId: number;
  readonly padId: number;
  readonly unkId: number;

  private readonly vocab: ReadonlyMap<string, number>;
  private readonly tokenById: ReadonlyMap<number, string>;
  private readonly specialIds: ReadonlySet<number>;
  private readonly merger: BpeMerger;
  private readonly wordCache = new BoundedCache<string, readonly number[]>(WORD_CACHE_ENTRIES);

  /** From an in-memory vocabulary and merge list; throws TypeError or RangeError when they are unusable. */
  constructor(definition: ClipTokenizerDefinition) {
    const entries = definition.vocab instanceof Map ? [...definition.vocab] : Object.entries(definition.vocab);
    const vocab = new Map<string, number>();
    const tokenById = new Map<number, string>();
    for (const [token, id] of entries as Array<[string, unknown]>) {
      if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) {
        throw new RangeError(`vocabulary: token ${JSON.stringify(token)} has id ${String(id)}; ids must be integers >= 0`);
      }
      if (tokenById.has(id)) throw new RangeError(`vocabulary: id ${id} is given to two tokens`);
      vocab.set(token, id);
      tokenById.set(id, token);
    }
    this.vocab = vocab;
    this.tokenById = tokenById;

    const maxLength = definition.maxLength ?? DEFAULT_MAX_LENGTH;
    if (!Number.isInteger(maxLength) || maxLength < 2) {
      throw new RangeError(`maxLength must be an integer >= 2 (room for bos and eos), got ${maxLength}`);
    }
    this.maxLength = maxLength;

    const special = specialTokens(definition);
    const idOf = (role: string, token: string): number => {
      const id = vocab.get(token);
      if (id === undefined) throw new RangeError(`vocabulary: no entry for the ${role} token ${JSON.stringify(token)}`);
      return id;
    };
    this.bosId = idOf('bos', special.bos);
    this.eosId = idOf('eos', special.eos);
    this.padId = idOf('pad', special.pad);
    this.unkId = idOf('unk', special.unk);
    this.specialIds = new Set([this.bosId, this.eosId, this.padId, this.unkId]);

    this.merger = new BpeMerger(
      definition.merges.map((merge) => (typeof merge === 'string' ? splitMerge(merge) : merge)),
    );
  }

  /** From a Hugging Face tokenizer directory; a broken one throws TokenizerFileError naming the file. */
  static fromDirectory(dir: string): ClipTokenizer {
    return new ClipTokenizer(readTokenizerDirectory(dir));
  }

  get vocabSize(): number {
    return this.vocab.size;
  }

  encode(prompt: string): EncodedPrompt {
    if (typeof prompt !== 'string') throw new TypeError(`prompt must be a string, got ${typeName(prompt)}`);
    const room = this.maxLength - 2;
    const kept: number[] = [];
    const dropped: number[] = []; // the first ones only, enough for the report's text
    let droppedTokenCount = 0;
    for (const word of preTokenize(cleanText(prompt))) {
      const wordIds = this.wordIds(word);
      let i = 0;
      while (i < wordIds.length && kept.length < room) kept.push(wordIds[i++] as number);
      droppedTokenCount += wordIds.length - i;
      // A token is mostly one character or more, so this many fill the report (byte-level tokens of
      // CJK or emoji text may give a shorter one, ending with '…' all the same).
      while (i < wordIds.length && dropped.length < MAX_DROPPED_TEXT_CHARS) dropped.push(wordIds[i++] as number);
    }

    const tokenCount = kept.length + 2;
    const ids = [this.bosId, ...kept, this.eosId];
    while (ids.length < this.maxLength) ids.push(this.padId);
    const attentionMask = ids.map((_, i) => (i < tokenCount ? 1 : 0));
    let droppedText = '';
    if (droppedTokenCount > 0) {
      droppedText = this.decode(dropped);
      if (droppedText.length > MAX_DROPPED_TEXT_CHARS || droppedTokenCount > dropped.length) {
        droppedText = `${cutAt(droppedText, MAX_DROPPED_TEXT_CHARS)}…`;
      }
    }
    return { ids, attentionMask, tokenCount, truncated: droppedTokenCount > 0, droppedTokenCount, droppedText };
  }

  /**
   * The BPE ids of `text` alone: no bos, eos or padding, nothing cut. A weighted prompt is built
   * from these, one fragment at a time, and chunked by the caller.
   */
  tokenize(text: string): number[] {
    const ids: number[] = [];
    for (const word of preTokenize(cleanText(text))) ids.push(...this.wordIds(word));
    return ids;
  }

  /** The ids of several prompts, row after row: the data of an int32 `input_ids` tensor [n, maxLength]. */
  encodeBatch(prompts: readonly string[]): Int32Array {
    if (!Array.isArray(prompts)) throw new TypeError(`prompts must be an array of strings, got ${typeName(prompts)}`);
    const out = new Int32Array(prompts.length * this.maxLength);
    prompts.forEach((prompt: unknown, row) => {
      if (typeof prompt !== 'string') {
        throw new TypeError(`prompt must be a string (prompts[${row}] is ${typeName(prompt)})`);
      }
      out.set(this.encode(prompt).ids, row * this.maxLength);
    });
    return out;
  }

  /** The text of `ids`, special tokens (bos, eos, pad, unk) skipped; an id outside the vocabulary throws RangeError. */
  decode(ids: ArrayLike<number>): string {
    const tokens: string[] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i] as number;
      if (this.specialIds.has(id)) continue;
      const token = this.tokenById.get(id);
      if (token === undefined) throw new RangeError(`token id ${id} is not in the vocabulary`);
      tokens.push(token);
    }
    return tokensToText(tokens);
  }

  /** The ids of one pre-tokenised word. */
  private wordIds(word: string): readonly number[] {
    if (WRITTEN_SPECIAL_TOKENS.has(word)) {
      const id = this.vocab.get(word);
      if (id !== undefined) return [id];
    }
    const cached = this.wordCache.get(word);
    if (cached) return cached;
    const tokens = this.merger.split(textToByteSymbols(word).join(''));
    const ids = tokens.map((token) => this.vocab.get(token) ?? this.unkId);
    if (word.length <= MAX_CACHED_WORD_LENGTH) this.wordCache.set(word, ids);
    return ids;
  }
}

function splitMerge(merge: string): readonly [string, string] {
  const halves = merge.split(' ');
  if (halves.length !== 2) throw new RangeError(`merge ${JSON.stringify(merge)} is not "left right"`);
  return [halves[0] as string, halves[1] as string];
}

function typeName(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
}

/** The first `max` UTF-16 units of `text`, not splitting a surrogate pair, trailing spaces dropped. */
function cutAt(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return text.slice(0, end).replace(/ +$/, '');
}

/**
 * The tokenizer on the project's generated vocabulary (1,024 tokens, src/model-generator), which every
 * machine has: loading, encoding, truncation and input checks without the real CLIP files.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { trainBpe, tokenizerFiles } from '../../model-generator/tokenizer/bpe-trainer';
import { tokenizerCorpus } from '../../model-generator/tokenizer/tokenizer-corpus';
import { ClipTokenizer, MAX_DROPPED_TEXT_CHARS } from './clip-tokenizer';

const BPE = trainBpe(tokenizerCorpus(), 1024);
const BOS = 1022;
const EOS = 1023;

describe('ClipTokenizer with the generated vocabulary', () => {
  let dir: string;
  let tokenizer: ClipTokenizer;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'generated-tokenizer-'));
    for (const [name, text] of Object.entries(tokenizerFiles(BPE, 77))) fs.writeFileSync(path.join(dir, name), text);
    tokenizer = ClipTokenizer.fromDirectory(dir);
  });

  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('encodes "a red kente dress" to bos … eos within the vocabulary and decodes it back', () => {
    const { ids, tokenCount, truncated } = tokenizer.encode('a red kente dress');
    expect(ids).toHaveLength(77);
    expect(ids[0]).toBe(BOS);
    expect(ids[tokenCount - 1]).toBe(EOS);
    expect(ids.slice(tokenCount)).toEqual(new Array(77 - tokenCount).fill(EOS));
    expect(tokenCount).toBeGreaterThan(2);
    expect(ids.every((id) => Number.isInteger(id) && id >= 0 && id < 1024)).toBe(true);
    expect(truncated).toBe(false);
    expect(tokenizer.decode(ids)).toBe('a red kente dress');
  });

  it('learned whole words for the corpus: "dress" and "red" are one token each', () => {
    expect(tokenizer.encode('dress').tokenCount).toBe(3);
    expect(tokenizer.encode('red').tokenCount).toBe(3);
  });

  it('encodes words it never saw, byte by byte if need be, and decodes them back', () => {
    for (const text of ['zyxwvq', 'naïve façade', '一只猫', '🐱 👍🏽', 'x=1+2']) {
      const { ids, tokenCount } = tokenizer.encode(text);
      expect(ids.slice(1, tokenCount - 1).every((id) => id < 1022)).toBe(true);
      expect(tokenizer.decode(ids).replace(/ /g, '')).toBe(text.replace(/ /g, ''));
    }
  });

  it('gives the same ids when built in memory', () => {
    const inMemory = new ClipTokenizer({ vocab: BPE.vocab, merges: BPE.merges });
    const prompt = 'A woman wearing an Ankara print dress, 2 gold necklaces & a headwrap';
    expect(inMemory.encode(prompt)).toEqual(tokenizer.encode(prompt));
    const fromRecord = new ClipTokenizer({ vocab: Object.fromEntries(BPE.vocab), merges: BPE.merges.map((m) => m.split(' ') as [string, string]) });
    expect(fromRecord.encode(prompt)).toEqual(tokenizer.encode(prompt));
  });

  it('truncates to 75 tokens between bos and eos and reports the rest', () => {
    const oneTokenWords = ['red', 'dress', 'a', 'of'];
    for (const word of oneTokenWords) expect(tokenizer.encode(word).tokenCount).toBe(3);
    const words = Array.from({ length: 100 }, (_, i) => oneTokenWords[i % 4] as string);
    const encoded = tokenizer.encode(words.join(' '));
    expect(encoded).toMatchObject({ tokenCount: 77, truncated: true, droppedTokenCount: 25, droppedText: words.slice(75).join(' ') });
    expect(encoded.ids[76]).toBe(EOS);
  });

  it('stops the dropped-text report at MAX_DROPPED_TEXT_CHARS, still counting every token', () => {
    const encoded = tokenizer.encode('red '.repeat(10_000));
    expect(encoded.droppedTokenCount).toBe(10_000 - 75);
    expect(encoded.droppedText.length).toBeLessThanOrEqual(MAX_DROPPED_TEXT_CHARS + 1);
    expect(encoded.droppedText).toMatch(/^red( red)+…$/);
  });

  it('handles a megabyte of awkward input quickly', () => {
    for (const text of ['x'.repeat(1 << 20), '!?'.repeat(1 << 19), '&amp;'.repeat(1 << 18), '猫'.repeat(1 << 18), ' '.repeat(1 << 20)]) {
      const encoded = tokenizer.encode(text);
      expect(encoded.ids).toHaveLength(77);
    }
  });

  it('encodes a batch row after row into an Int32Array', () => {
    const batch = tokenizer.encodeBatch(['a red dress', 'gold']);
    expect(batch).toBeInstanceOf(Int32Array);
    expect(batch).toHaveLength(154);
    expect(Array.from(batch.subarray(0, 77))).toEqual(tokenizer.encode('a red dress').ids);
    expect(Array.from(batch.subarray(77))).toEqual(tokenizer.encode('gold').ids);
    expect(tokenizer.encodeBatch([])).toHaveLength(0);
  });

  it.each<[unknown, RegExp]>([
    [undefined, /prompt must be a string, got undefined/],
    [null, /prompt must be a string, got null/],
    [42, /prompt must be a string, got number/],
    [['a'], /prompt must be a string, got an array/],
    [{ text: 'a' }, /prompt must be a string, got object/],
  ])('rejects the prompt %p with a TypeError', (prompt, message) => {
    expect(() => tokenizer.encode(prompt as string)).toThrow(TypeError);
    expect(() => tokenizer.encode(prompt as string)).toThrow(message);
  });

  it('rejects a batch that is not an array of strings', () => {
    expect(() => tokenizer.encodeBatch('a' as unknown as string[])).toThrow(/prompts must be an array of strings/);
    expect(() => tokenizer.encodeBatch(['a', 3 as unknown as string])).toThrow(/prompt must be a string \(prompts\[1\] is number\)/);
  });

  it('decodes an Int32Array and rejects ids outside the vocabulary', () => {
    expect(tokenizer.decode(tokenizer.encodeBatch(['gold silk kaftan']))).toBe('gold silk kaftan');
    expect(() => tokenizer.decode([5000])).toThrow(RangeError);
    expect(() => tokenizer.decode([-1])).toThrow(/token id -1 is not in the vocabulary/);
  });
});

describe('ClipTokenizer built in memory', () => {
  const bytes = ['a', 'b', 'a</w>', 'b</w>'];
  const vocab = new Map([...bytes, 'ab</w>', '<|startoftext|>', '<|endoftext|>'].map((t, i) => [t, i] as const));

  it('maps symbols the vocabulary lacks to the unk token', () => {
    const tokenizer = new ClipTokenizer({ vocab, merges: ['a b</w>'], maxLength: 8 });
    expect(tokenizer.encode('ab c ba').ids).toEqual([5, 4, 6, 1, 2, 6, 6, 6]);
  });

  it('takes custom special tokens and length', () => {
    const tokenizer = new ClipTokenizer({ vocab, merges: [], maxLength: 4, bosToken: 'b', eosToken: 'a', padToken: 'ab</w>' });
    expect(tokenizer.encode('a')).toMatchObject({ ids: [1, 2, 0, 4], tokenCount: 3 });
    expect(tokenizer.unkId).toBe(0); // unk defaults to eos
  });

  it.each<[object, RegExp]>([
    [{ maxLength: 1 }, /maxLength must be an integer >= 2/],
    [{ maxLength: 7.5 }, /maxLength must be an integer >= 2/],
    [{ bosToken: '<s>' }, /no entry for the bos token "<s>"/],
    [{ vocab: { ...Object.fromEntries(vocab), x: -2 } }, /token "x" has id -2/],
    [{ vocab: { ...Object.fromEntries(vocab), x: 0 } }, /id 0 is given to two tokens/],
    [{ merges: ['a b c'] }, /merge "a b c" is not "left right"/],
    [{ merges: [['a', '']] }, /halves must be non-empty/],
  ])('rejects an unusable definition: %j', (change, message) => {
    expect(() => new ClipTokenizer({ vocab, merges: [], ...change })).toThrow(message);
  });
});

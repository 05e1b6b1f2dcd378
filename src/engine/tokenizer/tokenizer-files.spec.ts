import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { trainBpe, tokenizerFiles } from '../../model-generator/tokenizer/bpe-trainer';
import { tokenizerCorpus } from '../../model-generator/tokenizer/tokenizer-corpus';
import { ClipTokenizer } from './clip-tokenizer';
import { TokenizerFileError } from './tokenizer-file-error';
import { TokenizerFileTexts, parseTokenizerFiles, readTokenizerDirectory } from './tokenizer-files';

/** The generated tokenizer's four files (vocabulary of 1,024). */
const GENERATED = tokenizerFiles(trainBpe(tokenizerCorpus(), 1024), 77);
const TEXTS: TokenizerFileTexts = {
  vocab: GENERATED['vocab.json'] as string,
  merges: GENERATED['merges.txt'] as string,
  tokenizerConfig: GENERATED['tokenizer_config.json'] as string,
  specialTokensMap: GENERATED['special_tokens_map.json'] as string,
};

/** Runs `load` once; it must throw a TokenizerFileError whose message matches. */
function expectFileError(load: () => unknown, message: string | RegExp): void {
  let caught: unknown;
  try {
    load();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(TokenizerFileError);
  expect((caught as Error).message).toMatch(message);
}

describe('readTokenizerDirectory', () => {
  let root: string;

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'tokenizer-files-'));
  });

  afterEach(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  /** A `tokenizer` directory holding the generated files, with `changes` applied (null removes a file). */
  function writeDirectory(changes: Record<string, string | null> = {}): string {
    const dir = path.join(root, 'tokenizer');
    fs.mkdirSync(dir);
    for (const [name, text] of Object.entries({ ...GENERATED, ...changes })) {
      if (text !== null) fs.writeFileSync(path.join(dir, name), text);
    }
    return dir;
  }

  it('reads the four files', () => {
    const definition = readTokenizerDirectory(writeDirectory());
    expect(definition.maxLength).toBe(77);
    expect(definition.merges).toHaveLength(1024 - 512 - 2);
    expect((definition.vocab as Map<string, number>).get('<|endoftext|>')).toBe(1023);
  });

  it('needs only vocab.json and merges.txt', () => {
    const dir = writeDirectory({ 'tokenizer_config.json': null, 'special_tokens_map.json': null });
    const tokenizer = ClipTokenizer.fromDirectory(dir);
    expect([tokenizer.maxLength, tokenizer.bosId, tokenizer.eosId, tokenizer.padId]).toEqual([77, 1022, 1023, 1023]);
  });

  it('names a missing vocab.json or merges.txt', () => {
    expectFileError(() => readTokenizerDirectory(writeDirectory({ 'vocab.json': null })), 'tokenizer/vocab.json: file not found');
    fs.rmSync(path.join(root, 'tokenizer'), { recursive: true });
    expectFileError(() => readTokenizerDirectory(writeDirectory({ 'merges.txt': null })), 'tokenizer/merges.txt: file not found');
  });

  it('names a missing directory, or a file given for one', () => {
    expectFileError(() => ClipTokenizer.fromDirectory(path.join(root, 'nowhere')), /^nowhere: tokenizer directory not found/);
    fs.writeFileSync(path.join(root, 'file'), '');
    expectFileError(() => ClipTokenizer.fromDirectory(path.join(root, 'file')), /^file: is not a directory/);
  });

  it('names a file with invalid JSON', () => {
    const dir = writeDirectory({ 'vocab.json': '{"a": 1,' });
    expectFileError(() => ClipTokenizer.fromDirectory(dir), /^tokenizer\/vocab\.json: invalid JSON \(.+\)$/);
  });

  it('names a malformed merges line', () => {
    const merges = `#version: 0.2\nh e\nl l o\n`;
    expectFileError(() => ClipTokenizer.fromDirectory(writeDirectory({ 'merges.txt': merges })), 'tokenizer/merges.txt: line 3: expected "left right", got "l l o"');
  });
});

describe('parseTokenizerFiles', () => {
  const vocab = JSON.parse(TEXTS.vocab) as Record<string, number>;
  const withVocab = (value: unknown): TokenizerFileTexts => ({ ...TEXTS, vocab: JSON.stringify(value) });

  it.each<[string, unknown, RegExp]>([
    ['an array', [1, 2], /vocab\.json: must hold a JSON object mapping tokens to integer ids, got an array/],
    ['null', null, /got null/],
    ['a fractional id', { ...vocab, x: 1.5 }, /token "x" has id 1\.5; ids must be integers >= 0/],
    ['a negative id', { ...vocab, x: -1 }, /token "x" has id -1/],
    ['a string id', { ...vocab, x: '7' }, /token "x" has id "7"/],
    ['a shared id', { ...vocab, x: 0 }, /share the id 0/],
    ['no bos token', { ...vocab, '<|startoftext|>': undefined }, /vocab\.json: has no entry for the bos token "<\|startoftext\|>"/],
    ['no eos token', { ...vocab, '<|endoftext|>': undefined }, /vocab\.json: has no entry for the eos token "<\|endoftext\|>"/],
    ['nothing', {}, /vocabulary is empty/],
  ])('rejects a vocab.json holding %s', (_, value, message) => {
    expectFileError(() => parseTokenizerFiles(withVocab(value)), message);
  });

  it.each<[string, RegExp]>([
    ['#version: 0.2\na\n', /merges\.txt: line 2: expected "left right", got "a"/],
    ['#version: 0.2\na  b\n', /line 2/],
    ['a b\n b\n', /line 2/],
    ['a b \n', /line 1/],
  ])('rejects merges.txt %j', (merges, message) => {
    expectFileError(() => parseTokenizerFiles({ ...TEXTS, merges }), message);
  });

  it('skips #version headers and blank lines, and reads CRLF', () => {
    const { merges } = parseTokenizerFiles({ ...TEXTS, merges: '\ufeff#version: 0.2\r\nh e\r\n\r\n#version: again\nl l' });
    expect(merges).toEqual([
      ['h', 'e'],
      ['l', 'l'],
    ]);
  });

  it('reads special tokens as strings or AddedToken objects; special_tokens_map.json wins', () => {
    const definition = parseTokenizerFiles({
      ...TEXTS,
      tokenizerConfig: JSON.stringify({ model_max_length: 16, bos_token: { __type: 'AddedToken', content: '<|startoftext|>' }, pad_token: '<|endoftext|>' }),
      specialTokensMap: JSON.stringify({ pad_token: { content: '!' }, unk_token: null }),
    });
    expect(definition).toMatchObject({ maxLength: 16, bosToken: '<|startoftext|>', padToken: '!', unkToken: undefined });
    const tokenizer = new ClipTokenizer(definition);
    expect(tokenizer.encode('')).toMatchObject({ ids: [1022, 1023, ...new Array(14).fill(vocab['!'])], tokenCount: 2 });
  });

  it.each<[Partial<TokenizerFileTexts>, RegExp]>([
    [{ tokenizerConfig: '[]' }, /^tokenizer\/tokenizer_config\.json: must hold a JSON object, got an array/],
    [{ tokenizerConfig: 'nope' }, /^tokenizer\/tokenizer_config\.json: invalid JSON/],
    [{ tokenizerConfig: '{"model_max_length": 1}' }, /model_max_length must be an integer from 2 to 100000, got 1/],
    [{ tokenizerConfig: '{"model_max_length": 1e30}' }, /model_max_length must be an integer/],
    [{ tokenizerConfig: '{"model_max_length": "77"}' }, /model_max_length must be an integer/],
    [{ specialTokensMap: '{"eos_token": 5}' }, /^tokenizer\/special_tokens_map\.json: eos_token must be a non-empty string/],
    [{ specialTokensMap: '{"pad_token": "<pad>"}' }, /^tokenizer\/vocab\.json: has no entry for the pad token "<pad>"/],
  ])('rejects bad settings: %j', (change, message) => {
    expectFileError(() => parseTokenizerFiles({ ...TEXTS, ...change }), message);
  });

  it('puts the given directory name before the file', () => {
    expectFileError(() => parseTokenizerFiles({ ...TEXTS, vocab: '' }, 'my-model/tokenizer'), /^my-model\/tokenizer\/vocab\.json: invalid JSON/);
  });
});

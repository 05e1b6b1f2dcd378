/**
 * The tokenizer against the real CLIP vocabulary of Stable Diffusion 1.x (shared/data/clip, see its
 * README), loaded through Hugging Face files written to a temporary directory. Skipped, with a
 * warning, where that folder is absent; CLIP_VOCAB_DIR points elsewhere.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { CLIP_BASE_SYMBOLS } from './byte-unicode';
import { ClipTokenizer, MAX_DROPPED_TEXT_CHARS } from './clip-tokenizer';

const VOCAB_NAME = 'bpe_simple_vocab_16e6.txt.gz';
// CLIP_VOCAB_DIR, else the shared data folder beside this checkout, else the workspace's shared folder
// (CI clones the repository elsewhere).
const CANDIDATE_DIRS = [process.env['CLIP_VOCAB_DIR'], path.resolve(__dirname, '../../../../shared/data/clip'), '/work/shared/data/clip'];
const CLIP_VOCAB_FILE =
  CANDIDATE_DIRS.filter((d): d is string => !!d)
    .map((d) => path.join(d, VOCAB_NAME))
    .find((f) => fs.existsSync(f)) ?? path.join(CANDIDATE_DIRS[1] as string, VOCAB_NAME);
const haveVocab = fs.existsSync(CLIP_VOCAB_FILE);
if (!haveVocab) {
  console.warn(`Skipping the real CLIP vocabulary tests: ${VOCAB_NAME} not found in ${CANDIDATE_DIRS.filter(Boolean).join(', ')} (set CLIP_VOCAB_DIR).`);
}
const describeWithVocab = haveVocab ? describe : describe.skip;

const BOS = 49406;
const EOS = 49407;

/**
 * Writes `openai/clip-vit-large-patch14`'s tokenizer files from CLIP's merge list, per the data
 * README: 48,894 merges; vocab = byte symbols, the same with `</w>`, one token per merge, bos, eos.
 * The byte symbols go in CLIP's order, printable bytes first, i.e. by code point.
 */
function writeClipTokenizerDirectory(): string {
  const lines = zlib.gunzipSync(fs.readFileSync(CLIP_VOCAB_FILE)).toString('utf8').split('\n');
  const merges = lines.slice(1, 48895);
  const bytes = CLIP_BASE_SYMBOLS;
  const tokens = [
    ...bytes,
    ...bytes.map((s) => `${s}</w>`),
    ...merges.map((m) => m.replace(' ', '')),
    '<|startoftext|>',
    '<|endoftext|>',
  ];
  const added = (content: string) => ({ __type: 'AddedToken', content, lstrip: false, normalized: true, rstrip: false, single_word: false });
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'clip-vocab-')), 'tokenizer');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'vocab.json'), JSON.stringify(Object.fromEntries(tokens.map((t, id) => [t, id]))));
  fs.writeFileSync(path.join(dir, 'merges.txt'), `#version: 0.2\n${merges.join('\n')}\n`);
  // As published for Stable Diffusion 1.x: AddedToken objects in the config, strings in the map.
  fs.writeFileSync(
    path.join(dir, 'tokenizer_config.json'),
    JSON.stringify({
      add_prefix_space: false,
      bos_token: added('<|startoftext|>'),
      do_lower_case: true,
      eos_token: added('<|endoftext|>'),
      errors: 'replace',
      model_max_length: 77,
      pad_token: '<|endoftext|>',
      tokenizer_class: 'CLIPTokenizer',
      unk_token: added('<|endoftext|>'),
    }),
  );
  fs.writeFileSync(
    path.join(dir, 'special_tokens_map.json'),
    JSON.stringify({ bos_token: '<|startoftext|>', eos_token: '<|endoftext|>', pad_token: '<|endoftext|>', unk_token: '<|endoftext|>' }),
  );
  return dir;
}

describeWithVocab('ClipTokenizer with the CLIP vocabulary', () => {
  let tokenizer: ClipTokenizer;
  let dir: string;

  beforeAll(() => {
    dir = writeClipTokenizerDirectory();
    tokenizer = ClipTokenizer.fromDirectory(dir);
  });

  afterAll(() => {
    fs.rmSync(path.dirname(dir), { recursive: true, force: true });
  });

  /** The ids up to and including eos, after checking the padding. */
  function idsOf(text: string): number[] {
    const { ids, tokenCount, attentionMask } = tokenizer.encode(text);
    expect(ids).toHaveLength(77);
    expect(ids.slice(tokenCount)).toEqual(new Array(77 - tokenCount).fill(EOS));
    expect(attentionMask).toEqual(ids.map((_, i) => (i < tokenCount ? 1 : 0)));
    return ids.slice(0, tokenCount);
  }

  it('reads the directory: 49,408 tokens, ids of bos, eos and padding, 77 long', () => {
    expect(tokenizer.vocabSize).toBe(49408);
    expect([tokenizer.bosId, tokenizer.eosId, tokenizer.padId, tokenizer.unkId]).toEqual([BOS, EOS, EOS, EOS]);
    expect(tokenizer.maxLength).toBe(77);
  });

  it.each<[string, number[]]>([
    ['a photo of a cat', [BOS, 320, 1125, 539, 320, 2368, EOS]],
    ['a photo of a dog', [BOS, 320, 1125, 539, 320, 1929, EOS]],
    ['', [BOS, EOS]],
    ['Hello, world!', [BOS, 3306, 267, 1002, 256, EOS]],
    ['a photograph of an astronaut riding a horse', [BOS, 320, 8853, 539, 550, 18376, 6765, 320, 4558, EOS]],
  ])('encodes %p as the data README lists', (text, expected) => {
    expect(idsOf(text)).toEqual(expected);
  });

  // Computed with a transcription of CLIP's simple_tokenizer.py in Python (`regex` module, no ftfy).
  it.each<[string, number[]]>([
    ['café', [15304]],
    ['一只猫', [19759, 222, 34517, 103, 163, 234, 360]],
    ['a cat 🐱 wearing 👍🏽', [320, 2368, 22979, 3309, 43722]],
    ["it's", [585, 568]],
    ["we're they'll", [649, 982, 889, 1342]],
    ['1234', [272, 273, 274, 275]],
    ['&lt;3 &#x41;&#66;', [283, 274, 3937]],
    ['kente-print dress, size 42', [74, 9935, 268, 3557, 2595, 267, 3235, 275, 273]],
    ['e\u0301', [4166]], // NFC: the same as "é"
  ])('encodes %p as CLIP does', (text, expected) => {
    expect(idsOf(text)).toEqual([BOS, ...expected, EOS]);
  });

  it('normalises white space and case', () => {
    expect(idsOf('  A   Photo\n of a CAT ')).toEqual(idsOf('a photo of a cat'));
    expect(idsOf('a\tphoto\u3000of\u00a0a\r\ncat')).toEqual(idsOf('a photo of a cat'));
  });

  it('decodes HTML entities, twice as CLIP does', () => {
    expect(idsOf('a &amp; b')).toEqual(idsOf('a & b'));
    expect(idsOf('a &amp;amp; b')).toEqual(idsOf('a & b'));
    expect(idsOf('&quot;red&quot; &#39;kente&#39;')).toEqual(idsOf('"red" \'kente\''));
  });

  it('gives each digit its own token', () => {
    const ids = idsOf('1234');
    expect(ids).toHaveLength(6);
    expect(ids.slice(1, -1).map((id) => tokenizer.decode([id]))).toEqual(['1', '2', '3', '4']);
  });

  it('splits contractions off, whatever the case', () => {
    expect(idsOf("IT'S")).toEqual(idsOf("it's"));
    expect(tokenizer.decode(idsOf("it's"))).toBe("it 's");
  });

  it.each(['café', '一只猫', 'a cat 🐱 wearing 👍🏽', 'robe en wax brodée à la main', 'ጥበብ ቀሚስ', 'платье'])(
    'encodes and decodes non-ASCII text: %p',
    (text) => {
      const ids = idsOf(text);
      expect(ids.length).toBeGreaterThan(2);
      expect(ids.every((id) => Number.isInteger(id) && id >= 0 && id < 49408)).toBe(true);
      expect(tokenizer.decode(ids).replace(/ /g, '')).toBe(text.replace(/ /g, ''));
    },
  );

  it('decodes ordinary text back, skipping bos, eos and padding', () => {
    const text = 'a photograph of an astronaut riding a horse';
    expect(tokenizer.decode(tokenizer.encode(text).ids)).toBe(text);
    expect(tokenizer.decode(tokenizer.encode('Hello, world!').ids)).toBe('hello , world !');
  });

  it('truncates a 100-word prompt to 77 ids and reports what it cut', () => {
    const words = Array.from({ length: 100 }, (_, i) => ['red', 'silk', 'dress', 'gold', 'photo'][i % 5] as string);
    const encoded = tokenizer.encode(words.join(' '));
    expect(encoded.ids).toHaveLength(77);
    expect(encoded.ids[0]).toBe(BOS);
    expect(encoded.ids[76]).toBe(EOS);
    expect(encoded.tokenCount).toBe(77);
    expect(encoded.attentionMask.every((m) => m === 1)).toBe(true);
    expect(encoded.truncated).toBe(true);
    // Each of these words is one token: the first 75 stay, the other 25 go.
    expect(encoded.droppedTokenCount).toBe(25);
    expect(encoded.droppedText).toBe(words.slice(75).join(' '));
    expect(tokenizer.decode(encoded.ids)).toBe(words.slice(0, 75).join(' '));
  });

  it('cuts inside a word as Hugging Face does, and reports the rest of it', () => {
    expect(idsOf('boubouastronaut')).toEqual([BOS, 3728, 3728, 18376, EOS]); // bou bou astronaut
    const encoded = tokenizer.encode(`${'red '.repeat(74)}boubouastronaut`);
    expect(encoded.ids.slice(74, 77)).toEqual([736, 3728, EOS]);
    expect(encoded.droppedTokenCount).toBe(2);
    expect(encoded.droppedText).toBe('bouastronaut');
  });

  it('does not report anything for a prompt that fits exactly', () => {
    const encoded = tokenizer.encode('red '.repeat(75));
    expect(encoded).toMatchObject({ tokenCount: 77, truncated: false, droppedTokenCount: 0, droppedText: '' });
  });

  it('lays out a batch row by row', () => {
    const prompts = ['a photo of a cat', '', 'a photo of a dog'];
    const batch = tokenizer.encodeBatch(prompts);
    expect(batch).toBeInstanceOf(Int32Array);
    expect(batch).toHaveLength(3 * 77);
    prompts.forEach((prompt, row) => {
      expect(Array.from(batch.subarray(row * 77, (row + 1) * 77))).toEqual(tokenizer.encode(prompt).ids);
    });
  });

  it('maps the special tokens written in a prompt to their ids, as CLIP does', () => {
    expect(idsOf('<|endoftext|> a')).toEqual([BOS, EOS, 320, EOS]);
  });

  it('tokenises a megabyte quickly and reports the cut text briefly', () => {
    const encoded = tokenizer.encode('gold '.repeat(200_000));
    expect(encoded.droppedTokenCount).toBe(200_000 - 75);
    expect(encoded.droppedText.length).toBeLessThanOrEqual(MAX_DROPPED_TEXT_CHARS + 1);
    expect(encoded.droppedText).toMatch(/^(gold ){50,}gold…$/);

    const oneWord = tokenizer.encode('a'.repeat(1 << 20)); // one word of a million symbols // about 1 s; the margin is for slow CI machines
    expect(oneWord.truncated).toBe(true);
    expect(oneWord.ids[76]).toBe(EOS);
  });
});

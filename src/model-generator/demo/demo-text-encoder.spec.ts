import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OnnxSession } from '../../engine/runtime/onnx-runtime';
import { tensor } from '../../engine/runtime/tensor';
import { FASHION_VOCABULARY, resolveTerm } from '../../prompt-language';
import { encodeModel } from '../onnx/onnx-proto';
import { ATTRIBUTE_NAMES, DEMO_TEXT_WIDTH, attributeWords } from './demo-attributes';
import { SEQUENCE_LENGTH, buildDemoTextEncoder, demoTokenizer } from './demo-text-encoder';

/** The attribute names a prompt's tokens carry, token by token (bos, eos and padding excluded). */
function attributesOfPrompt(prompt: string): string[][] {
  const { tokenizer, attributeTokens } = demoTokenizer();
  const encoded = tokenizer.encode(prompt);
  return encoded.ids.slice(1, encoded.tokenCount - 1).map((id) => (attributeTokens.get(id) ?? []).map((d) => ATTRIBUTE_NAMES[d] as string));
}

describe('demo tokenizer', () => {
  it('makes every attribute word a single token of its own', () => {
    const { tokenizer, attributeTokens } = demoTokenizer();
    const words = attributeWords();
    expect(words.size).toBeGreaterThan(200);
    expect(attributeTokens.size).toBe(words.size);
    for (const word of words.keys()) expect([word, tokenizer.encode(word).tokenCount]).toEqual([word, 3]);
  });

  it('maps English and French synonyms and inflected forms to one attribute dimension', () => {
    const same = (words: string[], attribute: string): void => {
      for (const word of words) expect([word, attributesOfPrompt(word)]).toEqual([word, [[attribute]]]);
    };
    same(['red', 'rouge', 'rouges', 'scarlet', 'écarlate'], 'colour:red');
    same(['blue', 'bleu', 'bleue', 'bleues', 'cobalt'], 'colour:blue');
    same(['gold', 'golden', 'doré', 'dorée', 'dorées'], 'colour:gold');
    same(['white', 'blanc', 'blanche', 'blanches'], 'colour:white');
    same(['purple', 'violet', 'violette', 'mauve'], 'colour:purple');
    same(['kente', 'kenté'], 'style:kente');
    same(['wax', 'ankara'], 'style:wax');
    same(['bogolan', 'mudcloth', 'bogolanfini'], 'style:bogolan');
    same(['adire'], 'style:adire');
    same(['lace', 'dentelle', 'guipure'], 'style:lace');
    same(['striped', 'stripes', 'rayures', 'rayée'], 'style:stripes');
    same(['polka', 'dots', 'pois'], 'style:polka-dots');
    same(['plaid', 'tartan', 'carreaux', 'gingham'], 'style:plaid');
    same(['plain', 'uni', 'unie'], 'style:plain');
  });

  it('covers the vocabulary: each colour id and each demo fabric id names its own dimension', () => {
    for (const term of FASHION_VOCABULARY.colour) {
      if (term.id.includes('-')) continue;
      expect([term.id, attributesOfPrompt(term.id)]).toEqual([term.id, [[`colour:${term.id}`]]]);
      expect(resolveTerm('colour', term.id)?.id).toBe(term.id);
    }
    for (const id of ['kente', 'wax', 'bogolan', 'adire', 'lace']) expect(resolveTerm('fabric', id)?.id).toBe(id);
  });

  it('finds the attributes of whole prompts, and nothing in other words', () => {
    expect(attributesOfPrompt('a red kente dress')).toEqual([[], ['colour:red'], ['style:kente'], ['garment:dress']]);
    expect(attributesOfPrompt('robe en wax bleu')).toEqual([['garment:dress'], [], ['style:wax'], ['colour:blue']]);
    expect(attributesOfPrompt('Robe en pagne WAX bleue et dorée').flat()).toEqual(['garment:dress', 'style:wax', 'colour:blue', 'colour:gold']);
    // French "or" (gold) is left out: in prompts it is the English conjunction.
    expect(attributesOfPrompt('red or blue').flat()).toEqual(['colour:red', 'colour:blue']);
    // Garment, length and accessory words are attributes too (the demo draws them).
    expect(attributesOfPrompt('a photo of a woman wearing a long gown with cowries, studio, high quality').flat()).toEqual(['length:long', 'garment:dress', 'accessory:cowries']);
    expect(attributesOfPrompt('a mid-length skirt').flat()).toEqual(['length:midi', 'garment:skirt']);
    expect(attributesOfPrompt('a photo of a woman, studio, high quality').flat()).toEqual([]);
  });
});

describe('demo text encoder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'afd-demo-te-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('outputs one-hot attribute rows for attribute tokens, zeros elsewhere, and their maximum as pooler_output', async () => {
    const tokens = demoTokenizer();
    const path = join(dir, 'model.onnx');
    writeFileSync(path, encodeModel(buildDemoTextEncoder(tokens)));
    const session = await OnnxSession.load(path, { device: 'cpu', intraOpThreads: 1 });
    try {
      const prompts = ['a red kente dress', '', 'robe en wax bleu'];
      const ids = tokens.tokenizer.encodeBatch(prompts);
      const out = await session.run({ input_ids: tensor('int32', ids, [prompts.length, SEQUENCE_LENGTH]) });
      expect(out['last_hidden_state']?.dims).toEqual([3, SEQUENCE_LENGTH, DEMO_TEXT_WIDTH]);
      expect(out['pooler_output']?.dims).toEqual([3, DEMO_TEXT_WIDTH]);
      const hidden = out['last_hidden_state']?.data as Float32Array;
      const pooled = out['pooler_output']?.data as Float32Array;
      const rowAttributes = (row: number, position: number): string[] => {
        const at = (row * SEQUENCE_LENGTH + position) * DEMO_TEXT_WIDTH;
        return [...hidden.subarray(at, at + DEMO_TEXT_WIDTH)].flatMap((v, d) => (v === 1 ? [ATTRIBUTE_NAMES[d] as string] : v === 0 ? [] : [`?${v}`]));
      };
      expect(rowAttributes(0, 2)).toEqual(['colour:red']);
      expect(rowAttributes(0, 3)).toEqual(['style:kente']);
      expect(rowAttributes(0, 4)).toEqual(['garment:dress']);
      for (const position of [0, 1, 5, 76]) expect(rowAttributes(0, position)).toEqual([]);
      const pooledNames = (row: number): string[] => [...pooled.subarray(row * DEMO_TEXT_WIDTH, (row + 1) * DEMO_TEXT_WIDTH)].flatMap((v, d) => (v ? [ATTRIBUTE_NAMES[d] as string] : []));
      expect(pooledNames(0)).toEqual(['style:kente', 'colour:red', 'garment:dress']);
      expect(pooledNames(1)).toEqual([]);
      expect(pooledNames(2)).toEqual(['style:wax', 'colour:blue', 'garment:dress']);
    } finally {
      await session.release();
    }
  });
});

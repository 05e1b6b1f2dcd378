import { parsePrompt } from './parse-prompt';
import type { PromptAttributes } from './prompt-attributes';
import { PromptInputError, PromptTemplateError } from './prompt-errors';

type Expected = Partial<PromptAttributes> & { prompt?: string; unplaced?: string[]; language?: string };

const NONE: PromptAttributes = { garment: null, fabrics: [], colours: [], gender: null, length: null, accessories: [] };

describe('parsePrompt on product titles', () => {
  it.each<[string, Expected]>([
    [
      'Robe longue en wax rouge et jaune pour femme',
      { garment: 'dress', length: 'long', fabrics: ['wax'], colours: ['red', 'yellow'], gender: 'woman', language: 'fr', unplaced: [], prompt: 'a woman in a long red and yellow wax dress, african fashion' },
    ],
    ["Men's kente agbada, gold and green", { garment: 'agbada', fabrics: ['kente'], colours: ['gold', 'green'], gender: 'man', language: 'en', unplaced: [], prompt: 'a man in a gold and green kente agbada, african fashion' }],
    ["Boucles d'oreilles en cauris", { garment: 'earrings', fabrics: ['cowrie'], language: 'fr', unplaced: [], prompt: 'cowrie earrings, african fashion' }],
    ['Jupe midi en bogolan noir et blanc', { garment: 'skirt', length: 'midi', fabrics: ['bogolan'], colours: ['black', 'white'], language: 'fr', prompt: 'a mid-length black and white bogolan skirt, african fashion' }],
    ['Mudcloth mid-length skirt, black & white', { garment: 'skirt', length: 'midi', fabrics: ['bogolan'], colours: ['black', 'white'], language: 'en', unplaced: [] }],
    ['Chemise homme en pagne wax bleu', { garment: 'shirt', fabrics: ['wax'], colours: ['blue'], gender: 'man', language: 'fr', unplaced: [] }],
    ['Robe courte verte à manches longues', { garment: 'dress', length: 'short', colours: ['green'], language: 'fr', unplaced: ['manches longues'], prompt: 'a short green dress, african fashion' }],
    ['Short en wax pour homme', { garment: 'shorts', fabrics: ['wax'], gender: 'man', language: 'fr', prompt: 'a man in wax shorts, african fashion' }],
    ['Short wax dress', { garment: 'dress', length: 'short', fabrics: ['wax'], language: 'en' }],
    ['Kente dress with gold earrings and cowries', { garment: 'dress', fabrics: ['kente'], accessories: ['gold-earrings', 'cowries'], prompt: 'a kente dress with gold earrings and cowries, african fashion' }],
    ['Gold earrings', { garment: 'earrings', colours: ['gold'], accessories: [], prompt: 'gold earrings, african fashion' }],
    ['Foulard en wax jaune et vert', { garment: 'headwrap', fabrics: ['wax'], colours: ['yellow', 'green'], accessories: [] }],
    ['Robe wax avec foulard assorti', { garment: 'dress', fabrics: ['wax'], accessories: ['headwrap'], unplaced: ['assorti'], prompt: 'a wax dress with a headwrap, african fashion' }],
    ['Sac à main en raphia et cuir avec perles', { garment: 'bag', fabrics: ['raffia', 'leather'], accessories: ['beads'], unplaced: [] }],
    ['Aso oke gele for women, gold', { garment: 'headwrap', fabrics: ['aso-oke'], colours: ['gold'], gender: 'woman', language: 'en' }],
    ['Gele en aso-oke doré', { garment: 'headwrap', fabrics: ['aso-oke'], colours: ['gold'], language: 'fr' }],
    ['Robe en wax or et vert', { garment: 'dress', fabrics: ['wax'], colours: ['gold', 'green'], language: 'fr' }],
    ['Red or blue ankara dress', { garment: 'dress', fabrics: ['ankara'], colours: ['red', 'blue'], language: 'en', unplaced: [] }],
    ['Boubou homme en bazin riche brodé', { garment: 'boubou', fabrics: ['bazin'], gender: 'man', unplaced: ['brodé'] }],
    ['Dashiki unisexe homme et femme', { garment: 'dashiki', gender: 'unisex', prompt: 'a person in a dashiki, african fashion' }],
    ['Ensemble chemise et pantalon en wax pour homme', { garment: 'two-piece', fabrics: ['wax'], gender: 'man', unplaced: ['chemise', 'pantalon'] }],
    ["Women’s off-the-shoulder Ankara top, long sleeves", { garment: 'top', fabrics: ['ankara'], gender: 'woman', length: null, unplaced: ['off-the-shoulder', 'long sleeves'] }],
    ['Vlisco maxi dress for ladies', { garment: 'dress', fabrics: ['vlisco'], length: 'long', gender: 'woman', prompt: 'a woman in a long vlisco dress, african fashion' }],
    ['Sandales en cuir avec cauris, marron', { garment: 'sandals', fabrics: ['leather'], colours: ['brown'], accessories: ['cowries'], prompt: 'brown leather sandals with cowries, african fashion' }],
    ['Collier en perles multicolores', { garment: 'necklace', fabrics: ['beads'], colours: ['multicolour'], prompt: 'a multicoloured beaded necklace, african fashion' }],
    ['Kimono en kitenge, taille unique, fait main au Sénégal', { garment: 'kimono', fabrics: ['kitenge'], unplaced: ['taille', 'unique', 'fait', 'main', 'Sénégal'] }],
    ['Pagne wax 6 yards', { garment: null, fabrics: ['wax'], unplaced: ['6', 'yards'], prompt: 'wax, african fashion' }],
    ['Girls ankara dress', { garment: 'dress', fabrics: ['ankara'], gender: 'child', prompt: 'a child in an ankara dress, african fashion' }],
    ['ROBE LONGUE WAX', { garment: 'dress', length: 'long', fabrics: ['wax'], language: 'fr' }],
  ])('reads %j (attributes not listed are empty)', (title, expected) => {
    const { prompt, unplaced, language, ...attributes } = expected;
    const parsed = parsePrompt(title);
    expect(parsed.attributes).toEqual({ ...NONE, ...attributes });
    if (prompt !== undefined) expect(parsed.prompt).toBe(prompt);
    if (unplaced !== undefined) expect(parsed.unplaced).toEqual(unplaced);
    if (language !== undefined) expect(parsed.language).toBe(language);
  });

  it('quotes what it placed, phrase by phrase', () => {
    expect(parsePrompt("Boucles d'oreilles dorées en cauris").placed).toEqual([
      { text: "Boucles d'oreilles dorées", field: 'garment', value: 'earrings' },
      { text: "Boucles d'oreilles dorées", field: 'colours', value: 'gold' },
      { text: 'cauris', field: 'fabrics', value: 'cowrie' },
    ]);
  });

  it('builds the prompt with a given template', () => {
    const parsed = parsePrompt('Robe en kente pour femme', { template: '{gender} wearing {a} {fabrics} {garment}' });
    expect(parsed.prompt).toBe('a woman wearing a kente dress');
  });

  it('keeps one garment, one length and one gender; the rest is unplaced', () => {
    const parsed = parsePrompt('Robe et jupe, longue ou courte, femme ou enfant');
    expect(parsed.attributes).toMatchObject({ garment: 'dress', length: 'long', gender: 'woman' });
    expect(parsed.unplaced).toEqual(['jupe', 'courte', 'enfant']);
  });

  it('reports each unplaced word once, as first written', () => {
    expect(parsePrompt('Robe Brodée, robe brodee, ROBE BRODÉE').unplaced).toEqual(['Brodée']);
  });

  it('skips function words of both languages and words every prompt implies', () => {
    expect(parsePrompt('The African print fabric of the day, le tissu africain de la mode').unplaced).toEqual(['day']);
  });

  it('is deterministic', () => {
    const title = 'Robe longue en wax rouge et jaune pour femme avec foulard et boucles d’oreilles dorées';
    expect(parsePrompt(title)).toEqual(parsePrompt(title));
  });
});

describe('parsePrompt on hostile input', () => {
  function inputError(text: unknown, options = {}): PromptInputError {
    try {
      parsePrompt(text, options);
    } catch (error) {
      if (error instanceof PromptInputError) return error;
      throw error;
    }
    throw new Error('accepted');
  }

  it.each<[string, unknown, RegExp]>([
    ['undefined', undefined, /^text: must be a string, got undefined$/],
    ['null', null, /^text: must be a string, got null$/],
    ['a number', 42, /must be a string, got number/],
    ['an object', { text: 'robe' }, /must be a string, got an object/],
    ['an array', ['robe'], /must be a string, got an array/],
    ['an empty string', '', /^text: must not be empty$/],
    ['white space', ' \n\t ', /must not be empty/],
    ['a huge text', 'robe '.repeat(1000), /^text: must be at most 2000 characters, got 5000$/],
  ])('rejects %s, naming the field text', (_label, text, message) => {
    const error = inputError(text);
    expect(error.field).toBe('text');
    expect(error.message).toMatch(message);
  });

  it('takes a lower length cap, never a higher one', () => {
    expect(inputError('robe en wax', { maxLength: 5 }).rule).toBe('must be at most 5 characters, got 11');
    expect(inputError('x'.repeat(2001), { maxLength: 10_000 }).rule).toMatch(/at most 2000/);
    expect(inputError('x'.repeat(2001), { maxLength: Number.NaN }).rule).toMatch(/at most 2000/);
  });

  it('rejects a bad template', () => {
    expect(() => parsePrompt('robe', { template: '{robe}' })).toThrow(PromptTemplateError);
  });

  it.each<[string, string]>([
    ['only punctuation', '!!!???...,;:'],
    ['only emoji', '👗✨❤️🇸🇳'],
    ['combining marks', '\u0301\u0301\u0301'],
    ['control characters', '\u0000\u0007\u001b'],
  ])('gives the generic prompt for %s', (_label, text) => {
    expect(parsePrompt(text)).toEqual({ attributes: NONE, prompt: 'african fashion', unplaced: [], language: 'unknown', placed: [] });
  });

  it('reads through emoji and odd spacing', () => {
    const parsed = parsePrompt('👗✨Robe\u00a0en   wax✨👗 rouge🔥');
    expect(parsed.attributes).toMatchObject({ garment: 'dress', fabrics: ['wax'], colours: ['red'] });
    expect(parsed.unplaced).toEqual([]);
  });

  it.each<[string, string]>([
    ['one long word', 'a'.repeat(2000)],
    ['repeated vocabulary', 'robe '.repeat(400)],
    ['repeated phrase prefixes', 'boucles d '.repeat(200)],
    ['many short unknown words', 'x '.repeat(1000)],
    ['stacked combining marks', 'e\u0301\u0302\u0303'.repeat(500)],
    ['alternating punctuation', 'a,'.repeat(1000)],
  ])('copes with %s at the length cap', (_label, text) => {
    // Speed is not asserted here (timed assertions flake on shared machines); parsing is linear by construction.
    const parsed = parsePrompt(text);
    expect(typeof parsed.prompt).toBe('string');
    expect(parsed.unplaced.length).toBeLessThanOrEqual(1);
  });
});

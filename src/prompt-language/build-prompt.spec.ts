import { buildPrompt, joinList, renderPrompt } from './build-prompt';
import { EMPTY_ATTRIBUTES } from './prompt-attributes';
import { PromptInputError, PromptTemplateError } from './prompt-errors';
import { compilePromptTemplate } from './prompt-template';

const prompt = (attributes: unknown, template?: string): string => buildPrompt(attributes, template === undefined ? {} : { template }).prompt;

describe('buildPrompt', () => {
  it('writes every attribute in the release style', () => {
    const built = buildPrompt({ garment: 'dress', fabrics: ['kente'], colours: ['red', 'gold'], gender: 'woman', length: 'long', accessories: ['cowries'] });
    expect(built.prompt).toBe('a woman in a long red and gold kente dress with cowries, african fashion');
    expect(built.attributes).toEqual({ garment: 'dress', fabrics: ['kente'], colours: ['red', 'gold'], gender: 'woman', length: 'long', accessories: ['cowries'] });
  });

  it('reproduces the release examples', () => {
    expect(prompt({ gender: 'man', fabrics: ['ankara'] })).toBe('a man in ankara, african fashion');
    expect(prompt({ gender: 'woman', fabrics: ['vlisco'], accessories: ['gold earrings'] })).toBe('a woman in vlisco with gold earrings, african fashion');
  });

  it('gives a generic prompt for no attributes', () => {
    expect(prompt({})).toBe('african fashion');
    expect(prompt(undefined)).toBe('african fashion');
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a garment', { garment: 'skirt' }, 'a skirt, african fashion'],
    ['a gender', { gender: 'woman' }, 'a woman, african fashion'],
    ['accessories', { accessories: ['cowries', 'headwrap'] }, 'cowries and a headwrap, african fashion'],
    ['gender and accessories', { gender: 'man', accessories: ['hat'] }, 'a man with a hat, african fashion'],
    ['a fabric', { fabrics: ['bogolan'] }, 'bogolan, african fashion'],
    ['a plural garment', { garment: 'trousers', colours: ['black'] }, 'black trousers, african fashion'],
    ['"an" before a vowel', { garment: 'agbada', fabrics: ['aso-oke'] }, 'an aso-oke agbada, african fashion'],
    ['"an" before orange', { colours: ['orange'], garment: 'kaftan' }, 'an orange kaftan, african fashion'],
    ['three colours', { colours: ['red', 'yellow', 'green'], garment: 'dashiki', gender: 'unisex' }, 'a person in a red, yellow and green dashiki, african fashion'],
    ['mid-length', { length: 'midi', fabrics: ['kitenge'], garment: 'skirt' }, 'a mid-length kitenge skirt, african fashion'],
    ['a child', { gender: 'child', garment: 'dress', fabrics: ['wax'] }, 'a child in a wax dress, african fashion'],
  ])('writes %s cleanly', (_label, attributes, expected) => {
    expect(prompt(attributes)).toBe(expected);
  });

  it('normalises French and synonym values to the same prompt', () => {
    const english = prompt({ garment: 'dress', fabrics: ['wax'], colours: ['red', 'yellow'], gender: 'woman', length: 'long', accessories: ['headwrap'] });
    const french = prompt({ garment: 'Robe', fabrics: ['pagne wax'], colours: ['rouge', 'jaune'], gender: 'Femme', length: 'longue', accessories: ['foulard'] });
    const synonyms = prompt({ garment: 'gown', fabric: 'dutch wax', colors: ['scarlet', 'yellow'], gender: 'ladies', length: 'maxi', accessory: 'gele' });
    expect(french).toBe(english);
    expect(synonyms).toBe(english);
    expect(english).toBe('a woman in a long red and yellow wax dress with a headwrap, african fashion');
  });

  it('rejects unknown values with a PromptInputError naming the field and the allowed values', () => {
    expect(() => buildPrompt({ colours: ['red', 'ultraviolet'] })).toThrow(PromptInputError);
    try {
      buildPrompt({ fabrics: ['polyester', 'kevlar'] });
    } catch (error) {
      expect(error).toBeInstanceOf(PromptInputError);
      expect((error as PromptInputError).field).toBe('fabrics');
      expect((error as PromptInputError).allowed).toContain('kente');
    }
    expect.assertions(4);
  });

  it('uses a checkpoint template, compiled or as a string', () => {
    const attributes = { garment: 'dress', fabrics: ['kente'], gender: 'woman', colours: ['gold'] };
    const template = compilePromptTemplate('photo of {gender} wearing {a} {colours} {fabric} {garment}, studio lighting');
    expect(buildPrompt(attributes, { template }).prompt).toBe('photo of a woman wearing a gold kente dress, studio lighting');
    expect(prompt(attributes, '{fabrics} {garment}[ for {gender}]')).toBe('kente dress for a woman');
    expect(prompt({ fabrics: ['kente'] }, '{fabrics} {garment}[ for {gender}]')).toBe('kente');
    expect(prompt(attributes, '{gender} wearing a {length} {colours} {fabric} {garment}, african fashion{accessories}')).toBe(
      'a woman wearing a gold kente dress, african fashion',
    );
  });

  it('rejects a bad template before looking at the attributes', () => {
    expect(() => buildPrompt({ garment: 'spacesuit' }, { template: '{garment} in {fabrik}' })).toThrow(PromptTemplateError);
  });
});

describe('renderPrompt', () => {
  it('refuses ids that were not normalised', () => {
    expect(() => renderPrompt({ ...EMPTY_ATTRIBUTES, garment: 'robe' })).toThrow(/"robe" is not a garment id/);
  });
});

describe('joinList', () => {
  it('joins with commas and a final "and"', () => {
    expect(joinList([])).toBe('');
    expect(joinList(['red'])).toBe('red');
    expect(joinList(['red', 'gold'])).toBe('red and gold');
    expect(joinList(['red', 'yellow', 'green'])).toBe('red, yellow and green');
  });
});

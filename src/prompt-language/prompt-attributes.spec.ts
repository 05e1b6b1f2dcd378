import { EMPTY_ATTRIBUTES, MAX_LIST_ITEMS, normalisePromptAttributes } from './prompt-attributes';
import { PromptInputError } from './prompt-errors';

function inputError(input: unknown): PromptInputError {
  try {
    normalisePromptAttributes(input);
  } catch (error) {
    if (error instanceof PromptInputError) return error;
    throw error;
  }
  throw new Error(`accepted ${JSON.stringify(input)}`);
}

describe('normalisePromptAttributes', () => {
  it('turns ids, labels and synonyms in either language into canonical ids', () => {
    expect(
      normalisePromptAttributes({ garment: 'Robe', fabrics: ['Kenté', 'aso oke'], colours: ['rouge', 'Dorée'], gender: 'femme', length: 'longue', accessories: ['cauris', 'foulard'] }),
    ).toEqual({ garment: 'dress', fabrics: ['kente', 'aso-oke'], colours: ['red', 'gold'], gender: 'woman', length: 'long', accessories: ['cowries', 'headwrap'] });
  });

  it('treats absent, null and blank values as not given', () => {
    expect(normalisePromptAttributes(undefined)).toEqual(EMPTY_ATTRIBUTES);
    expect(normalisePromptAttributes(null)).toEqual(EMPTY_ATTRIBUTES);
    expect(normalisePromptAttributes({})).toEqual(EMPTY_ATTRIBUTES);
    expect(normalisePromptAttributes({ garment: '  ', colours: null, gender: undefined, fabrics: [''] })).toEqual(EMPTY_ATTRIBUTES);
  });

  it('accepts one string for a list, aliases for list fields, and removes duplicates keeping the first order', () => {
    expect(normalisePromptAttributes({ colours: 'noire', colors: ['black', 'BLANCHE'], fabric: 'wax', materials: ['tissu wax', 'cuir'] })).toEqual({
      ...EMPTY_ATTRIBUTES,
      colours: ['black', 'white'],
      fabrics: ['wax', 'leather'],
    });
  });

  it.each<[string, unknown, string, RegExp]>([
    ['a non-object', 'dress', 'attributes', /^attributes: must be an object, got "dress"$/],
    ['an array', ['dress'], 'attributes', /must be an object, got an array/],
    ['an unknown field', { garment: 'dress', sleeves: 'long' }, 'sleeves', /^sleeves: is not an attribute; allowed: garment, fabrics, fabric, materials/],
    ['a prototype key', JSON.parse('{"__proto__": {"garment": "dress"}}'), '__proto__', /is not an attribute/],
    ['"constructor"', { constructor: 'x' }, 'constructor', /is not an attribute/],
    ['an unknown garment', { garment: 'spacesuit' }, 'garment', /^garment: "spacesuit" is not a known garment; allowed: dress, skirt, shirt/],
    ['a colour as a garment', { garment: 'rouge' }, 'garment', /"rouge" is not a known garment/],
    ['an unknown colour in a list', { colours: ['red', 'taupe'] }, 'colours', /^colours: item 1: "taupe" is not a known colour; allowed: red, burgundy/],
    ['an unknown colour under an alias', { colors: 'taupe' }, 'colors', /^colors: "taupe" is not a known colour/],
    ['an unknown gender', { gender: 'robot' }, 'gender', /allowed: woman, man, unisex, child$/],
    ['an unknown length', { length: 'knee' }, 'length', /allowed: mini, short, midi, long$/],
    ['a number', { garment: 42 }, 'garment', /^garment: must be a string, got number$/],
    ['a list for a single field', { gender: ['woman'] }, 'gender', /must be a string, got an array/],
    ['an object in a list', { accessories: ['cowries', {}] }, 'accessories', /^accessories: item 1: must be a string, got an object$/],
    ['too many values', { colours: Array.from({ length: MAX_LIST_ITEMS + 1 }, () => 'red') }, 'colours', /takes at most 8 values, got 9/],
    ['too many values across aliases', { colours: ['red', 'blue', 'green', 'black', 'white'], colors: ['gold', 'silver', 'pink', 'brown'] }, 'colors', /at most 8 values across colours, colour, colors, color/],
    ['an over-long value', { garment: 'd'.repeat(101) }, 'garment', /must be at most 100 characters, got 101/],
  ])('rejects %s, naming the field', (_label, input, field, message) => {
    const error = inputError(input);
    expect(error.field).toBe(field);
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toMatch(message);
  });

  it('lists the allowed ids on the error', () => {
    const error = inputError({ length: 'ankle' });
    expect(error.rule).toMatch(/^"ankle" is not a known length/);
    expect(error.allowed).toEqual(['mini', 'short', 'midi', 'long']);
  });
});

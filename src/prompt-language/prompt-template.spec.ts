import { PromptTemplateError } from './prompt-errors';
import { DEFAULT_PROMPT_TEMPLATE, DEFAULT_TEMPLATE_SOURCE, compilePromptTemplate, fillTemplate, type TemplateValues } from './prompt-template';

const EMPTY: TemplateValues = { gender: '', a: '', length: '', colours: '', fabrics: '', garment: '', accessories: '' };

function templateError(source: unknown): PromptTemplateError {
  try {
    compilePromptTemplate(source);
  } catch (error) {
    if (error instanceof PromptTemplateError) return error;
    throw error;
  }
  throw new Error(`compiled ${String(source)}`);
}

describe('compilePromptTemplate', () => {
  it('compiles the default template', () => {
    expect(DEFAULT_PROMPT_TEMPLATE.source).toBe(DEFAULT_TEMPLATE_SOURCE);
    expect(Object.isFrozen(DEFAULT_PROMPT_TEMPLATE)).toBe(true);
  });

  it('names an unknown placeholder and lists the known ones', () => {
    const error = templateError('{gender} in {colour} {garmnt}');
    expect(error.placeholder).toBe('colour');
    expect(error.code).toBe('INVALID_TEMPLATE');
    expect(error.message).toMatch(/^prompt template: unknown placeholder \{colour\}; known: \{gender\}, \{a\}, \{length\}/);
    expect(templateError('{garment} {}').placeholder).toBe('');
    expect(templateError('{garment} {constructor}').placeholder).toBe('constructor');
  });

  it('accepts {fabric}, {materials} and {colors} for {fabrics} and {colours}', () => {
    const template = compilePromptTemplate('{colors} {fabric}/{materials}');
    expect(fillTemplate(template, { ...EMPTY, colours: 'red', fabrics: 'kente' })).toBe('red kente/kente');
  });

  it.each<[string, unknown, RegExp]>([
    ['a non-string', 42, /must be a string, got number/],
    ['null', null, /must be a string, got null/],
    ['an over-long template', `{garment}${' x'.repeat(300)}`, /at most 500 characters/],
    ['a control character', '{garment}\n, african fashion', /control character at 9/],
    ['a private-use character', '{garment}\ue000', /private-use character at 9/],
    ['an unclosed placeholder', '{gender} in {garment', /"\{" at 12 is never closed/],
    ['a stray "}"', '{garment}}', /"\}" at 9 closes nothing/],
    ['nested groups', '[{gender} [{a}]]', /groups cannot nest/],
    ['an unclosed group', '[{gender} in {garment}', /"\[" is never closed/],
    ['a stray "]"', '{garment}]', /"\]" at 9 closes nothing/],
    ['a group without an attribute placeholder', '{garment}[ with {a} ]', /holds no attribute placeholder/],
    ['no placeholder at all', 'african fashion', /uses no attribute placeholder/],
    ['only the article', '{a} african fashion', /uses no attribute placeholder/],
  ])('rejects %s', (_label, source, message) => {
    expect(templateError(source).message).toMatch(message);
  });
});

describe('fillTemplate', () => {
  const template = compilePromptTemplate('[{gender} in ]{garment}[ with {accessories}][, {colours} or {fabrics}]');

  it('keeps a group when any placeholder in it has a value, and drops it otherwise', () => {
    expect(fillTemplate(template, { ...EMPTY, garment: 'dress' })).toBe('dress');
    expect(fillTemplate(template, { ...EMPTY, gender: 'a man', garment: 'agbada', accessories: 'a hat' })).toBe('a man in agbada with a hat');
    expect(fillTemplate(template, { ...EMPTY, garment: 'dress', fabrics: 'kente' })).toBe('dress,  or kente');
  });
});

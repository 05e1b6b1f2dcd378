/**
 * The attributes a standardised prompt is built from, and their validation. Values may be given as
 * canonical ids, labels or synonyms in English or French, in any case, with or without accents
 * ("Rouge", "dorée", "aso oke", "Mid-Length"); they come out as canonical ids, without duplicates.
 */
import { vocabularyIds } from './fashion-vocabulary';
import { PromptInputError, describeValue } from './prompt-errors';
import { resolveTerm } from './term-index';
import type { VocabularyCategory } from './vocabulary-types';

export interface PromptAttributes {
  readonly garment: string | null;
  readonly fabrics: readonly string[];
  readonly colours: readonly string[];
  readonly gender: string | null;
  readonly length: string | null;
  readonly accessories: readonly string[];
}

export type SingleAttribute = 'garment' | 'gender' | 'length';
export type ListAttribute = 'fabrics' | 'colours' | 'accessories';
export type AttributeField = SingleAttribute | ListAttribute;

export interface AttributeFieldSpec {
  readonly field: AttributeField;
  readonly category: VocabularyCategory;
  readonly list: boolean;
  /** Other names accepted on input; list values given under several names are merged. */
  readonly aliases: readonly string[];
}

export const ATTRIBUTE_FIELDS: readonly AttributeFieldSpec[] = [
  { field: 'garment', category: 'garment', list: false, aliases: [] },
  { field: 'fabrics', category: 'fabric', list: true, aliases: ['fabric', 'materials', 'material'] },
  { field: 'colours', category: 'colour', list: true, aliases: ['colour', 'colors', 'color'] },
  { field: 'gender', category: 'gender', list: false, aliases: [] },
  { field: 'length', category: 'length', list: false, aliases: [] },
  { field: 'accessories', category: 'accessory', list: true, aliases: ['accessory'] },
];

export const EMPTY_ATTRIBUTES: PromptAttributes = Object.freeze({ garment: null, fabrics: [], colours: [], gender: null, length: null, accessories: [] });

export const MAX_LIST_ITEMS = 8;
export const MAX_VALUE_LENGTH = 100;

/** Every name a field may arrive under, mapped to its spec (a Map, so "constructor" or "__proto__" match nothing). */
const FIELD_BY_NAME: ReadonlyMap<string, AttributeFieldSpec> = new Map(ATTRIBUTE_FIELDS.flatMap((spec) => [spec.field, ...spec.aliases].map((name): [string, AttributeFieldSpec] => [name, spec])));

/** Validates attributes as they arrive from outside; blank values count as absent. Throws PromptInputError naming the field. */
export function normalisePromptAttributes(input: unknown, field = 'attributes'): PromptAttributes {
  if (input === undefined || input === null) return EMPTY_ATTRIBUTES;
  if (typeof input !== 'object' || Array.isArray(input)) throw new PromptInputError(field, `must be an object, got ${describeValue(input)}`);
  const singles = new Map<AttributeField, string>();
  const lists = new Map<AttributeField, string[]>();
  for (const [name, value] of Object.entries(input)) {
    const spec = FIELD_BY_NAME.get(name);
    if (spec === undefined) {
      throw new PromptInputError(name, `is not an attribute; allowed: ${[...FIELD_BY_NAME.keys()].join(', ')}`, [...FIELD_BY_NAME.keys()]);
    }
    if (value === undefined || value === null) continue;
    if (!spec.list) {
      if (typeof value !== 'string') throw new PromptInputError(name, `must be a string, got ${describeValue(value)}`);
      const id = resolveValue(spec, name, value);
      if (id !== null) singles.set(spec.field, id);
      continue;
    }
    const items: readonly unknown[] = Array.isArray(value) ? value : [value];
    if (items.length > MAX_LIST_ITEMS) throw new PromptInputError(name, `takes at most ${MAX_LIST_ITEMS} values, got ${items.length}`);
    const ids = lists.get(spec.field) ?? [];
    lists.set(spec.field, ids);
    items.forEach((item, index) => {
      const where = Array.isArray(value) ? `item ${index}: ` : '';
      if (typeof item !== 'string') throw new PromptInputError(name, `${where}must be a string, got ${describeValue(item)}`);
      const id = resolveValue(spec, name, item, where);
      if (id !== null && !ids.includes(id)) ids.push(id);
    });
    if (ids.length > MAX_LIST_ITEMS) throw new PromptInputError(name, `takes at most ${MAX_LIST_ITEMS} values across ${[spec.field, ...spec.aliases].join(', ')}`);
  }
  return {
    garment: singles.get('garment') ?? null,
    fabrics: lists.get('fabrics') ?? [],
    colours: lists.get('colours') ?? [],
    gender: singles.get('gender') ?? null,
    length: singles.get('length') ?? null,
    accessories: lists.get('accessories') ?? [],
  };
}

function resolveValue(spec: AttributeFieldSpec, name: string, value: string, where = ''): string | null {
  if (value.trim() === '') return null;
  if (value.length > MAX_VALUE_LENGTH) throw new PromptInputError(name, `${where}must be at most ${MAX_VALUE_LENGTH} characters, got ${value.length}`);
  const term = resolveTerm(spec.category, value);
  if (term !== undefined) return term.id;
  const allowed = vocabularyIds(spec.category);
  throw new PromptInputError(name, `${where}${describeValue(value)} is not a known ${spec.category}; allowed: ${allowed.join(', ')}`, allowed);
}

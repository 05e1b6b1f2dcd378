import { tokenForms, phraseForms } from './inflections';
import { TERM_INDEX, resolveTerm, strongestEntries } from './term-index';
import type { VocabularyCategory } from './vocabulary-types';

describe('resolveTerm', () => {
  it.each<[VocabularyCategory, string, string]>([
    // accents, case, hyphens and spacing
    ['colour', 'dore', 'gold'],
    ['colour', 'DORÉ', 'gold'],
    ['fabric', 'aso oke', 'aso-oke'],
    ['fabric', 'Aso-Oke', 'aso-oke'],
    ['fabric', 'asooke', 'aso-oke'],
    ['length', 'mid length', 'midi'],
    ['length', 'Mid-Length', 'midi'],
    ['fabric', 'kenté', 'kente'],
    ['garment', 'nœud papillon', 'bow-tie'],
    ['garment', 'noeud papillon', 'bow-tie'],
    ['garment', 't shirt', 't-shirt'],
    // plurals, English and French
    ['garment', 'dresses', 'dress'],
    ['garment', 'robes', 'dress'],
    ['garment', 'jupes', 'skirt'],
    ['garment', "boucle d'oreille", 'earrings'],
    ['accessory', 'bijoux', 'jewellery'],
    ['accessory', 'bangles', 'bangles'],
    // French adjective agreement
    ['colour', 'verte', 'green'],
    ['colour', 'vertes', 'green'],
    ['colour', 'noire', 'black'],
    ['colour', 'noires', 'black'],
    ['colour', 'blanche', 'white'],
    ['colour', 'blanches', 'white'],
    ['colour', 'dorée', 'gold'],
    ['colour', 'dorées', 'gold'],
    ['colour', 'bleue', 'blue'],
    ['length', 'long', 'long'],
    ['length', 'longues', 'long'],
    ['length', 'court', 'short'],
    ['length', 'courtes', 'short'],
    ['length', 'mi-longue', 'midi'],
  ])('reads the %s "%s" as %s', (category, written, id) => {
    expect(resolveTerm(category, written)?.id).toBe(id);
  });

  it('answers undefined for words of another category or none', () => {
    expect(resolveTerm('garment', 'rouge')).toBeUndefined();
    expect(resolveTerm('colour', 'blanc cassé')?.id).toBe('cream');
    expect(resolveTerm('colour', 'taupe-ish')).toBeUndefined();
    expect(resolveTerm('colour', '')).toBeUndefined();
    expect(resolveTerm('colour', 'constructor')).toBeUndefined();
    expect(resolveTerm('colour', '__proto__')).toBeUndefined();
  });

  it('lets a listed synonym outrank a derived form ("shorts" is the garment, not the plural of the length)', () => {
    const entries = strongestEntries(TERM_INDEX.entries.get('shorts') ?? []);
    expect(entries.map((entry) => `${entry.category}:${entry.term.id}`)).toEqual(['garment:shorts']);
    expect(resolveTerm('length', 'short')?.id).toBe('short');
    expect(resolveTerm('garment', 'short')?.id).toBe('shorts');
  });

  it('keeps one key in several categories where the vocabulary means it ("foulard": garment and accessory)', () => {
    const entries = TERM_INDEX.entries.get('foulard') ?? [];
    expect(entries.map((entry) => entry.category).sort()).toEqual(['accessory', 'garment']);
    expect(entries.every((entry) => entry.languages.has('fr'))).toBe(true);
  });

  it('knows the longest phrase', () => {
    expect(TERM_INDEX.maxPhraseTokens).toBeGreaterThanOrEqual(3);
    expect(TERM_INDEX.maxPhraseTokens).toBeLessThanOrEqual(6);
  });
});

describe('inflections', () => {
  it('derives English and French plurals', () => {
    expect(tokenForms('dress', false)).toEqual(['dress', 'dresses']);
    expect(tokenForms('robe', false)).toEqual(['robe', 'robes']);
    expect(tokenForms('accessory', false)).toEqual(['accessory', 'accessories']);
    expect(tokenForms('bijou', false)).toEqual(['bijou', 'bijous', 'bijoux']);
  });

  it('derives French feminine forms for adjectives only', () => {
    expect(tokenForms('vert', true)).toEqual(['vert', 'verts', 'verte', 'vertes']);
    expect(tokenForms('vert', false)).toEqual(['vert', 'verts']);
  });

  it('leaves short tokens and numbers alone', () => {
    expect(tokenForms('or', true)).toEqual(['or']);
    expect(tokenForms('d', false)).toEqual(['d']);
    expect(tokenForms('3d', false)).toEqual(['3d']);
  });

  it('inflects every word of a phrase', () => {
    expect(phraseForms('boucle d oreille', false)).toEqual(['boucle d oreilles', 'boucles d oreille', 'boucles d oreilles']);
  });
});

import { FASHION_VOCABULARY, VOCABULARY_CATEGORIES, vocabularyIds, vocabularyTerm, type VocabularyCategory } from './fashion-vocabulary';
import { TERM_INDEX, findVocabularyConflicts, resolveTerm } from './term-index';

describe('FASHION_VOCABULARY', () => {
  const all = VOCABULARY_CATEGORIES.flatMap((category) => FASHION_VOCABULARY[category].map((term) => ({ category, term })));

  it('has every category, none empty', () => {
    expect(Object.keys(FASHION_VOCABULARY).sort()).toEqual([...VOCABULARY_CATEGORIES].sort());
    for (const category of VOCABULARY_CATEGORIES) expect(FASHION_VOCABULARY[category].length).toBeGreaterThan(3);
  });

  it('gives every term a unique lowercase kebab-case id within its category and a label', () => {
    for (const category of VOCABULARY_CATEGORIES) {
      const ids = vocabularyIds(category);
      expect(new Set(ids).size).toBe(ids.length);
      for (const id of ids) expect(id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    }
    for (const { term } of all) expect(term.label.trim()).not.toBe('');
  });

  it('has no key naming two terms of one category (explicit synonyms, then derived forms)', () => {
    expect(findVocabularyConflicts(TERM_INDEX)).toEqual([]);
  });

  it('resolves every id, label and synonym back to its own term', () => {
    for (const { category, term } of all) {
      for (const written of [term.id, term.label, ...term.synonyms.en, ...term.synonyms.fr]) {
        expect([category, written, resolveTerm(category, written)?.id]).toEqual([category, written, term.id]);
      }
    }
  });

  it('lists no synonym twice within a term', () => {
    for (const { term } of all) {
      for (const list of [term.synonyms.en, term.synonyms.fr]) expect(new Set(list).size).toBe(list.length);
    }
  });

  it('points accessory parts at terms that exist', () => {
    for (const term of FASHION_VOCABULARY.accessory) {
      if (term.parts === undefined) continue;
      if (term.parts.garment !== undefined) expect(vocabularyTerm('garment', term.parts.garment)).toBeDefined();
      for (const colour of term.parts.colours ?? []) expect(vocabularyTerm('colour', colour)).toBeDefined();
      for (const fabric of term.parts.fabrics ?? []) expect(vocabularyTerm('fabric', fabric)).toBeDefined();
    }
  });

  it('is frozen, down to the synonym lists', () => {
    expect(Object.isFrozen(FASHION_VOCABULARY)).toBe(true);
    expect(Object.isFrozen(FASHION_VOCABULARY.garment[0].synonyms.fr)).toBe(true);
    expect(() => (FASHION_VOCABULARY.colour as unknown as unknown[]).push({})).toThrow();
  });

  it.each<[VocabularyCategory, string[]]>([
    ['garment', ['dress', 'skirt', 'shirt', 'blouse', 'top', 'trousers', 'jumpsuit', 'jacket', 'kimono', 'kaftan', 'boubou', 'dashiki', 'agbada', 'wrapper', 'headwrap', 'bag', 'shoes', 'earrings', 'necklace', 'bracelet']],
    ['fabric', ['wax', 'ankara', 'kente', 'bogolan', 'kitenge', 'adire', 'aso-oke', 'batik', 'vlisco', 'lace', 'cotton', 'silk', 'satin', 'linen', 'leather', 'raffia', 'beads', 'cowrie', 'bazin']],
    ['colour', ['red', 'blue', 'yellow', 'green', 'orange', 'purple', 'pink', 'black', 'white', 'gold', 'silver', 'brown', 'beige', 'multicolour']],
    ['gender', ['woman', 'man', 'unisex', 'child']],
    ['length', ['mini', 'midi', 'long', 'short']],
    ['accessory', ['cowries', 'gold-earrings', 'headwrap', 'beads']],
  ])('has the %s terms the release and the API name', (category, ids) => {
    expect(vocabularyIds(category)).toEqual(expect.arrayContaining(ids));
  });

  it.each<[VocabularyCategory, string, string]>([
    ['garment', 'robe', 'dress'],
    ['garment', 'jupe', 'skirt'],
    ['garment', 'pagne', 'wrapper'],
    ['garment', 'gele', 'headwrap'],
    ['garment', "boucles d'oreilles", 'earrings'],
    ['gender', 'femme', 'woman'],
    ['gender', 'homme', 'man'],
    ['colour', 'rouge', 'red'],
    ['colour', 'bleu', 'blue'],
    ['colour', 'jaune', 'yellow'],
    ['colour', 'vert', 'green'],
    ['colour', 'noir', 'black'],
    ['colour', 'blanc', 'white'],
    ['colour', 'doré', 'gold'],
    ['colour', 'or', 'gold'],
    ['length', 'longue', 'long'],
    ['length', 'maxi', 'long'],
    ['length', 'courte', 'short'],
    ['length', 'mid-length', 'midi'],
    ['accessory', 'cauris', 'cowries'],
    ['accessory', 'foulard', 'headwrap'],
    ['accessory', 'turban', 'headwrap'],
    ['fabric', 'tissu wax', 'wax'],
    ['fabric', 'pagne wax', 'wax'],
    ['fabric', 'mudcloth', 'bogolan'],
    ['fabric', 'dentelle', 'lace'],
  ])('maps the %s synonym "%s" to %s', (category, written, id) => {
    expect(resolveTerm(category, written)?.id).toBe(id);
  });
});

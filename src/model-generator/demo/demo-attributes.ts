/**
 * The attribute space of the demo family: one dimension per textile style the demo swatches show
 * and one per colour of the API's vocabulary (`src/prompts`), plus spare zero dimensions. The demo
 * text encoder writes, for each prompt word that names an attribute, that attribute's one-hot row;
 * the demo UNet reads the attributes back and weights its swatches with them.
 *
 * Words come from the vocabulary itself (ids, labels and single-word synonyms, English and French,
 * with their plural and French feminine forms) so prompts the API builds or parses are understood;
 * the four generic western patterns, which the vocabulary has no category for, list their own words.
 */
import { cleanText } from '../../engine/tokenizer/clean-text';
import { preTokenize } from '../../engine/tokenizer/pre-tokenize';
import { FASHION_VOCABULARY } from '../../prompt-language';
import type { VocabularyCategory, VocabularyTerm } from '../../prompt-language';
import { DEMO_ACCESSORIES, DEMO_GARMENTS, DEMO_LENGTHS, type DemoAccessory, type DemoGarment, type DemoLength } from './garment-layouts';

/** The African textiles of the release, in the order later checkpoints learn them. */
export const AFRICAN_STYLES = ['kente', 'wax', 'adire', 'bogolan', 'lace'] as const;
/** The generic western patterns every checkpoint (the baseline included) knows. */
export const GENERIC_STYLES = ['plain', 'stripes', 'polka-dots', 'plaid'] as const;
export const DEMO_STYLES = [...AFRICAN_STYLES, ...GENERIC_STYLES] as const;
export type DemoStyle = (typeof DEMO_STYLES)[number];

/** Colour ids: those of the vocabulary, in its order. */
export const DEMO_COLOURS: readonly string[] = FASHION_VOCABULARY.colour.map((t) => t.id);

/** Attribute dimensions: styles first, then colours, garments and lengths. */
export const ATTRIBUTE_NAMES: readonly string[] = [
  ...DEMO_STYLES.map((s) => `style:${s}`),
  ...DEMO_COLOURS.map((c) => `colour:${c}`),
  ...DEMO_GARMENTS.map((g) => `garment:${g}`),
  ...DEMO_LENGTHS.map((l) => `length:${l}`),
  ...DEMO_ACCESSORIES.map((a) => `accessory:${a}`),
];
/** The text encoder's hidden width: the attribute dimensions and a few spare (always zero) ones, to a multiple of 8. */
export const DEMO_TEXT_WIDTH = Math.ceil((ATTRIBUTE_NAMES.length + 4) / 8) * 8;

export function styleDimension(style: DemoStyle): number {
  return DEMO_STYLES.indexOf(style);
}

export function colourDimension(colour: string): number {
  const at = DEMO_COLOURS.indexOf(colour);
  if (at < 0) throw new Error(`demo: "${colour}" is not a colour id of the vocabulary`);
  return DEMO_STYLES.length + at;
}

export function garmentDimension(garment: DemoGarment): number {
  return DEMO_STYLES.length + DEMO_COLOURS.length + DEMO_GARMENTS.indexOf(garment);
}

export function lengthDimension(length: DemoLength): number {
  return DEMO_STYLES.length + DEMO_COLOURS.length + DEMO_GARMENTS.length + DEMO_LENGTHS.indexOf(length);
}

export function accessoryDimension(accessory: DemoAccessory): number {
  return DEMO_STYLES.length + DEMO_COLOURS.length + DEMO_GARMENTS.length + DEMO_LENGTHS.length + DEMO_ACCESSORIES.indexOf(accessory);
}

/** Vocabulary accessory terms each demo accessory stands for (the demo's earrings are gold). */
const ACCESSORY_TERMS: Readonly<Record<DemoAccessory, readonly string[]>> = { cowries: ['cowries'], 'gold-earrings': ['earrings'], beads: ['beads'] };

/** Vocabulary garment terms each demo garment stands for (its silhouette is the nearest the demo draws). */
const GARMENT_TERMS: Readonly<Record<DemoGarment, readonly string[]>> = {
  dress: ['dress', 'kaftan'],
  // Not the wrapper: its French word, pagne, names the cloth as often as the garment ("robe en pagne wax").
  skirt: ['skirt'],
  shirt: ['shirt', 'blouse', 't-shirt', 'dashiki', 'tunic'],
  top: ['top'],
  trousers: ['trousers'],
  jumpsuit: ['jumpsuit'],
  jacket: ['jacket', 'coat'],
  boubou: ['boubou', 'agbada'],
  headwrap: ['headwrap'],
};

/** Vocabulary length terms each demo length stands for, and the single words of its multi-word phrases. */
const LENGTH_TERMS: Readonly<Record<DemoLength, readonly string[]>> = { mini: ['mini', 'short'], midi: ['midi'], long: ['long'] };
const LENGTH_WORDS: Readonly<Record<DemoLength, readonly string[]>> = { mini: [], midi: ['mid', 'knee', 'calf'], long: ['floor', 'ankle'] };

/** Vocabulary fabric terms each demo style stands for: ankara is the same printed wax cloth. */
const STYLE_FABRICS: Readonly<Record<(typeof AFRICAN_STYLES)[number], readonly string[]>> = {
  kente: ['kente'],
  wax: ['wax', 'ankara'],
  adire: ['adire'],
  bogolan: ['bogolan'],
  lace: ['lace'],
};

/** The generic patterns are not in the vocabulary: their words, English and French, every form listed. */
const GENERIC_WORDS: Readonly<Record<(typeof GENERIC_STYLES)[number], readonly string[]>> = {
  plain: ['plain', 'solid', 'uni', 'unie', 'unis', 'unies'],
  stripes: ['stripes', 'stripe', 'striped', 'stripy', 'pinstripe', 'pinstripes', 'pinstriped', 'rayures', 'rayure', 'rayé', 'rayée', 'rayés', 'rayées'],
  'polka-dots': ['polka', 'dots', 'dot', 'dotted', 'spots', 'spotted', 'pois'],
  plaid: ['plaid', 'plaids', 'check', 'checks', 'checked', 'checkered', 'chequered', 'gingham', 'tartan', 'carreaux', 'carreau', 'vichy', 'écossais', 'écossaise', 'écossaises'],
};

/**
 * Vocabulary words left out: French "or" (gold) is the English conjunction, which prompts use far
 * more often ("red or blue").
 */
const EXCLUDED_WORDS: ReadonlySet<string> = new Set(['or']);

/** French feminine forms the regular rule (add "e") misses. */
const IRREGULAR_FEMININE: Readonly<Record<string, string>> = { violet: 'violette', blanc: 'blanche' };

/** The one CLIP word a phrase is, or undefined when it is several (or none). */
function singleWord(phrase: string): string | undefined {
  const words = [...preTokenize(cleanText(phrase))];
  return words.length === 1 && /^\p{L}+$/u.test(words[0] as string) ? words[0] : undefined;
}

/** Plural forms, and for French colours the feminine ones: "bleu" → bleus, bleue, bleues. */
function inflections(word: string, frenchAdjective: boolean): string[] {
  const forms = new Set([word]);
  if (word.length >= 3) {
    if (/(s|x|z)$/.test(word)) forms.add(word.endsWith('s') && frenchAdjective ? word : `${word}es`);
    else if (/(ch|sh)$/.test(word)) forms.add(`${word}es`);
    else if (/au$/.test(word)) forms.add(`${word}x`);
    else if (/[^aeiou]y$/.test(word)) forms.add(`${word.slice(0, -1)}ies`);
    else forms.add(`${word}s`);
    if (frenchAdjective) {
      const feminine = IRREGULAR_FEMININE[word] ?? (word.endsWith('e') ? word : `${word}e`);
      forms.add(feminine);
      forms.add(`${feminine}s`);
    }
  }
  return [...forms];
}

function termWords(category: VocabularyCategory, term: VocabularyTerm): string[] {
  const words = new Set<string>();
  const english = [term.id, term.label, ...term.synonyms.en];
  for (const phrase of english) {
    const word = singleWord(phrase);
    if (word) for (const form of inflections(word, false)) words.add(form);
  }
  for (const phrase of term.synonyms.fr) {
    const word = singleWord(phrase);
    if (word) for (const form of inflections(word, category === 'colour')) words.add(form);
  }
  return [...words].filter((w) => !EXCLUDED_WORDS.has(w));
}

/**
 * Every attribute word → the attribute dimensions it names (one, as the vocabulary has no word
 * naming two colours or two fabrics). Sorted by word, so the table is the same on every run.
 */
export function attributeWords(): ReadonlyMap<string, readonly number[]> {
  const table = new Map<string, Set<number>>();
  const add = (word: string, dimension: number): void => {
    const set = table.get(word) ?? new Set<number>();
    set.add(dimension);
    table.set(word, set);
  };
  for (const style of AFRICAN_STYLES) {
    for (const id of STYLE_FABRICS[style]) {
      const term = FASHION_VOCABULARY.fabric.find((t) => t.id === id);
      if (!term) throw new Error(`demo: fabric "${id}" is not in the vocabulary`);
      for (const word of termWords('fabric', term)) add(word, styleDimension(style));
    }
  }
  for (const style of GENERIC_STYLES) for (const word of GENERIC_WORDS[style]) add(word, styleDimension(style));
  for (const term of FASHION_VOCABULARY.colour) for (const word of termWords('colour', term)) add(word, colourDimension(term.id));
  const vocabularyTerm = (category: 'garment' | 'length' | 'accessory', id: string): VocabularyTerm => {
    const found = FASHION_VOCABULARY[category].find((t) => t.id === id);
    if (!found) throw new Error(`demo: ${category} "${id}" is not in the vocabulary`);
    return found;
  };
  for (const garment of DEMO_GARMENTS) {
    for (const id of GARMENT_TERMS[garment]) for (const word of termWords('garment', vocabularyTerm('garment', id))) add(word, garmentDimension(garment));
  }
  for (const length of DEMO_LENGTHS) {
    for (const id of LENGTH_TERMS[length]) for (const word of termWords('length', vocabularyTerm('length', id))) add(word, lengthDimension(length));
    for (const word of LENGTH_WORDS[length]) add(word, lengthDimension(length));
  }
  for (const accessory of DEMO_ACCESSORIES) {
    for (const id of ACCESSORY_TERMS[accessory]) for (const word of termWords('accessory', vocabularyTerm('accessory', id))) add(word, accessoryDimension(accessory));
  }
  const sorted = [...table.keys()].sort();
  return new Map(sorted.map((word) => [word, [...(table.get(word) as Set<number>)].sort((a, b) => a - b)]));
}

/** Colours close enough that a prompt naming one is partly satisfied by the other (symmetric). */
export const RELATED_COLOURS: readonly (readonly [string, string])[] = [
  ['gold', 'yellow'],
  ['gold', 'mustard'],
  ['yellow', 'mustard'],
  ['navy', 'blue'],
  ['indigo', 'blue'],
  ['indigo', 'navy'],
  ['turquoise', 'blue'],
  ['burgundy', 'red'],
  ['cream', 'white'],
  ['beige', 'cream'],
  ['khaki', 'green'],
  ['bronze', 'brown'],
  ['pink', 'purple'],
  ['grey', 'silver'],
];

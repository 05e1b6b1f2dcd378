/**
 * The fashion vocabulary of the standardised prompts: clothing type, fabric/material, colour,
 * gender, length and accessories, each term with a canonical English id, an English label and
 * English and French synonyms. `GET /v1/prompts/vocabulary` serves it as it is.
 */
import { ACCESSORY_TERMS } from './terms/accessory-terms';
import { COLOUR_TERMS } from './terms/colour-terms';
import { FABRIC_TERMS } from './terms/fabric-terms';
import { GARMENT_TERMS } from './terms/garment-terms';
import { GENDER_TERMS } from './terms/gender-terms';
import { LENGTH_TERMS } from './terms/length-terms';
import { VOCABULARY_CATEGORIES, type FashionVocabulary, type VocabularyCategory, type VocabularyTerm } from './vocabulary-types';

export { VOCABULARY_CATEGORIES, type FashionVocabulary, type VocabularyCategory, type VocabularyLanguage, type VocabularyTerm } from './vocabulary-types';

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

export const FASHION_VOCABULARY: FashionVocabulary = deepFreeze({
  garment: GARMENT_TERMS,
  fabric: FABRIC_TERMS,
  colour: COLOUR_TERMS,
  gender: GENDER_TERMS,
  length: LENGTH_TERMS,
  accessory: ACCESSORY_TERMS,
});

const TERMS_BY_ID = new Map(VOCABULARY_CATEGORIES.map((category) => [category, new Map(FASHION_VOCABULARY[category].map((entry) => [entry.id, entry]))]));

/** The term with this canonical id, or undefined. */
export function vocabularyTerm(category: VocabularyCategory, id: string): VocabularyTerm | undefined {
  return TERMS_BY_ID.get(category)?.get(id);
}

/** The canonical ids of a category, in vocabulary order. */
export function vocabularyIds(category: VocabularyCategory): string[] {
  return FASHION_VOCABULARY[category].map((entry) => entry.id);
}

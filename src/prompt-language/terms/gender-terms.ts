/** Who wears it, as the release's prompts begin ("a woman in vlisco with gold earrings"). */
import { term, type VocabularyTerm } from '../vocabulary-types';

export const GENDER_TERMS: readonly VocabularyTerm[] = [
  term('woman', 'woman', ['women', 'womens', 'lady', 'ladies', 'female', 'feminine'], ['femme', 'femmes', 'dame', 'dames', 'féminin'], { phrase: 'a woman' }),
  term('man', 'man', ['men', 'mens', 'male', 'gentleman', 'gentlemen', 'gents', 'masculine'], ['homme', 'hommes', 'masculin'], { phrase: 'a man' }),
  term('unisex', 'unisex', ['gender-neutral'], ['unisexe', 'mixte'], { phrase: 'a person' }),
  term('child', 'child', ['children', 'kid', 'kids', 'girl', 'girls', 'boy', 'boys', 'baby', 'toddler'], ['enfant', 'enfants', 'fille', 'fillette', 'garçon', 'bébé'], { phrase: 'a child' }),
];

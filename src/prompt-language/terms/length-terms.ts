/** How long the garment is. The release singles out mid-length as something the base model missed. */
import { term, type VocabularyTerm } from '../vocabulary-types';

export const LENGTH_TERMS: readonly VocabularyTerm[] = [
  term('mini', 'mini', ['micro'], ['mini', 'ultra court']),
  term('short', 'short', ['cropped', 'above the knee'], ['court', 'courte', 'raccourci']),
  term('midi', 'mid-length', ['midi', 'mid length', 'knee-length', 'knee length', 'calf-length', 'mid-calf', 'tea-length'], ['midi', 'mi-long', 'mi-longue', 'mi-mollet', 'aux genoux', 'longueur genou']),
  term('long', 'long', ['maxi', 'full-length', 'floor-length', 'ankle-length'], ['long', 'longue', 'maxi', 'jusqu\'aux chevilles']),
];

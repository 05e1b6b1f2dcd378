/** The shape of the fashion vocabulary (the terms themselves live in `terms/`). */

export const VOCABULARY_CATEGORIES = ['garment', 'fabric', 'colour', 'gender', 'length', 'accessory'] as const;
export type VocabularyCategory = (typeof VOCABULARY_CATEGORIES)[number];

export type VocabularyLanguage = 'en' | 'fr';

export interface VocabularyTerm {
  /** Canonical English id, lowercase kebab-case, unique within its category. */
  readonly id: string;
  /** English label, as written into prompts. */
  readonly label: string;
  /** Other ways to say it, as they occur in product titles. Plurals and French feminine forms are derived, not listed. */
  readonly synonyms: { readonly en: readonly string[]; readonly fr: readonly string[] };
  /** Garments: a pair or plural noun ("trousers", "earrings") that takes no "a". */
  readonly plural?: boolean;
  /** Gender and accessories: the phrase written into prompts when it differs from the label ("a woman", "a headwrap"). */
  readonly phrase?: string;
  /** Accessories that name a product on their own ("gold earrings"): what they mean when they head a title rather than follow "with". */
  readonly parts?: { readonly garment?: string; readonly colours?: readonly string[]; readonly fabrics?: readonly string[] };
}

export type FashionVocabulary = { readonly [C in VocabularyCategory]: readonly VocabularyTerm[] };

type TermExtras = Pick<VocabularyTerm, 'plural' | 'phrase' | 'parts'>;

/** Shorthand for the term tables: `term('dress', 'dress', ['gown'], ['robe'])`. */
export function term(id: string, label: string, en: readonly string[], fr: readonly string[], extras: TermExtras = {}): VocabularyTerm {
  return { id, label, synonyms: { en, fr }, ...extras };
}

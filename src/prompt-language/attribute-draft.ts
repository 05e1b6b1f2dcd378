/**
 * Attributes being gathered while a text is parsed, and the rules for where a recognised phrase
 * goes when it could go to several places:
 *
 * - an explicit synonym outranks a derived form; a synonym of the text's language outranks one
 *   of the other ("short" is a length in English, shorts in French);
 * - after "with"/"avec" an accessory is meant; elsewhere the garment (if still open), then fabric,
 *   colour, gender, length, and an accessory last ("foulard en wax" is a headwrap, "robe avec
 *   foulard" a dress with one);
 * - one garment, one gender, one length: the first wins, a different later one stays unplaced,
 *   except that a woman and a man together make unisex;
 * - an accessory that heads a title ("gold earrings", garment still open) is read as its parts.
 */
import type { PromptLanguage } from './detect-language';
import { MAX_LIST_ITEMS, type AttributeField, type ListAttribute, type PromptAttributes } from './prompt-attributes';
import { strongestEntries, type IndexEntry } from './term-index';
import { VOCABULARY_CATEGORIES, type VocabularyCategory, type VocabularyTerm } from './vocabulary-types';

export interface Placement {
  readonly field: AttributeField;
  readonly value: string;
}

/** Any two of these together make unisex ("homme et femme"). */
const ADULT_GENDERS: ReadonlySet<string> = new Set(['woman', 'man', 'unisex']);

const LIST_FIELD: Readonly<Partial<Record<VocabularyCategory, ListAttribute>>> = { fabric: 'fabrics', colour: 'colours', accessory: 'accessories' };

export class AttributeDraft {
  private garment: string | null = null;
  private gender: string | null = null;
  private length: string | null = null;
  private readonly lists: Record<ListAttribute, string[]> = { fabrics: [], colours: [], accessories: [] };

  /** Places a recognised phrase; returns where it went, or null when it fits nowhere. */
  place(entries: readonly IndexEntry[], language: PromptLanguage, withClause: boolean): Placement[] | null {
    for (const entry of candidates(entries, language, withClause)) {
      const placements = this.placeEntry(entry, withClause);
      if (placements !== null) return placements;
    }
    return null;
  }

  toAttributes(): PromptAttributes {
    return {
      garment: this.garment,
      fabrics: [...this.lists.fabrics],
      colours: [...this.lists.colours],
      gender: this.gender,
      length: this.length,
      accessories: [...this.lists.accessories],
    };
  }

  private placeEntry({ category, term }: IndexEntry, withClause: boolean): Placement[] | null {
    switch (category) {
      case 'garment':
        if (this.garment !== null && this.garment !== term.id) return null;
        this.garment = term.id;
        return [{ field: 'garment', value: term.id }];
      case 'gender':
        return this.placeGender(term.id);
      case 'length':
        if (this.length !== null && this.length !== term.id) return null;
        this.length = term.id;
        return [{ field: 'length', value: term.id }];
      case 'accessory':
        if (!withClause && this.garment === null && term.parts?.garment !== undefined) return this.placeParts(term);
        return this.addToList('accessories', term.id);
      default: {
        const field = LIST_FIELD[category];
        return field === undefined ? null : this.addToList(field, term.id);
      }
    }
  }

  private placeGender(id: string): Placement[] | null {
    if (this.gender === null || this.gender === id) this.gender = id;
    else if (ADULT_GENDERS.has(this.gender) && ADULT_GENDERS.has(id)) this.gender = 'unisex';
    else return null;
    return [{ field: 'gender', value: this.gender }];
  }

  private placeParts(term: VocabularyTerm): Placement[] {
    const parts = term.parts ?? {};
    const placements: Placement[] = [];
    if (parts.garment !== undefined) {
      this.garment = parts.garment;
      placements.push({ field: 'garment', value: parts.garment });
    }
    for (const colour of parts.colours ?? []) placements.push(...(this.addToList('colours', colour) ?? []));
    for (const fabric of parts.fabrics ?? []) placements.push(...(this.addToList('fabrics', fabric) ?? []));
    return placements;
  }

  private addToList(field: ListAttribute, id: string): Placement[] | null {
    const list = this.lists[field];
    if (!list.includes(id)) {
      if (list.length >= MAX_LIST_ITEMS) return null;
      list.push(id);
    }
    return [{ field, value: id }];
  }
}

function candidates(entries: readonly IndexEntry[], language: PromptLanguage, withClause: boolean): IndexEntry[] {
  const strongest = strongestEntries(entries);
  const spoken = language === 'unknown' ? strongest : strongest.filter((entry) => entry.languages.has(language));
  const rank = (entry: IndexEntry): number => {
    if (entry.category === 'accessory') return withClause ? -1 : VOCABULARY_CATEGORIES.length;
    return VOCABULARY_CATEGORIES.indexOf(entry.category);
  };
  return [...(spoken.length > 0 ? spoken : strongest)].sort((a, b) => rank(a) - rank(b));
}

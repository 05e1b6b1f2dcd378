/**
 * Attributes → the standardised prompt, through a checkpoint's template (POST /v1/prompts/build).
 */
import { vocabularyTerm } from './fashion-vocabulary';
import { normalisePromptAttributes, type PromptAttributes } from './prompt-attributes';
import { ARTICLE_MARK, tidyPrompt } from './prompt-cleanup';
import { DEFAULT_PROMPT_TEMPLATE, compilePromptTemplate, fillTemplate, type PromptTemplate } from './prompt-template';
import type { VocabularyCategory, VocabularyTerm } from './vocabulary-types';

export interface BuiltPrompt {
  readonly prompt: string;
  /** The attributes as canonical ids. */
  readonly attributes: PromptAttributes;
}

export interface PromptTemplateOption {
  /** A compiled template, or a template string (compiled on each call); the default mirrors the release's prompts. */
  readonly template?: PromptTemplate | string;
}

/** Validates and normalises `attributes` (see normalisePromptAttributes), then renders them. */
export function buildPrompt(attributes: unknown, options: PromptTemplateOption = {}): BuiltPrompt {
  const template = resolveTemplate(options.template);
  const normalised = normalisePromptAttributes(attributes);
  return { prompt: renderPrompt(normalised, template), attributes: normalised };
}

export function resolveTemplate(template: PromptTemplate | string | undefined): PromptTemplate {
  if (template === undefined) return DEFAULT_PROMPT_TEMPLATE;
  return typeof template === 'string' ? compilePromptTemplate(template) : template;
}

/** Renders attributes that are already canonical ids (as normalisePromptAttributes and parsePrompt return them). */
export function renderPrompt(attributes: PromptAttributes, template: PromptTemplate = DEFAULT_PROMPT_TEMPLATE): string {
  const garment = attributes.garment === null ? undefined : known('garment', attributes.garment);
  const gender = attributes.gender === null ? undefined : known('gender', attributes.gender);
  const length = attributes.length === null ? undefined : known('length', attributes.length);
  return tidyPrompt(
    fillTemplate(template, {
      gender: gender === undefined ? '' : (gender.phrase ?? gender.label),
      a: garment === undefined || garment.plural === true ? '' : ARTICLE_MARK,
      length: length?.label ?? '',
      colours: joinList(attributes.colours.map((id) => known('colour', id).label)),
      fabrics: joinList(attributes.fabrics.map((id) => known('fabric', id).label)),
      garment: garment?.label ?? '',
      accessories: joinList(attributes.accessories.map((id) => phrase(known('accessory', id)))),
    }),
  );
}

function known(category: VocabularyCategory, id: string): VocabularyTerm {
  const term = vocabularyTerm(category, id);
  if (term === undefined) throw new Error(`renderPrompt: "${id}" is not a ${category} id; normalise attributes first`);
  return term;
}

function phrase(term: VocabularyTerm): string {
  return term.phrase ?? term.label;
}

/** "red", "red and gold", "red, yellow and green". */
export function joinList(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

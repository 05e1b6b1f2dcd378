/**
 * Prompt templates, one per checkpoint (the registry holds the string). A template is text with
 * placeholders and optional groups:
 *
 *   {gender}       "a woman", "a man", "a child", "a person" (unisex)
 *   {a}            "a" or "an" for the garment phrase that follows; nothing when the garment is a
 *                  pair or plural noun ("trousers") or there is no garment ("a man in ankara")
 *   {length}       "long", "mid-length", ...
 *   {colours}      "red", "red and gold", "red, yellow and green"
 *   {fabrics}      "kente", "wax and lace"          ({fabric} and {materials} mean the same)
 *   {garment}      "dress", "trousers", ...
 *   {accessories}  "cowries", "a headwrap and gold earrings"
 *   [ ... ]        dropped whole when every placeholder inside it is empty ("[ with {accessories}]")
 *
 * Compiling checks everything once, so a bad registry entry fails at start-up, naming the problem.
 */
import { PromptTemplateError } from './prompt-errors';

export const TEMPLATE_PLACEHOLDERS = ['gender', 'a', 'length', 'colours', 'fabrics', 'garment', 'accessories'] as const;
export type TemplatePlaceholder = (typeof TEMPLATE_PLACEHOLDERS)[number];

const PLACEHOLDER_NAMES: ReadonlyMap<string, TemplatePlaceholder> = new Map<string, TemplatePlaceholder>([
  ...TEMPLATE_PLACEHOLDERS.map((name): [string, TemplatePlaceholder] => [name, name]),
  ['fabric', 'fabrics'],
  ['materials', 'fabrics'],
  ['colors', 'colours'],
]);

/**
 * Mirrors the release's prompts ("a woman in vlisco with gold earrings") over the attributes its
 * prompts were standardised on: gender, length, colour, fabric/material, clothing type.
 */
export const DEFAULT_TEMPLATE_SOURCE = '[{gender} in ]{a} {length} {colours} {fabrics} {garment}[ with {accessories}], african fashion';
export const MAX_TEMPLATE_LENGTH = 500;

type TextSegment = { readonly kind: 'text'; readonly text: string };
type SlotSegment = { readonly kind: 'slot'; readonly name: TemplatePlaceholder };
type GroupSegment = { readonly kind: 'group'; readonly segments: ReadonlyArray<TextSegment | SlotSegment> };
export type TemplateSegment = TextSegment | SlotSegment | GroupSegment;

export interface PromptTemplate {
  readonly source: string;
  readonly segments: readonly TemplateSegment[];
}

export type TemplateValues = Readonly<Record<TemplatePlaceholder, string>>;

export function compilePromptTemplate(source: unknown): PromptTemplate {
  if (typeof source !== 'string') throw new PromptTemplateError(`must be a string, got ${source === null ? 'null' : typeof source}`);
  if (source.length > MAX_TEMPLATE_LENGTH) throw new PromptTemplateError(`must be at most ${MAX_TEMPLATE_LENGTH} characters, got ${source.length}`);
  // Control characters have no place in a prompt; private-use ones mark the article while rendering.
  for (let i = 0; i < source.length; i++) {
    const code = source.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) throw new PromptTemplateError(`contains a control character at ${i}`);
    if (code >= 0xe000 && code <= 0xf8ff) throw new PromptTemplateError(`contains a private-use character at ${i}`);
  }

  const top: TemplateSegment[] = [];
  let group: Array<TextSegment | SlotSegment> | null = null;
  let text = '';
  let slots = 0;
  const flushText = (): void => {
    if (text !== '') (group ?? top).push({ kind: 'text', text });
    text = '';
  };
  for (let i = 0; i < source.length; i++) {
    const char = source[i];
    if (char === '{') {
      const close = source.indexOf('}', i + 1);
      if (close < 0) throw new PromptTemplateError(`"{" at ${i} is never closed`);
      const written = source.slice(i + 1, close);
      const name = PLACEHOLDER_NAMES.get(written.trim());
      if (name === undefined) {
        throw new PromptTemplateError(`unknown placeholder {${written}}; known: ${[...PLACEHOLDER_NAMES.keys()].map((known) => `{${known}}`).join(', ')}`, written);
      }
      flushText();
      (group ?? top).push({ kind: 'slot', name });
      if (name !== 'a') slots++;
      i = close;
    } else if (char === '}') {
      throw new PromptTemplateError(`"}" at ${i} closes nothing`);
    } else if (char === '[') {
      if (group !== null) throw new PromptTemplateError(`"[" at ${i}: groups cannot nest`);
      flushText();
      group = [];
    } else if (char === ']') {
      if (group === null) throw new PromptTemplateError(`"]" at ${i} closes nothing`);
      flushText();
      if (!group.some((segment) => segment.kind === 'slot' && segment.name !== 'a')) {
        throw new PromptTemplateError(`the group ending at ${i} holds no attribute placeholder, so it could never be dropped`);
      }
      top.push({ kind: 'group', segments: group });
      group = null;
    } else {
      text += char;
    }
  }
  if (group !== null) throw new PromptTemplateError('a "[" is never closed');
  flushText();
  if (slots === 0) throw new PromptTemplateError('uses no attribute placeholder, so every prompt would be the same');
  return Object.freeze({ source, segments: Object.freeze(top) });
}

export const DEFAULT_PROMPT_TEMPLATE: PromptTemplate = compilePromptTemplate(DEFAULT_TEMPLATE_SOURCE);

/** The template with its placeholders filled and empty groups dropped; `tidyPrompt` finishes the text. */
export function fillTemplate(template: PromptTemplate, values: TemplateValues): string {
  let out = '';
  for (const segment of template.segments) {
    if (segment.kind === 'text') out += segment.text;
    else if (segment.kind === 'slot') out += values[segment.name];
    else if (segment.segments.some((part) => part.kind === 'slot' && part.name !== 'a' && values[part.name] !== '')) {
      for (const part of segment.segments) out += part.kind === 'text' ? part.text : values[part.name];
    }
  }
  return out;
}

/**
 * How deep an operation's selections go and how many fields it asks for once every fragment is
 * spread, computed in one pass linear in the document: each fragment is measured once and remembered,
 * so a fragment spread twice by each of 40 fragments (2^40 expansions) costs 40 fragment walks.
 * Depth leaves introspection fields out (their cost is bounded by the complexity limit); the field
 * count includes them.
 */
import { Kind, type DocumentNode, type FragmentDefinitionNode, type SelectionSetNode } from 'graphql';

export interface SelectionMeasure {
  /** Nesting of fields below the root, introspection fields excluded. */
  readonly depth: number;
  /** Fields once fragments are spread; may exceed 2^53 (then it is approximate, and huge). */
  readonly fields: number;
}

const NOTHING: SelectionMeasure = { depth: 0, fields: 0 };

export class SelectionMeasures {
  private readonly fragments = new Map<string, FragmentDefinitionNode>();
  private readonly measured = new Map<string, SelectionMeasure>();
  private readonly visiting = new Set<string>();

  constructor(document: DocumentNode) {
    for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) this.fragments.set(definition.name.value, definition);
  }

  of(set: SelectionSetNode | undefined): SelectionMeasure {
    if (!set) return NOTHING;
    let depth = 0;
    let fields = 0;
    for (const selection of set.selections) {
      let inner: SelectionMeasure;
      if (selection.kind === Kind.FIELD) {
        const below = this.of(selection.selectionSet);
        inner = { depth: selection.name.value.startsWith('__') ? 0 : 1 + below.depth, fields: 1 + below.fields };
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        inner = this.of(selection.selectionSet);
      } else {
        inner = this.ofFragment(selection.name.value);
      }
      depth = Math.max(depth, inner.depth);
      fields += inner.fields;
    }
    return { depth, fields };
  }

  private ofFragment(name: string): SelectionMeasure {
    const known = this.measured.get(name);
    if (known) return known;
    const fragment = this.fragments.get(name);
    // Unknown and cyclic fragments are reported by graphql's own rules (the document is refused anyway).
    if (!fragment || this.visiting.has(name)) return NOTHING;
    this.visiting.add(name);
    const measure = this.of(fragment.selectionSet);
    this.visiting.delete(name);
    this.measured.set(name, measure);
    return measure;
  }
}

const byDocument = new WeakMap<DocumentNode, SelectionMeasures>();

/** The measures of a document, shared by the rules that validate it. */
export function measuresOf(document: DocumentNode): SelectionMeasures {
  let measures = byDocument.get(document);
  if (!measures) byDocument.set(document, (measures = new SelectionMeasures(document)));
  return measures;
}

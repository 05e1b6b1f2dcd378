/**
 * Validation rules that limit what one GraphQL operation may ask for: selection depth (so it runs for
 * HTTP and websocket operations alike) and which operations each transport carries. Introspection
 * fields do not count towards depth (their cost is bounded by complexity-limit.ts).
 */
import { GraphQLError, Kind, OperationTypeNode, type ASTVisitor, type DocumentNode, type FragmentDefinitionNode, type SelectionSetNode, type ValidationContext } from 'graphql';

/**
 * The deepest selection of each operation, through fragments. Each fragment's depth is computed once
 * per document and remembered, so the walk is linear in the document: a fragment spread twice by
 * each of 30 fragments (2^30 expansions) costs 30 fragment walks, not a billion.
 */
export function maxDepthRule(maxDepth: number): (context: ValidationContext) => ASTVisitor {
  return (context) => {
    const depths = new FragmentDepths(context.getDocument());
    return {
      OperationDefinition(node) {
        const depth = depths.ofSelectionSet(node.selectionSet);
        if (depth > maxDepth) {
          const name = node.name ? `operation "${node.name.value}"` : 'the operation';
          context.reportError(
            new GraphQLError(`query: ${name} is ${depth} levels deep; the limit is ${maxDepth}`, { nodes: [node], extensions: { details: { field: 'query', rule: 'max depth', max: maxDepth, depth } } }),
          );
        }
      },
    };
  };
}

/** Selection depth with each fragment's depth memoised; introspection fields do not count. */
class FragmentDepths {
  private readonly fragments = new Map<string, FragmentDefinitionNode>();
  private readonly depths = new Map<string, number>();
  private readonly visiting = new Set<string>();

  constructor(document: DocumentNode) {
    for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) this.fragments.set(definition.name.value, definition);
  }

  ofSelectionSet(set: SelectionSetNode | undefined): number {
    if (!set) return 0;
    let deepest = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value.startsWith('__')) continue;
        deepest = Math.max(deepest, 1 + this.ofSelectionSet(selection.selectionSet));
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        deepest = Math.max(deepest, this.ofSelectionSet(selection.selectionSet));
      } else {
        deepest = Math.max(deepest, this.ofFragment(selection.name.value));
      }
    }
    return deepest;
  }

  private ofFragment(name: string): number {
    const known = this.depths.get(name);
    if (known !== undefined) return known;
    const fragment = this.fragments.get(name);
    // Unknown and cyclic fragments are reported by graphql's own rules (the document is refused anyway).
    if (!fragment || this.visiting.has(name)) return 0;
    this.visiting.add(name);
    const depth = this.ofSelectionSet(fragment.selectionSet);
    this.visiting.delete(name);
    this.depths.set(name, depth);
    return depth;
  }
}

/**
 * The websocket carries subscriptions only: queries and mutations go over HTTP, where the complexity
 * limit sees their variables. (A subscription has one root field over a flat event type, so its cost
 * is bounded by the depth limit.)
 */
export function subscriptionsOnlyRule(context: ValidationContext): ASTVisitor {
  return {
    OperationDefinition(node) {
      if (node.operation === OperationTypeNode.SUBSCRIPTION) return;
      context.reportError(
        new GraphQLError(`query: ${node.operation}s go over HTTP (POST /graphql); the websocket carries subscriptions only`, {
          nodes: [node],
          extensions: { details: { field: 'query', rule: 'subscriptions only over websocket' } },
        }),
      );
    },
  };
}

/**
 * HTTP carries queries and mutations only: a subscription needs the websocket (graphql-ws on the same
 * path). Without this rule Apollo would run a subscription over HTTP as a one-off query, calling the
 * subscription's resolver without an event, and answer an internal error.
 */
export function noSubscriptionsOverHttpRule(context: ValidationContext): ASTVisitor {
  return {
    OperationDefinition(node) {
      if (node.operation !== OperationTypeNode.SUBSCRIPTION) return;
      context.reportError(
        new GraphQLError('query: subscriptions go over the websocket (graphql-ws at /graphql); HTTP carries queries and mutations', {
          nodes: [node],
          extensions: { details: { field: 'query', rule: 'no subscriptions over HTTP' } },
        }),
      );
    },
  };
}

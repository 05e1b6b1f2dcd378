/**
 * Limits on what one GraphQL operation may ask for: selection depth (a validation rule, so it runs
 * for HTTP and websocket operations alike) and estimated complexity (graphql-query-complexity,
 * with per-field costs declared on the schema). Introspection fields do not count towards depth.
 */
import { GraphQLError, Kind, OperationTypeNode, type DocumentNode, type GraphQLSchema, type SelectionSetNode, type ValidationContext, type ASTVisitor, type FragmentDefinitionNode } from 'graphql';
import { fieldExtensionsEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';

export function maxDepthRule(maxDepth: number): (context: ValidationContext) => ASTVisitor {
  return (context) => ({
    OperationDefinition(node) {
      const fragments = new Map<string, FragmentDefinitionNode>();
      for (const definition of context.getDocument().definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
      const depth = selectionDepth(node.selectionSet, fragments, new Set());
      if (depth > maxDepth) {
        const name = node.name ? `operation "${node.name.value}"` : 'the operation';
        context.reportError(
          new GraphQLError(`query: ${name} is ${depth} levels deep; the limit is ${maxDepth}`, { nodes: [node], extensions: { details: { field: 'query', rule: 'max depth', max: maxDepth, depth } } }),
        );
      }
    },
  });
}

function selectionDepth(set: SelectionSetNode | undefined, fragments: ReadonlyMap<string, FragmentDefinitionNode>, visiting: Set<string>): number {
  if (!set) return 0;
  let deepest = 0;
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value.startsWith('__')) continue;
      deepest = Math.max(deepest, 1 + selectionDepth(selection.selectionSet, fragments, visiting));
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      deepest = Math.max(deepest, selectionDepth(selection.selectionSet, fragments, visiting));
    } else {
      const name = selection.name.value;
      const fragment = fragments.get(name);
      // Unknown and cyclic fragments are reported by graphql's own rules.
      if (!fragment || visiting.has(name)) continue;
      visiting.add(name);
      deepest = Math.max(deepest, selectionDepth(fragment.selectionSet, fragments, visiting));
      visiting.delete(name);
    }
  }
  return deepest;
}

const ESTIMATORS = [fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })];

function tooComplex(complexity: number, maxComplexity: number): GraphQLError {
  return new GraphQLError(`query: costs ${complexity}; the limit is ${maxComplexity} (ask for fewer fields, or base64 for fewer images)`, {
    // Apollo answers errors raised after parsing with 500 unless told otherwise.
    extensions: { code: 'INVALID_ARGUMENT', details: { field: 'query', rule: 'max complexity', max: maxComplexity, complexity }, http: { status: 400 } },
  });
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

/** The estimated cost of an operation, or an error naming it when it is over the limit. */
export function complexityError(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | undefined | null,
  maxComplexity: number,
): GraphQLError | undefined {
  let complexity: number;
  try {
    complexity = getComplexity({
      schema,
      query: document,
      variables: variables ?? {},
      ...(operationName ? { operationName } : {}),
      estimators: ESTIMATORS,
    });
  } catch (error) {
    // Bad variables are answered by graphql's own coercion with a better message.
    if (error instanceof GraphQLError) return undefined;
    throw error;
  }
  return complexity <= maxComplexity ? undefined : tooComplex(complexity, maxComplexity);
}

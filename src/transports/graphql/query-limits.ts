/**
 * Validation rules that limit what one GraphQL operation may ask for: selection depth and fields once
 * fragments are spread (validation runs for HTTP and websocket operations alike), and which operations
 * each transport carries. Introspection fields do not count towards depth (their cost is bounded by
 * complexity-limit.ts).
 */
import { GraphQLError, OperationTypeNode, type ASTVisitor, type OperationDefinitionNode, type ValidationContext } from 'graphql';
import { measuresOf } from './selection-measures';

/** The deepest selection of each operation, through fragments (measured in linear time: selection-measures.ts). */
export function maxDepthRule(maxDepth: number): (context: ValidationContext) => ASTVisitor {
  return (context) => ({
    OperationDefinition(node) {
      const { depth } = measuresOf(context.getDocument()).of(node.selectionSet);
      if (depth <= maxDepth) return;
      context.reportError(
        new GraphQLError(`query: ${operationName(node)} is ${depth} levels deep; the limit is ${maxDepth}`, { nodes: [node], extensions: { details: { field: 'query', rule: 'max depth', max: maxDepth, depth } } }),
      );
    },
  });
}

/**
 * At most `maxFields` fields once fragments are spread. Every field costs at least 1, so an operation
 * over this asks for more than any complexity estimate would walk: refused here in linear time,
 * instead of by the estimator after walking its limit (fragment bombs expand to billions).
 */
export function maxExpandedFieldsRule(maxFields: number): (context: ValidationContext) => ASTVisitor {
  return (context) => ({
    OperationDefinition(node) {
      const { fields } = measuresOf(context.getDocument()).of(node.selectionSet);
      if (fields <= maxFields) return;
      const count = Number.isSafeInteger(fields) ? String(fields) : 'more than 2^53';
      context.reportError(
        new GraphQLError(`query: ${operationName(node)} expands to ${count} fields through its fragments; the limit is ${maxFields}`, {
          nodes: [node],
          extensions: { details: { field: 'query', rule: 'max fields', max: maxFields } },
        }),
      );
    },
  });
}

function operationName(node: OperationDefinitionNode): string {
  return node.name ? `operation "${node.name.value}"` : 'the operation';
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

/**
 * The estimated cost of an operation (graphql-query-complexity, with per-field costs declared on the
 * schema), checked before it runs. Fails closed: an operation whose cost cannot be estimated is
 * refused, unless its variables do not coerce (then graphql's own coercion answers, and nothing runs).
 */
import { GraphQLError, getOperationAST, getVariableValues, type DocumentNode, type GraphQLSchema } from 'graphql';
import { fieldExtensionsEstimator, getComplexity, simpleEstimator, type ComplexityEstimator } from 'graphql-query-complexity';

/**
 * `__schema` answers the whole schema and `__type` one type, whatever they select below: each costs
 * a flat amount on top of its fields, so padding an operation with aliases of them hits the limit
 * (at the default 1000, nine `__schema`), while the standard introspection query still fits.
 */
export const INTROSPECTION_COSTS: Readonly<Record<string, number>> = { __schema: 100, __type: 10 };

const introspectionEstimator: ComplexityEstimator = ({ field, childComplexity }) => {
  const cost = INTROSPECTION_COSTS[field.name];
  return cost === undefined ? undefined : cost + childComplexity;
};

const ESTIMATORS = [introspectionEstimator, fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })];

/**
 * Selections visited (fragments expanded) before the estimate gives up; the estimate then fails,
 * closed. Validation refuses operations of more fields than this beforehand (maxExpandedFieldsRule).
 */
export const MAX_ESTIMATED_NODES = 10_000;

function refusal(message: string, details: Record<string, unknown>): GraphQLError {
  // Apollo answers errors raised after parsing with 500 unless told otherwise.
  return new GraphQLError(message, { extensions: { code: 'INVALID_ARGUMENT', details: { field: 'query', rule: 'max complexity', ...details }, http: { status: 400 } } });
}

/** The estimated cost of an operation, or an error naming it when it is over the limit or cannot be estimated. */
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
      maxQueryNodes: MAX_ESTIMATED_NODES,
    });
  } catch (error) {
    if (variablesFailToCoerce(schema, document, variables, operationName)) return undefined;
    const reason = error instanceof GraphQLError ? error.message : 'the estimate failed';
    return refusal(`query: its cost could not be estimated (${reason}); the operation is refused`, { max: maxComplexity, reason });
  }
  if (!Number.isFinite(complexity)) return refusal('query: its cost could not be estimated; the operation is refused', { max: maxComplexity });
  if (complexity <= maxComplexity) return undefined;
  return refusal(`query: costs ${complexity}; the limit is ${maxComplexity} (ask for fewer fields, or base64 for fewer images)`, { max: maxComplexity, complexity });
}

/**
 * True only when the operation's variables do not coerce: graphql's execution then refuses the
 * request with a message naming the variable, before any resolver runs, so letting it through the
 * complexity check costs nothing. Any other failure to estimate is refused by the caller.
 */
function variablesFailToCoerce(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown> | undefined, operationName: string | undefined | null): boolean {
  const operation = getOperationAST(document, operationName);
  if (!operation) return false;
  const { errors } = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {}, { maxErrors: 1 });
  return errors !== undefined && errors.length > 0;
}

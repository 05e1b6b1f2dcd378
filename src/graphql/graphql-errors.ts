/**
 * GraphQL's side of the one error enum: every error leaves with `extensions.code` from ErrorCode,
 * `extensions.details` and a message that names the field and rule. GraphQL's own request errors
 * (syntax, validation, variable coercion) become INVALID_ARGUMENT with the original kind kept.
 */
import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ErrorCode, toApiError } from '../common/error-code';

const ERROR_CODES: ReadonlySet<string> = new Set(Object.values(ErrorCode));

/** Apollo's and graphql-js's codes for a request the client got wrong. */
const REQUEST_ERROR_CODES: ReadonlySet<string> = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

/** An error thrown below a resolver, as the GraphQLError the client will see. */
export function toGraphQLError(exception: unknown): GraphQLError {
  if (exception instanceof GraphQLError && typeof exception.extensions['code'] === 'string' && ERROR_CODES.has(exception.extensions['code'])) return exception;
  const error = toApiError(exception);
  const extensions: Record<string, unknown> = { code: error.code, details: error.details };
  if (error.retryAfterMs !== undefined) extensions['retryAfterSeconds'] = Math.max(1, Math.ceil(error.retryAfterMs / 1000));
  return new GraphQLError(error.message, { extensions });
}

/** Apollo's formatError: the last word on every error in a response. Never a stack trace. */
export function formatGraphQLError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const code = formatted.extensions?.['code'];
  const base = { message: formatted.message, ...(formatted.locations ? { locations: formatted.locations } : {}), ...(formatted.path ? { path: formatted.path } : {}) };
  if (typeof code === 'string' && ERROR_CODES.has(code)) {
    return { ...base, extensions: { code, details: formatted.extensions?.['details'] ?? {}, ...retryAfter(formatted) } };
  }
  if (typeof code === 'string' && REQUEST_ERROR_CODES.has(code)) {
    const details = (formatted.extensions?.['details'] as Record<string, unknown> | undefined) ?? {};
    return { ...base, extensions: { code: ErrorCode.INVALID_ARGUMENT, details: { ...details, graphqlCode: code } } };
  }
  const apiError = toGraphQLError(unwrapResolverError(error));
  return { ...base, message: apiError.message, extensions: apiError.extensions };
}

function retryAfter(formatted: GraphQLFormattedError): Record<string, unknown> {
  const seconds = formatted.extensions?.['retryAfterSeconds'];
  return seconds === undefined ? {} : { retryAfterSeconds: seconds };
}

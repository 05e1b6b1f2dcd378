/**
 * GraphQL's side of the one error enum: every error leaves with `extensions.code` from ErrorCode,
 * `extensions.details` and a message that names the field and rule. GraphQL's own request errors
 * (syntax, validation, variable coercion) become INVALID_ARGUMENT with the original kind kept.
 * Nothing internal leaves: an unexpected error is INTERNAL "internal error", and a message carrying
 * an absolute file path or a runtime's own text has it removed; the log keeps the detail.
 */
import { unwrapResolverError } from '@apollo/server/errors';
import { Logger } from '@nestjs/common';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ErrorCode } from '../../common/error-code';
import { toApiError } from '../../error-mapping/to-api-error';

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

/**
 * The parser calls no user code and reports only GraphQLErrors: anything else under a parse failure
 * (a stack overflow) is the server's fault. (Validation and coercion errors may carry a scalar's own
 * TypeError about the client's value, which is the client's to read.)
 */
const PARSE_FAILED = 'GRAPHQL_PARSE_FAILED';

/** An absolute path (POSIX after a separator, or a Windows drive), a stack frame, a runtime's own words. */
const ABSOLUTE_PATH = /(?<=^|[\s"'`(=:,[])(?:\/(?:[\w.@+-]+\/)+[\w.@+-]*|[A-Za-z]:\\[^\s"'`)]+)/g;
const RUNTIME_TEXT = /Maximum call stack size exceeded|\bat [\w.<>$]+ \(|node:internal|\.(?:ts|js):\d+:\d+/;

const logger = new Logger('GraphQL');

/** An error thrown below a resolver, as the GraphQLError the client will see. */
export function toGraphQLError(exception: unknown): GraphQLError {
  if (exception instanceof GraphQLError && typeof exception.extensions['code'] === 'string' && ERROR_CODES.has(exception.extensions['code'])) return exception;
  const error = toApiError(exception);
  const extensions: Record<string, unknown> = { code: error.code, details: error.details };
  if (error.retryAfterMs !== undefined) extensions['retryAfterSeconds'] = Math.max(1, Math.ceil(error.retryAfterMs / 1000));
  return new GraphQLError(error.message, { extensions });
}

/** Apollo's formatError (and the websocket's): the last word on every error in a response. Never a stack trace. */
export function formatGraphQLError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const code = formatted.extensions?.['code'];
  const base = { message: formatted.message, ...(formatted.locations ? { locations: formatted.locations } : {}), ...(formatted.path ? { path: formatted.path } : {}) };
  if (typeof code === 'string' && ERROR_CODES.has(code)) {
    return withoutInternals({ ...base, extensions: { code, details: formatted.extensions?.['details'] ?? {}, ...retryAfter(formatted) } }, error);
  }
  const requestCode = typeof code === 'string' ? code : isRequestError(error) ? 'GRAPHQL_VALIDATION_FAILED' : undefined;
  if (requestCode !== undefined && REQUEST_ERROR_CODES.has(requestCode)) {
    if (requestCode === PARSE_FAILED && causedByNonGraphQLError(error)) return internal(base, error);
    const details = (formatted.extensions?.['details'] as Record<string, unknown> | undefined) ?? {};
    return withoutInternals({ ...base, extensions: { code: ErrorCode.INVALID_ARGUMENT, details: { ...details, graphqlCode: requestCode } } }, error);
  }
  const apiError = toGraphQLError(unwrapResolverError(error));
  if (apiError.extensions['code'] === ErrorCode.INTERNAL) return internal(base, error);
  return withoutInternals({ ...base, message: apiError.message, extensions: apiError.extensions }, error);
}

/** graphql-js's own request errors (syntax, validation, variables) when no server put a code on them: nothing underneath. */
function isRequestError(error: unknown): boolean {
  return error instanceof GraphQLError && error.originalError === undefined && error.extensions['code'] === undefined;
}

function causedByNonGraphQLError(error: unknown): boolean {
  for (let cause: unknown = error, hops = 0; cause instanceof Error && hops < 10; hops++) {
    if (!(cause instanceof GraphQLError)) return true;
    cause = cause.originalError;
  }
  return false;
}

function internal(base: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  logger.error(`internal error answered as INTERNAL: ${describe(error)}`);
  return { ...base, message: 'internal error', extensions: { code: ErrorCode.INTERNAL, details: {} } };
}

/** Removes absolute paths from a message; a message with a runtime's own text becomes INTERNAL. The log keeps the original. */
function withoutInternals(answer: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  if (RUNTIME_TEXT.test(answer.message)) return internal(answer, error);
  const message = answer.message.replace(ABSOLUTE_PATH, '<path>');
  if (message === answer.message) return answer;
  logger.warn(`a path was removed from an error message: ${answer.message}`);
  return { ...answer, message };
}

function describe(error: unknown): string {
  const chain: string[] = [];
  for (let cause: unknown = error, hops = 0; cause instanceof Error && hops < 10; hops++) {
    chain.push(cause.stack ?? `${cause.name}: ${cause.message}`);
    cause = cause instanceof GraphQLError ? cause.originalError : cause.cause;
  }
  return chain.length > 0 ? chain.join('\ncaused by: ') : String(error);
}

function retryAfter(formatted: GraphQLFormattedError): Record<string, unknown> {
  const seconds = formatted.extensions?.['retryAfterSeconds'];
  return seconds === undefined ? {} : { retryAfterSeconds: seconds };
}

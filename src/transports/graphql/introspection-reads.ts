/**
 * Operations that reach no resolver (`__schema`, `__type`, `__typename` only) pass no guard, so they
 * would be neither authenticated nor counted. They are counted here as one read, like any other:
 * against the caller's key when one is presented (a bad key is refused), and otherwise, since the
 * schema is public (as the OpenAPI document is), against the caller's address on the free tier.
 */
import type { Request } from 'express';
import { GraphQLError, Kind, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import type { Principal } from '../../auth/api-keys';
import type { AccessService } from '../../auth/access.service';
import { presentedApiKey } from '../../auth/credentials';
import { ApiError, ErrorCode } from '../../common/error-code';
import { toGraphQLError } from './graphql-errors';

/** The tier of callers without a key when keys are required: the smallest built-in one. */
export const ANONYMOUS_TIER = 'free';

/** True when every root field of the operation, through fragments, is an introspection field. */
export function reachesNoResolver(operation: OperationDefinitionNode, document: DocumentNode): boolean {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  const seen = new Set<string>();
  const onlyMetaFields = (set: SelectionSetNode): boolean =>
    set.selections.every((selection) => {
      if (selection.kind === Kind.FIELD) return selection.name.value.startsWith('__');
      if (selection.kind === Kind.INLINE_FRAGMENT) return onlyMetaFields(selection.selectionSet);
      // Each fragment is looked at once: what it holds does not change with how often it is spread.
      if (seen.has(selection.name.value)) return true;
      seen.add(selection.name.value);
      const fragment = fragments.get(selection.name.value);
      return fragment === undefined || onlyMetaFields(fragment.selectionSet);
    });
  return onlyMetaFields(operation.selectionSet);
}

/** The caller of an operation no guard saw. Throws UNAUTHENTICATED for a bad key. */
function callerOf(access: AccessService, request: Request | undefined): Principal {
  const key = presentedApiKey((name) => request?.headers[name]);
  const address = request?.ip ?? request?.socket?.remoteAddress;
  if (key !== undefined || access.open) return access.authenticate(key, address);
  return { clientId: `anonymous:${address ?? 'unknown'}`, tier: ANONYMOUS_TIER, roles: [], authenticated: false };
}

const HTTP_STATUS: Partial<Record<ErrorCode, number>> = { [ErrorCode.UNAUTHENTICATED]: 401, [ErrorCode.RESOURCE_EXHAUSTED]: 429 };

/** Counts one read for an operation no guard saw; throws the refusal (UNAUTHENTICATED, RESOURCE_EXHAUSTED) as a GraphQLError with its HTTP status. */
export async function countIntrospectionRead(access: AccessService, request: Request | undefined): Promise<void> {
  try {
    await access.consume(callerOf(access, request), 'reads');
  } catch (exception) {
    const error = toGraphQLError(exception);
    const code = error.extensions['code'] as ErrorCode;
    const headers = new Map<string, string>();
    if (exception instanceof ApiError && exception.retryAfterMs !== undefined) headers.set('retry-after', String(Math.max(1, Math.ceil(exception.retryAfterMs / 1000))));
    throw new GraphQLError(error.message, { extensions: { ...error.extensions, http: { status: HTTP_STATUS[code] ?? 400, headers } } });
  }
}

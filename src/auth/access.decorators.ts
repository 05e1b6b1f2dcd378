/** Route and resolver metadata read by AccessGuard. */
import { SetMetadata, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Principal, Role } from './api-keys';
import type { RateLimitKind } from './tiers';

export const PUBLIC_KEY = 'afd:public';
export const ROLE_KEY = 'afd:role';
export const RATE_LIMIT_KEY = 'afd:rate-limit';

/** No key needed and no rate limit (health, metrics). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(PUBLIC_KEY, true);

export const RequireRole = (role: Role): MethodDecorator & ClassDecorator => SetMetadata(ROLE_KEY, role);

/** Which tier limit a route counts against; reads unless marked. */
export const RateLimit = (kind: RateLimitKind): MethodDecorator & ClassDecorator => SetMetadata(RATE_LIMIT_KEY, kind);

/** Where AccessGuard leaves the caller on the request (REST, GraphQL over HTTP) or websocket context. */
export const PRINCIPAL = Symbol('principal');

export interface WithPrincipal {
  [PRINCIPAL]?: Principal;
}

/** The caller of a REST route or GraphQL resolver (set by AccessGuard). */
export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const holder = principalHolder(context);
  const principal = holder?.[PRINCIPAL];
  if (!principal) throw new Error('CurrentPrincipal used on a route AccessGuard did not guard');
  return principal;
});

/** The object carrying the principal: the HTTP request, or the GraphQL context for websocket operations. */
export function principalHolder(context: ExecutionContext): WithPrincipal | undefined {
  if (context.getType<string>() === 'graphql') {
    const gqlContext = context.getArgs()[2] as { req?: WithPrincipal } & WithPrincipal;
    return gqlContext.req ?? gqlContext;
  }
  return context.switchToHttp().getRequest<WithPrincipal>();
}

/**
 * The global guard for REST routes and GraphQL operations: authenticate, check the role the handler
 * requires, count the request against the caller's tier. Websocket subscriptions are authenticated
 * once when the connection opens (see graphql-api.module.ts) and arrive with their principal.
 */
import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { Role } from './api-keys';
import { PRINCIPAL, PUBLIC_KEY, RATE_LIMIT_KEY, ROLE_KEY, principalHolder } from './access.decorators';
import { AccessService } from './access.service';
import { presentedApiKey } from './credentials';
import type { RateLimitKind } from './tiers';

@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(AccessService) private readonly access: AccessService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const holder = principalHolder(context);
    if (!holder) return true;
    let principal = holder[PRINCIPAL];
    if (!principal) {
      const request = holder as Request;
      principal = this.access.authenticate(
        presentedApiKey((name) => request.headers?.[name]),
        request.ip ?? request.socket?.remoteAddress,
      );
      holder[PRINCIPAL] = principal;
    }
    const role = this.reflector.getAllAndOverride<Role | undefined>(ROLE_KEY, targets);
    if (role) this.access.requireRole(principal, role);
    await this.access.consume(principal, this.reflector.getAllAndOverride<RateLimitKind | undefined>(RATE_LIMIT_KEY, targets) ?? 'reads');
    return true;
  }
}

/**
 * One gate for every transport: who is calling (API key, or address when the server runs open),
 * whether they hold a role, and whether their tier allows another request of a kind this window.
 * Counts live in @nestjs/throttler's storage: in memory, or in Redis (shared by replicas).
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import { ApiError, ErrorCode } from '../common/error-code';
import type { Principal, Role } from './api-keys';
import type { AuthConfig } from './auth-config';
import { RATE_LIMIT_WINDOW_MS, type RateLimitKind } from './tiers';

export const AUTH_CONFIG = Symbol('AUTH_CONFIG');

@Injectable()
export class AccessService {
  private readonly logger = new Logger('Access');
  private storageFailureLoggedAt = 0;
  private draining = false;

  constructor(
    @Inject(AUTH_CONFIG) private readonly auth: AuthConfig,
    @Inject(ThrottlerStorage) private readonly storage: ThrottlerStorage,
  ) {}

  get open(): boolean {
    return this.auth.mode === 'open';
  }

  /** The caller, from the key it presents (undefined: none) and its address. Throws UNAUTHENTICATED. */
  authenticate(key: string | undefined, address: string | undefined): Principal {
    if (this.auth.mode === 'open') {
      return { clientId: `ip:${address ?? 'unknown'}`, tier: this.auth.openTier, roles: [], authenticated: false };
    }
    if (key === undefined) {
      throw new ApiError(ErrorCode.UNAUTHENTICATED, 'authorization: an API key is required (Authorization: Bearer <key>, or X-API-Key)', { field: 'authorization' });
    }
    const principal = this.auth.store.authenticate(key);
    if (!principal) throw new ApiError(ErrorCode.UNAUTHENTICATED, 'authorization: the API key is not valid', { field: 'authorization' });
    return principal;
  }

  requireRole(principal: Principal, role: Role): void {
    if (principal.roles.includes(role)) return;
    const why = this.open ? 'the server runs open (no API keys configured), so no caller holds it' : `client "${principal.clientId}" does not hold it`;
    throw new ApiError(ErrorCode.PERMISSION_DENIED, `this operation needs the ${role} role; ${why}`, { role });
  }

  /** Shutdown has begun: new generation requests are refused (UNAVAILABLE); reads go on, so clients can fetch running work. */
  beginDrain(): void {
    this.draining = true;
  }

  get isDraining(): boolean {
    return this.draining;
  }

  /** Counts one request of a kind against the caller's tier; throws RESOURCE_EXHAUSTED with a retry-after when over. */
  async consume(principal: Principal, kind: RateLimitKind): Promise<void> {
    if (kind === 'generations' && this.draining) {
      throw new ApiError(ErrorCode.UNAVAILABLE, 'the server is shutting down; retry the request (another replica will take it)', {}, 1000);
    }
    const limits = this.auth.tiers[principal.tier];
    if (!limits) return;
    const limit = limits[kind];
    let record;
    try {
      record = await this.storage.increment(`${kind}:${principal.clientId}`, RATE_LIMIT_WINDOW_MS, limit, RATE_LIMIT_WINDOW_MS, kind);
    } catch (error) {
      // The shared counter store is unreachable: serve rather than refuse everyone, and say so (once a minute).
      if (Date.now() - this.storageFailureLoggedAt > 60_000) {
        this.storageFailureLoggedAt = Date.now();
        this.logger.warn(`rate limits not applied: the counter store failed (${(error as Error).message})`);
      }
      return;
    }
    if (!record.isBlocked && record.totalHits <= limit) return;
    const retryAfterMs = Math.max(1, record.isBlocked ? record.timeToBlockExpire : record.timeToExpire) * 1000;
    throw new ApiError(
      ErrorCode.RESOURCE_EXHAUSTED,
      `rate limit: ${limit} ${kind === 'generations' ? 'generation requests' : 'reads'} per minute for tier ${principal.tier}; try again in ${Math.ceil(retryAfterMs / 1000)} s`,
      { rule: 'rate limit', kind, limit, tier: principal.tier },
      retryAfterMs,
    );
  }
}

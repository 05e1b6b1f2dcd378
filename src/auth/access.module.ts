/** Authentication, roles and rate limits for every transport; counts in memory, or in Redis (under AFD_REDIS_PREFIX) when AFD_REDIS_URL is set. */
import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { AccessGuard } from './access.guard';
import { AUTH_CONFIG, AccessService } from './access.service';
import type { AuthConfig } from './auth-config';
import { RedisRateLimitStorage } from './rate-limit-storage';
import { RATE_LIMIT_WINDOW_MS } from './tiers';

@Module({})
export class AccessModule {
  static forRoot(auth: AuthConfig, redisUrl: string | undefined, redisPrefix = 'afd'): DynamicModule {
    return {
      module: AccessModule,
      global: true,
      imports: [
        ThrottlerModule.forRoot({
          throttlers: [{ ttl: RATE_LIMIT_WINDOW_MS, limit: 1 }],
          ...(redisUrl ? { storage: new RedisRateLimitStorage(redisUrl, redisPrefix) } : {}),
        }),
      ],
      providers: [{ provide: AUTH_CONFIG, useValue: auth }, AccessService, { provide: APP_GUARD, useClass: AccessGuard }],
      exports: [AccessService, AUTH_CONFIG],
    };
  }
}

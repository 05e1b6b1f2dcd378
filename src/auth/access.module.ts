/** Authentication, roles and rate limits for every transport; counts in memory, or in Redis when AFD_REDIS_URL is set. */
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { AccessGuard } from './access.guard';
import { AUTH_CONFIG, AccessService } from './access.service';
import type { AuthConfig } from './auth-config';
import { RATE_LIMIT_WINDOW_MS } from './tiers';

@Module({})
export class AccessModule {
  static forRoot(auth: AuthConfig, redisUrl: string | undefined): DynamicModule {
    return {
      module: AccessModule,
      global: true,
      imports: [
        ThrottlerModule.forRoot({
          throttlers: [{ ttl: RATE_LIMIT_WINDOW_MS, limit: 1 }],
          // Commands fail fast while Redis is away (AccessService then serves without counting) instead of queueing.
          ...(redisUrl ? { storage: new ThrottlerStorageRedisService(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false }) } : {}),
        }),
      ],
      providers: [{ provide: AUTH_CONFIG, useValue: auth }, AccessService, { provide: APP_GUARD, useClass: AccessGuard }],
      exports: [AccessService, AUTH_CONFIG],
    };
  }
}

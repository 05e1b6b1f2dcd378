/**
 * Rate-limit counters in Redis. Every counter key starts with the deployment's AFD_REDIS_PREFIX
 * (`<prefix>:rl:{<kind>:<client>:<kind>}:hits`), like every other key of the deployment, so two
 * deployments sharing a Redis server never share a quota for clients of the same name (and an ACL
 * key pattern `~<prefix>:*` covers them).
 */
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import type { OnModuleDestroy } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import IORedis, { type Redis } from 'ioredis';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

export class RedisRateLimitStorage implements ThrottlerStorage, OnModuleDestroy {
  private readonly redis: Redis;
  private readonly counters: ThrottlerStorageRedisService;

  constructor(redisUrl: string, prefix: string) {
    // ioredis prefixes the script's KEYS too. Commands fail fast while Redis is away (AccessService
    // then serves without counting) instead of queueing.
    this.redis = new IORedis(redisUrl, { keyPrefix: `${prefix}:rl:`, enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false });
    this.counters = new ThrottlerStorageRedisService(this.redis);
  }

  increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<ThrottlerStorageRecord> {
    return this.counters.increment(key, ttl, limit, blockDuration, throttlerName);
  }

  /** Resolves once the connection is up (until then requests are served without counting). */
  ready(): Promise<void> {
    if (this.redis.status === 'ready') return Promise.resolve();
    return new Promise((resolve) => this.redis.once('ready', () => resolve()));
  }

  onModuleDestroy(): void {
    this.redis.disconnect(false);
  }
}

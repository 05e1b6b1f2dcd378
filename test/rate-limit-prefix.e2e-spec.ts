/**
 * Rate-limit counters in a real Redis are namespaced by AFD_REDIS_PREFIX: two deployments sharing
 * one Redis server keep separate quotas for clients of the same name, and replicas of one
 * deployment share theirs. Skipped, with the reason, where no Redis answers on 127.0.0.1:6379.
 */
import { Test } from '@nestjs/testing';
import { ThrottlerStorage } from '@nestjs/throttler';
import IORedis from 'ioredis';
import { randomUUID } from 'node:crypto';
import type { Principal } from '../src/auth/api-keys';
import { AccessModule } from '../src/auth/access.module';
import { AccessService } from '../src/auth/access.service';
import { loadAuthConfig } from '../src/auth/auth-config';
import type { RedisRateLimitStorage } from '../src/auth/rate-limit-storage';
import { ErrorCode } from '../src/common/error-code';
import { redisAvailable } from './support/redis-available';

const REDIS_URL = 'redis://127.0.0.1:6379';

describe('rate limits in Redis, per deployment prefix', () => {
  let available = false;
  const run = randomUUID().slice(0, 8);
  const prefixes = [`afdtest-rl-a-${run}`, `afdtest-rl-b-${run}`];
  const closers: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    available = await redisAvailable();
    if (!available) console.warn('SKIPPED: rate-limit prefix tests — no Redis server on 127.0.0.1:6379');
  });
  afterAll(async () => {
    for (const close of closers) await close();
    if (!available) return;
    const redis = new IORedis(REDIS_URL);
    for (const prefix of prefixes) {
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
    }
    await redis.quit();
  });

  /** A replica's AccessService, as the application builds it (open mode, tier free: 10 generations a minute). */
  const replica = async (prefix: string): Promise<AccessService> => {
    const auth = loadAuthConfig({ AFD_ALLOW_OPEN: 'true', AFD_OPEN_TIER: 'free' });
    const module = await Test.createTestingModule({ imports: [AccessModule.forRoot(auth, REDIS_URL, prefix)] }).compile();
    await module.init();
    closers.push(() => module.close());
    await module.get<RedisRateLimitStorage>(ThrottlerStorage).ready();
    return module.get(AccessService);
  };
  const client: Principal = { clientId: 'ip:10.0.0.7', tier: 'free', roles: [], authenticated: false };
  const refused = (access: AccessService) =>
    access.consume(client, 'generations').then(
      () => undefined,
      (error: { code?: string }) => error.code,
    );

  it('keeps separate quotas for the same client under two prefixes, and one quota across replicas of a prefix', async () => {
    if (!available) return;
    const [a1, a2, b] = [await replica(prefixes[0]!), await replica(prefixes[0]!), await replica(prefixes[1]!)];
    for (let i = 0; i < 10; i++) await (i % 2 === 0 ? a1 : a2).consume(client, 'generations');
    expect(await refused(a1)).toBe(ErrorCode.RESOURCE_EXHAUSTED);
    expect(await refused(a2)).toBe(ErrorCode.RESOURCE_EXHAUSTED);
    // The other deployment's client of the same name has its whole quota.
    expect(await refused(b)).toBeUndefined();

    const redis = new IORedis(REDIS_URL);
    try {
      expect((await redis.keys(`${prefixes[0]}:rl:*`)).length).toBeGreaterThan(0);
      expect(await redis.keys(`{generations:${client.clientId}*`)).toEqual([]);
    } finally {
      await redis.quit();
    }
  });
});

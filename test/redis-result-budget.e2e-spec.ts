/**
 * Image bytes in Redis are bounded in bytes, in total and per replica, besides their TTL: against a
 * real Redis, the result store evicts the oldest results past either budget (images and state, so
 * readers get 410 GONE as in local mode), and replicas answer that. Skipped, with the reason,
 * where no Redis answers on 127.0.0.1:6379.
 */
import type { NestExpressApplication } from '@nestjs/platform-express';
import IORedis, { type Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { AppConfig } from '../src/config/app-config';
import { createApp } from '../src/create-app';
import { redisKeys } from '../src/config/distributed-config';
import { RedisResultStore } from '../src/distributed/redis-result-store';
import { redisAvailable } from './support/redis-available';
import { testAppConfig } from './support/test-app-config';
import { waitUntilReady } from './support/wait-until-ready';

const REDIS_URL = 'redis://127.0.0.1:6379';

describe('image bytes in Redis, within byte budgets', () => {
  let available = false;
  let redis: Redis;
  const prefixes: string[] = [];
  const newPrefix = () => {
    const prefix = `afdtest-bytes-${randomUUID().slice(0, 8)}`;
    prefixes.push(prefix);
    return prefix;
  };

  beforeAll(async () => {
    available = await redisAvailable();
    if (!available) {
      console.warn('SKIPPED: Redis result budget tests — no Redis server on 127.0.0.1:6379');
      return;
    }
    redis = new IORedis(REDIS_URL);
  });
  afterAll(async () => {
    if (!available) return;
    for (const prefix of prefixes) {
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
    }
    await redis.quit();
  });

  const queued = async (prefix: string, id: string) => {
    await redis.set(redisKeys(prefix).state(id), JSON.stringify({ id, status: 'running' }), 'PX', 60_000);
  };
  const finalState = (id: string) => JSON.stringify({ id, status: 'succeeded' });
  const image = (bytes: number) => Buffer.alloc(bytes, 7);
  const exists = (prefix: string, id: string) => redis.exists(redisKeys(prefix).state(id), redisKeys(prefix).image(id, 0));

  it('evicts the oldest results past the total budget, images and state, and keeps the books', async () => {
    if (!available) return;
    const prefix = newPrefix();
    const store = new RedisResultStore(redis, redisKeys(prefix), prefix, 'replica-a', 60_000, { totalBytes: 2_500, replicaBytes: 10_000 });
    for (const [i, id] of ['g1', 'g2', 'g3'].entries()) {
      await queued(prefix, id);
      expect(await store.store(id, finalState(id), [image(1_000)], 1_000 + i)).toEqual({ stored: true, evicted: id === 'g3' ? 1 : 0 });
    }
    expect(await exists(prefix, 'g1')).toBe(0);
    expect(await exists(prefix, 'g2')).toBe(2);
    expect((await redis.getBuffer(redisKeys(prefix).image('g3', 0)))?.length).toBe(1_000);
    expect(await store.usage()).toEqual({ totalBytes: 2_000, replicaBytes: 2_000 });
  });

  it('bounds each replica\'s results on its own, leaving the others\'', async () => {
    if (!available) return;
    const prefix = newPrefix();
    const budgets = { totalBytes: 100_000, replicaBytes: 1_500 };
    const a = new RedisResultStore(redis, redisKeys(prefix), prefix, 'replica-a', 60_000, budgets);
    const b = new RedisResultStore(redis, redisKeys(prefix), prefix, 'replica-b', 60_000, budgets);
    for (const id of ['b1', 'a1', 'a2']) await queued(prefix, id);
    await b.store('b1', finalState('b1'), [image(1_000)], 1);
    await a.store('a1', finalState('a1'), [image(1_000)], 2);
    await a.store('a2', finalState('a2'), [image(1_000)], 3);
    expect([await exists(prefix, 'b1'), await exists(prefix, 'a1'), await exists(prefix, 'a2')]).toEqual([2, 0, 2]);
    expect(await a.usage()).toEqual({ totalBytes: 2_000, replicaBytes: 1_000 });
  });

  it('never overwrites a final state, and takes expired results off the books', async () => {
    if (!available) return;
    const prefix = newPrefix();
    const store = new RedisResultStore(redis, redisKeys(prefix), prefix, 'replica-a', 1_000, { totalBytes: 100_000, replicaBytes: 100_000 });
    await redis.set(redisKeys(prefix).state('cancelled'), JSON.stringify({ status: 'cancelled' }));
    expect(await store.store('cancelled', finalState('cancelled'), [image(10)])).toEqual({ stored: false, evicted: 0 });
    expect(await redis.exists(redisKeys(prefix).image('cancelled', 0))).toBe(0);
    expect(JSON.parse((await redis.get(redisKeys(prefix).state('cancelled'))) as string)).toEqual({ status: 'cancelled' });

    const now = Date.now();
    await queued(prefix, 'old');
    await store.store('old', finalState('old'), [image(500)], now - 5_000);
    await queued(prefix, 'new');
    await store.store('new', finalState('new'), [image(300)], now);
    expect(await store.usage()).toEqual({ totalBytes: 300, replicaBytes: 300 });
  });

  describe('through the replicas', () => {
    const apps: NestExpressApplication[] = [];
    const small = (seed: number) => ({ prompt: 'red kente dress', width: 64, height: 64, steps: 2, seed });
    afterAll(async () => {
      for (const app of apps) await app.close();
    });

    it('answers 410 GONE for a result evicted from Redis, on every replica, and serves the newest', async () => {
      if (!available) return;
      const prefix = newPrefix();
      const replica = async (runsJobs: boolean, name: string): Promise<NestExpressApplication> => {
        const config = testAppConfig({ AFD_JOBS: 'redis', AFD_REDIS_URL: REDIS_URL, AFD_REDIS_PREFIX: prefix, AFD_RUNS_JOBS: String(runsJobs), AFD_REPLICA_ID: name, AFD_AFFINITY_WAIT_MS: '0' });
        // Smaller than the settings allow (1 MB): room for two or three of these images.
        const tiny: AppConfig = { ...config, distributed: { ...config.distributed!, resultStoreBytes: 16_000, replicaResultStoreBytes: 16_000 } };
        const app = await createApp(tiny);
        await app.init();
        apps.push(app);
        return app;
      };
      const front = await replica(false, 'front');
      const worker = await replica(true, 'worker');
      await waitUntilReady(worker);

      const ids: string[] = [];
      let bytes = 0;
      for (let seed = 1; bytes < 40_000; seed++) {
        const res = await request(front.getHttpServer()).post('/v1/generations').set('Idempotency-Key', `key-${seed}`).send(small(seed)).expect(201);
        ids.push(res.body.id as string);
        bytes += (await request(worker.getHttpServer()).get(res.body.images[0].url as string).expect(200)).body.length as number;
      }
      for (const app of [front, worker]) {
        const first = await request(app.getHttpServer()).get(`/v1/generations/${ids[0]}`).expect(410);
        expect(first.body.code).toBe('GONE');
        await request(app.getHttpServer()).get(`/v1/generations/${ids[0]}/images/0`).expect(410);
        await request(app.getHttpServer()).get(`/v1/generations/${ids[ids.length - 1]}/images/0`).expect(200);
      }
      // The key of the evicted generation names a new one from now on (and keeps naming it).
      const retried = await request(worker.getHttpServer()).post('/v1/generations').set('Idempotency-Key', 'key-1').send(small(1)).expect(201);
      expect(retried.body.id).not.toBe(ids[0]);
      const again = await request(front.getHttpServer()).post('/v1/generations').set('Idempotency-Key', 'key-1').send(small(1)).expect(201);
      expect(again.body.id).toBe(retried.body.id);
      const usage = await redis.hget(redisKeys(prefix).resultBytes, 'total');
      expect(Number(usage)).toBeLessThanOrEqual(16_000);
    });
  });
});

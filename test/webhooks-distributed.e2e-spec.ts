/**
 * Webhooks in distributed mode (AFD_JOBS=redis) against a real Redis: deliveries are BullMQ jobs any
 * replica may run, the deliveries log is shared, and a delivery whose replica dies mid-attempt is
 * made by another replica under the same webhook-id. Three replicas in one process (an API-only
 * front and two that run jobs) on a fresh key prefix. Skipped, with the reason, where no Redis answers.
 */
import type { NestExpressApplication } from '@nestjs/platform-express';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { Webhook } from 'standardwebhooks';
import { hashApiKey } from '../src/auth/api-keys';
import { createApp } from '../src/create-app';
import type { RedisGenerations } from '../src/distributed/redis-generations';
import { DISTRIBUTED_GENERATIONS } from '../src/generation/generations';
import type { RedisDeliveryQueue } from '../src/webhooks/redis-delivery-queue';
import { WEBHOOK_DELIVERY_QUEUE } from '../src/webhooks/webhooks.service';
import { redisAvailable } from './support/redis-available';
import { testAppConfig } from './support/test-app-config';
import { waitUntilReady } from './support/wait-until-ready';
import { WebhookReceiver, type ReceivedWebhook } from './support/webhook-receiver';

const KEY = 'afd_webhooks-redis-key-0123456789abcdefghijklmnop';
const SECRET = `whsec_${Buffer.alloc(32, 5).toString('base64')}`;
const KEYS = JSON.stringify({ keys: [{ name: 'partner', tier: 'internal', roles: [], sha256: hashApiKey(KEY), webhookSecret: SECRET }] });

describe('webhooks in distributed mode (Redis + BullMQ)', () => {
  let available = false;
  const prefix = `afdtest-${randomUUID().slice(0, 8)}`;
  const receiver = new WebhookReceiver();
  let front: NestExpressApplication;
  const workers: NestExpressApplication[] = [];
  const small = { prompt: 'red kente dress', width: 64, height: 64, steps: 2, seed: 5 };

  const replica = (runsJobs: boolean, name: string) =>
    createApp(
      testAppConfig({
        AFD_ALLOW_OPEN: 'false',
        AFD_API_KEYS: KEYS,
        AFD_JOBS: 'redis',
        AFD_REDIS_URL: 'redis://127.0.0.1:6379',
        AFD_REDIS_PREFIX: prefix,
        AFD_RUNS_JOBS: String(runsJobs),
        AFD_REPLICA_ID: name,
        AFD_JOB_LOCK_SECONDS: '2',
        AFD_AFFINITY_WAIT_MS: '0',
        AFD_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
        AFD_WEBHOOK_RETRY_BASE_MS: '50',
        AFD_WEBHOOK_RETRY_MAX_MS: '200',
        AFD_WEBHOOK_MAX_ATTEMPTS: '3',
        AFD_WEBHOOK_TIMEOUT_MS: '60000',
      }),
    );

  beforeAll(async () => {
    available = await redisAvailable();
    if (!available) {
      console.warn('SKIPPED: webhooks in distributed mode — no Redis server on 127.0.0.1:6379');
      return;
    }
    await receiver.start();
    front = await replica(false, 'front');
    await front.init();
    for (const name of ['worker-a', 'worker-b']) {
      const app = await replica(true, name);
      await app.init();
      await waitUntilReady(app);
      workers.push(app);
    }
  }, 120_000);
  afterAll(async () => {
    for (const app of [front, ...workers]) await app?.close();
    if (available) await receiver.close();
  });

  const http = (app: NestExpressApplication) => request(app.getHttpServer());
  const verify = (r: ReceivedWebhook): { type: string; data: { id: string } } =>
    new Webhook(SECRET).verify(r.body, { 'webhook-id': String(r.headers['webhook-id']), 'webhook-timestamp': String(r.headers['webhook-timestamp']), 'webhook-signature': String(r.headers['webhook-signature']) }) as {
      type: string;
      data: { id: string };
    };
  const waitFor = async <T>(read: () => Promise<T> | T, done: (value: T) => boolean, timeoutMs = 60_000): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await read();
      if (done(value)) return value;
      if (Date.now() > deadline) throw new Error(`timed out; last value ${JSON.stringify(value)}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };
  const attempts = async (app: NestExpressApplication, webhookId: string): Promise<Array<{ attempt: number; outcome: string; statusCode?: number }>> => {
    const res = await http(app).get('/v1/webhooks/deliveries').set('Authorization', `Bearer ${KEY}`).expect(200);
    return (res.body as { items: Array<{ webhookId: string; attempt: number; outcome: string; statusCode?: number }> }).items.filter((a) => a.webhookId === webhookId);
  };

  it('queues on the front, delivers from a replica, retries as BullMQ jobs, and every replica reads the same log', async () => {
    if (!available) return;
    const url = receiver.script('/redis-flaky', [500, 200]);
    const res = await http(front).post('/v1/generations').set('Authorization', `Bearer ${KEY}`).send({ ...small, webhook: { url } }).expect(201);
    const id = res.body.id as string;
    const calls = await receiver.waitFor('/redis-flaky', 2, 60_000);
    expect(calls.map((c) => [c.headers['webhook-id'], verify(c).type])).toEqual([
      [`msg_${id}_succeeded`, 'generation.succeeded'],
      [`msg_${id}_succeeded`, 'generation.succeeded'],
    ]);
    const logged = await waitFor(() => attempts(front, `msg_${id}_succeeded`), (a) => a.length === 2);
    expect(logged.map((a) => [a.attempt, a.outcome, a.statusCode])).toEqual([
      [2, 'delivered', 200],
      [1, 'retrying', 500],
    ]);
    expect(await attempts(workers[0] as NestExpressApplication, `msg_${id}_succeeded`)).toEqual(await attempts(workers[1] as NestExpressApplication, `msg_${id}_succeeded`));
  }, 90_000);

  it('completes a delivery on another replica after the replica making it dies, under the same webhook-id', async () => {
    if (!available) return;
    // The first attempt is held unanswered: the replica making it "dies" (stops renewing its lock, drops its connections).
    const url = receiver.script('/redis-held', ['hold', 200]);
    const res = await http(front).post('/v1/generations').set('Authorization', `Bearer ${KEY}`).send({ ...small, seed: 6, webhook: { url } }).expect(201);
    const id = res.body.id as string;
    const webhookId = `msg_${id}_succeeded`;
    await receiver.waitFor('/redis-held', 1, 60_000);
    const queues = workers.map((w) => w.get<RedisDeliveryQueue>(WEBHOOK_DELIVERY_QUEUE));
    const maker = await waitFor(() => queues.findIndex((q) => q.activeWebhookIds().includes(webhookId)), (i) => i >= 0);
    await queues[maker]!.abandon();
    await workers[maker]!.get<RedisGenerations>(DISTRIBUTED_GENERATIONS).abandon();
    const survivor = workers[1 - maker] as NestExpressApplication;
    const calls = await receiver.waitFor('/redis-held', 2, 60_000);
    expect(calls.map((c) => c.headers['webhook-id'])).toEqual([webhookId, webhookId]);
    expect(verify(calls[1] as ReceivedWebhook)).toMatchObject({ type: 'generation.succeeded', data: { id } });
    const logged = await waitFor(() => attempts(survivor, webhookId), (a) => a.some((x) => x.outcome === 'delivered'));
    expect(logged[0]).toMatchObject({ outcome: 'delivered', statusCode: 200 });
  }, 120_000);
});

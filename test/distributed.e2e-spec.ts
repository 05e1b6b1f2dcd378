/**
 * Distributed mode against a real Redis: three replicas in one process (one API-only, two running
 * jobs) sharing a fresh key prefix. Submit on one, read, stream and cancel on another, share
 * idempotency keys, kill a replica mid-job, and shut one down (its queued jobs wait for another).
 * Skipped, with the reason, where no Redis answers.
 */
import type { NestExpressApplication } from '@nestjs/platform-express';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { createApp } from '../src/create-app';
import type { RedisGenerations } from '../src/distributed/redis-generations';
import { DISTRIBUTED_GENERATIONS } from '../src/generation/generations';
import { INIT_IMAGES } from './bad-input-corpus/init-image-cases';
import { redisAvailable } from './support/redis-available';
import { testAppConfig } from './support/test-app-config';
import { waitUntilReady } from './support/wait-until-ready';

describe('distributed mode (Redis + BullMQ)', () => {
  let available = false;
  const prefix = `afdtest-${randomUUID().slice(0, 8)}`;
  let front: NestExpressApplication;
  const workers: NestExpressApplication[] = [];
  const small = { prompt: 'red kente dress', width: 64, height: 64, steps: 4, seed: 21 };

  const replica = (runsJobs: boolean, name: string) =>
    createApp(
      testAppConfig({
        AFD_JOBS: 'redis',
        AFD_REDIS_URL: 'redis://127.0.0.1:6379',
        AFD_REDIS_PREFIX: prefix,
        AFD_RUNS_JOBS: String(runsJobs),
        AFD_REPLICA_ID: name,
        AFD_JOB_LOCK_SECONDS: '2',
        AFD_AFFINITY_WAIT_MS: '0',
      }),
    );

  beforeAll(async () => {
    available = await redisAvailable();
    if (!available) {
      console.warn('SKIPPED: distributed mode tests — no Redis server on 127.0.0.1:6379');
      return;
    }
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
  });

  const http = (app: NestExpressApplication) => request(app.getHttpServer());
  const waitFor = async <T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 60_000): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await read();
      if (done(value) || Date.now() > deadline) return value;
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const status = (app: NestExpressApplication, id: string) => http(app).get(`/v1/generations/${id}`).then((r) => r.body as { status: string; images: Array<{ url: string }> });

  it('runs a job submitted on an API-only replica elsewhere; every replica reads it and its image', async () => {
    if (!available) return;
    const sync = await http(front).post('/v1/generations').send(small).expect(201);
    expect(sync.body).toMatchObject({ status: 'succeeded', images: [{ index: 0, seed: '21' }] });
    const fromFront = await http(front).get(sync.body.images[0].url).expect(200).expect('Content-Type', 'image/png');
    const fromWorker = await http(workers[1]!).get(sync.body.images[0].url).expect(200);
    expect(Buffer.compare(fromFront.body as Buffer, fromWorker.body as Buffer)).toBe(0);
    // The same request in the local (single-process) mode gives the same bytes: seeds are fixed at submission.
    const local = await createApp(testAppConfig());
    try {
      await local.init();
      const alone = await http(local).post('/v1/generations').set('Accept', 'image/png').send(small).expect(200);
      expect(Buffer.compare(alone.body as Buffer, fromFront.body as Buffer)).toBe(0);
    } finally {
      await local.close();
    }
    const base64 = await http(workers[0]!).get(`/v1/generations/${sync.body.id}?base64=true`).expect(200);
    expect(Buffer.from(base64.body.images[0].base64, 'base64').equals(fromFront.body as Buffer)).toBe(true);
    await http(workers[0]!).get(`/v1/generations/${randomUUID()}`).expect(404);
  });

  it('carries an init image sent as a multipart file to the replica that runs it: the bytes of local mode, imageToImage in every view', async () => {
    if (!available) return;
    const body = { ...small, strength: 0.75 };
    const sync = await http(front).post('/v1/generations').field('request', JSON.stringify(body)).attach('initImage', INIT_IMAGES.png, 'photo.png').expect(201);
    expect(sync.body).toMatchObject({ status: 'succeeded', imageToImage: { strength: 0.75 } });
    expect((await status(workers[1]!, sync.body.id)) as unknown).toMatchObject({ imageToImage: { strength: 0.75 } });
    const distributed = (await http(workers[0]!).get(sync.body.images[0].url).expect(200)).body as Buffer;
    const local = await createApp(testAppConfig());
    try {
      await local.init();
      const alone = await http(local).post('/v1/generations').set('Accept', 'image/png').send({ ...body, initImage: INIT_IMAGES.png.toString('base64') }).expect(200);
      expect(Buffer.compare(alone.body as Buffer, distributed)).toBe(0);
      const textToImage = await http(local).post('/v1/generations').set('Accept', 'image/png').send(small).expect(200);
      expect(Buffer.compare(textToImage.body as Buffer, distributed)).not.toBe(0);
    } finally {
      await local.close();
    }
  });

  it('streams progress to a client of another replica, and cancels from a third', async () => {
    if (!available) return;
    const started = await http(front).post('/v1/generations').set('Prefer', 'respond-async').send({ ...small, steps: 150, width: 512, height: 512 }).expect(202);
    const id = started.body.id as string;
    const running = await waitFor(() => status(workers[0]!, id), (s) => s.status === 'running');
    expect(running.status).toBe('running');
    const events: string[] = [];
    const stream = http(workers[1]!)
      .get(`/v1/generations/${id}/events`)
      .buffer(true)
      .parse((res, done) => {
        res.on('data', (chunk: Buffer) => events.push(chunk.toString()));
        res.on('end', () => done(null, null));
      });
    const streamed = stream.then(() => events.join(''));
    await waitFor(async () => events.join(''), (text) => /event: progress/.test(text));
    await http(workers[0]!).delete(`/v1/generations/${id}`).expect(202);
    const text = await streamed;
    expect(text).toMatch(/event: progress\ndata: \{"step":\d+/);
    expect(text).toMatch(/event: done\ndata: \{"status":"cancelled"/);
    expect((await status(front, id)).status).toBe('cancelled');
  });

  it('publishes one progress event per step of a generation of four images, not one per image', async () => {
    if (!available) return;
    const started = await http(front).post('/v1/generations').set('Prefer', 'respond-async').send({ ...small, steps: 40, width: 512, height: 512, numImages: 4, scheduler: 'euler' }).expect(202);
    const id = started.body.id as string;
    const res = await http(front)
      .get(`/v1/generations/${id}/events`)
      .buffer(true)
      .parse((response, done) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => done(null, text));
      })
      .expect(200);
    const blocks = (res.body as string).split('\n\n').filter((b) => b.trim() !== '');
    expect(blocks.at(-1)).toMatch(/^event: done\ndata: \{"status":"succeeded","step":40,/);
    const steps = blocks.filter((b) => b.startsWith('event: progress')).map((b) => Number(/"step":(\d+)/.exec(b)?.[1]));
    // The first event is the state stored in Redis (written at most every 200 ms); the published ones follow it, each step once.
    const published = steps.slice(1);
    expect(published.length).toBeGreaterThan(10);
    expect(published).toEqual(Array.from({ length: published.length }, (_, i) => 40 - published.length + 1 + i));
  });

  it('shares idempotency keys across replicas', async () => {
    if (!available) return;
    const key = randomUUID();
    const a = await http(front).post('/v1/generations').set('Idempotency-Key', key).send(small).expect(201);
    const b = await http(workers[0]!).post('/v1/generations').set('Idempotency-Key', key).send(small).expect(201);
    expect(b.body.id).toBe(a.body.id);
    const conflict = await http(workers[1]!).post('/v1/generations').set('Idempotency-Key', key).send({ ...small, seed: 22 }).expect(409);
    expect(conflict.body.code).toBe('CONFLICT');
  });

  it('checks an Idempotency-Key before the body, as local mode does', async () => {
    if (!available) return;
    const res = await http(front).post('/v1/generations').set('Idempotency-Key', 'x'.repeat(300)).send({ steps: 4 }).expect(400);
    expect(res.body).toMatchObject({ code: 'INVALID_ARGUMENT', details: { field: 'Idempotency-Key' } });
  });

  it('loses no accepted job when the replica running it dies: another replica takes it over', async () => {
    if (!available) return;
    const started = await http(front).post('/v1/generations').set('Prefer', 'respond-async').send({ ...small, steps: 120, width: 384, height: 384 }).expect(202);
    const id = started.body.id as string;
    const distributed = workers.map((w) => w.get<RedisGenerations>(DISTRIBUTED_GENERATIONS));
    const runner = await waitFor(async () => distributed.findIndex((d) => d.runningJobIds().includes(id)), (i) => i >= 0);
    expect(runner).toBeGreaterThanOrEqual(0);
    await distributed[runner]!.abandon();
    const survivor = workers[1 - runner]!;
    const finished = await waitFor(() => status(front, id), (s) => s.status !== 'queued' && s.status !== 'running', 90_000);
    expect(finished.status).toBe('succeeded');
    await http(survivor).get(finished.images[0]!.url).expect(200).expect('Content-Type', 'image/png');
  }, 120_000);

  it('a replica shutting down takes no more jobs: they wait in the queue for another replica', async () => {
    if (!available) return;
    // After the takeover test one replica of the two still runs jobs; every job-running replica begins its shutdown.
    for (const app of workers) await app.get<RedisGenerations>(DISTRIBUTED_GENERATIONS).stopTakingJobs();
    const started = await http(front).post('/v1/generations').set('Prefer', 'respond-async').send({ ...small, seed: 23 }).expect(202);
    const id = started.body.id as string;
    const waited = await waitFor(() => status(front, id), (s) => s.status !== 'queued', 1500);
    expect(waited.status).toBe('queued');
    const fresh = await replica(true, 'worker-c');
    workers.push(fresh);
    await fresh.init();
    const finished = await waitFor(() => status(front, id), (s) => s.status !== 'queued' && s.status !== 'running');
    expect(finished.status).toBe('succeeded');
  }, 120_000);
});

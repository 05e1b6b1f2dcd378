/** API keys, roles and rate limits on REST, GraphQL (HTTP and websocket) and gRPC, against the real app. */
import { credentials, Metadata, status, type Client, type ServiceError } from '@grpc/grpc-js';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createClient } from 'graphql-ws';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import WebSocket from 'ws';
import { hashApiKey } from '../src/auth/api-keys';
import { createApp } from '../src/create-app';
import { GrpcServer } from '../src/app/grpc.server';
import { loadProtos } from '../src/transports/grpc/grpc-protos';
import { redisAvailable } from './support/redis-available';
import { testAppConfig } from './support/test-app-config';

const ADMIN_KEY = 'afd_admin-key-for-tests-0123456789abcdefghijkl';
const PARTNER_KEY = 'afd_partner-key-for-tests-0123456789abcdefghij';
const ALICE_KEY = 'afd_alice-key-for-tests-0123456789abcdefghijklm';
const BOB_KEY = 'afd_bob-key-for-tests-0123456789abcdefghijklmnop';

function keysDocument(tierSuffix = ''): string {
  return JSON.stringify({
    tiers: { [`tight${tierSuffix}`]: { generations: 2, reads: 6 } },
    keys: [
      { name: 'ops', tier: 'internal', roles: ['admin'], sha256: hashApiKey(ADMIN_KEY) },
      { name: 'partner', tier: `tight${tierSuffix}`, roles: [], sha256: hashApiKey(PARTNER_KEY) },
      { name: 'alice', tier: 'internal', roles: [], sha256: hashApiKey(ALICE_KEY) },
      { name: 'bob', tier: 'internal', roles: [], sha256: hashApiKey(BOB_KEY) },
    ],
  });
}

type Unary = (request: unknown, metadata: Metadata, callback: (error: ServiceError | null, response: unknown) => void) => void;

function grpcCall(client: Client, method: string, body: unknown, key?: string): Promise<{ error?: ServiceError; response?: unknown }> {
  const metadata = new Metadata();
  if (key !== undefined) metadata.set('authorization', `Bearer ${key}`);
  const fn = (client as unknown as Record<string, Unary>)[method]!.bind(client);
  return new Promise((resolve) => fn(body, metadata, (error, response) => resolve(error ? { error } : { response })));
}

describe('access: API keys, roles and rate limits', () => {
  let app: NestExpressApplication;
  let prompts: Client;
  let diffusion: Client;
  let wsUrl: string;
  const http = () => request(app.getHttpServer());
  const small = { prompt: 'red kente dress', width: 64, height: 64, steps: 2, seed: 1 };

  beforeAll(async () => {
    app = await createApp(testAppConfig({ AFD_ALLOW_OPEN: 'false', AFD_API_KEYS: keysDocument() }));
    await app.listen(0, '127.0.0.1');
    wsUrl = `ws://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}/graphql`;
    const protos = loadProtos();
    const address = `127.0.0.1:${app.get(GrpcServer).port}`;
    prompts = new protos.prompts(address, credentials.createInsecure());
    diffusion = new protos.diffusion(address, credentials.createInsecure());
  }, 120_000);
  afterAll(async () => {
    prompts?.close();
    diffusion?.close();
    await app?.close();
  });

  it("keeps each client's generations and comparisons to itself on every transport (administrators see all)", async () => {
    const created = await http().post('/v1/generations').set('X-API-Key', ALICE_KEY).send(small).expect(201);
    const id = created.body.id as string;
    await http().get(`/v1/generations/${id}`).set('X-API-Key', ALICE_KEY).expect(200);
    const hidden = await http().get(`/v1/generations/${id}`).set('X-API-Key', BOB_KEY).expect(404);
    expect(hidden.body.message).toBe(`generation ${id} does not exist`);
    await http().get(created.body.images[0].url).set('X-API-Key', BOB_KEY).expect(404);
    await http().delete(`/v1/generations/${id}`).set('X-API-Key', BOB_KEY).expect(404);
    await http().get(`/v1/generations/${id}/events`).set('X-API-Key', BOB_KEY).expect(404);
    await http().get(`/v1/generations/${id}`).set('X-API-Key', ADMIN_KEY).expect(200);
    const asBob = await http().post('/graphql').set('X-API-Key', BOB_KEY).send({ query: `{ generation(id: "${id}") { id } }` });
    expect(asBob.body.errors[0].extensions.code).toBe('NOT_FOUND');
    expect((await grpcCall(diffusion, 'GetGeneration', { id }, BOB_KEY)).error?.code).toBe(status.NOT_FOUND);
    expect((await grpcCall(diffusion, 'GetGeneration', { id }, ALICE_KEY)).response).toMatchObject({ id });

    const comparison = await http().post('/v1/comparisons').set('X-API-Key', ALICE_KEY).send({ prompt: 'red kente dress', checkpoints: ['final'], width: 64, height: 64, steps: 2 }).expect(201);
    await http().get(comparison.body.gridUrl).set('X-API-Key', ALICE_KEY).expect(200);
    await http().get(comparison.body.gridUrl).set('X-API-Key', BOB_KEY).expect(404);
  });

  describe('REST', () => {
    it('refuses a missing or bad key with 401, naming the header', async () => {
      const none = await http().get('/v1/checkpoints').expect(401);
      expect(none.body).toMatchObject({ code: 'UNAUTHENTICATED', message: expect.stringMatching(/^authorization: an API key is required/) });
      expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
      const bad = await http().get('/v1/checkpoints').set('Authorization', 'Bearer afd_nope').expect(401);
      expect(bad.body).toMatchObject({ code: 'UNAUTHENTICATED', message: 'authorization: the API key is not valid' });
      await http().get('/v1/checkpoints').set('Authorization', 'Basic dXNlcjpwYXNz').expect(401);
      await http().get('/v1/checkpoints').set('X-API-Key', 'x'.repeat(10_000)).expect(401);
    });

    it('accepts a key as a bearer token or X-API-Key', async () => {
      await http().get('/v1/checkpoints').set('Authorization', `Bearer ${ADMIN_KEY}`).expect(200);
      await http().get('/v1/checkpoints').set('X-API-Key', ADMIN_KEY).expect(200);
    });

    it('lets only admins load and unload checkpoints', async () => {
      const denied = await http().post('/v1/checkpoints/checkpoint-20000/load').set('X-API-Key', PARTNER_KEY).send({}).expect(403);
      expect(denied.body).toMatchObject({ code: 'PERMISSION_DENIED', message: expect.stringMatching(/needs the admin role; client "partner" does not hold it/) });
      const loaded = await http().post('/v1/checkpoints/checkpoint-20000/load').set('X-API-Key', ADMIN_KEY).send({}).expect(200);
      expect(loaded.body).toMatchObject({ id: 'checkpoint-20000', residentOn: ['cpu'] });
      const unloaded = await http().post('/v1/checkpoints/checkpoint-20000/unload').set('X-API-Key', ADMIN_KEY).send({}).expect(200);
      expect(unloaded.body.residentOn).toEqual([]);
      const badDevice = await http().post('/v1/checkpoints/checkpoint-20000/load').set('X-API-Key', ADMIN_KEY).send({ device: 'cuda:7' }).expect(400);
      expect(badDevice.body.message).toBe('device: must be one of cpu');
      await http().post('/v1/checkpoints/nope/load').set('X-API-Key', ADMIN_KEY).send({}).expect(404);
    });

    it('limits generations per tier: 429 with Retry-After over the limit, other clients unaffected', async () => {
      for (let i = 0; i < 2; i++) await http().post('/v1/generations').set('X-API-Key', PARTNER_KEY).send(small).expect(201);
      const over = await http().post('/v1/generations').set('X-API-Key', PARTNER_KEY).send(small).expect(429);
      expect(over.body).toMatchObject({ code: 'RESOURCE_EXHAUSTED', message: expect.stringMatching(/^rate limit: 2 generation requests per minute for tier tight/) });
      expect(Number(over.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      await http().post('/v1/generations').set('X-API-Key', ADMIN_KEY).send(small).expect(201);
    });
  });

  describe('GraphQL', () => {
    const gql = (query: string, key?: string) => {
      const req = http().post('/graphql');
      if (key) req.set('Authorization', `Bearer ${key}`);
      return req.send({ query });
    };

    it('refuses a missing or bad key with UNAUTHENTICATED', async () => {
      for (const key of [undefined, 'afd_nope']) {
        const res = await gql('{ checkpoints { id } }', key);
        expect(res.status).toBeLessThan(500);
        expect(res.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
      }
      expect((await gql('{ checkpoints { id } }', ADMIN_KEY)).body.data.checkpoints).toHaveLength(6);
    });

    it('answers RESOURCE_EXHAUSTED with retryAfterSeconds over the limit', async () => {
      // The partner spent its 2 generations on REST above: limits are per client, across transports.
      const res = await gql(`mutation { generate(input: { prompt: "x", width: 64, height: 64, steps: 1 }) { id } }`, PARTNER_KEY);
      expect(res.body.errors[0].extensions).toMatchObject({ code: 'RESOURCE_EXHAUSTED', retryAfterSeconds: expect.any(Number) });
    });

    it('lets only admins load and unload checkpoints', async () => {
      const denied = await gql('mutation { loadCheckpoint(id: "checkpoint-40000") { id } }', PARTNER_KEY);
      expect(denied.body.errors[0].extensions.code).toBe('PERMISSION_DENIED');
      const loaded = await gql('mutation { loadCheckpoint(id: "checkpoint-40000") { id residentOn } }', ADMIN_KEY);
      expect(loaded.body.data.loadCheckpoint).toEqual({ id: 'checkpoint-40000', residentOn: ['cpu'] });
      const unloaded = await gql('mutation { unloadCheckpoint(id: "checkpoint-40000") { residentOn } }', ADMIN_KEY);
      expect(unloaded.body.data.unloadCheckpoint).toEqual({ residentOn: [] });
    });

    it('authenticates websocket subscriptions when the connection opens', async () => {
      const closed = await new Promise<number>((resolve) => {
        const client = createClient({ url: wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, lazy: false, on: { closed: (e) => resolve((e as { code: number }).code) } });
        client.subscribe({ query: 'subscription { generationEvents(id: "x") { kind } }' }, { next: () => undefined, error: () => undefined, complete: () => undefined });
      });
      expect(closed).toBe(4403);
      const client = createClient({ url: wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { authorization: `Bearer ${ADMIN_KEY}` } });
      try {
        const first = await client.iterate({ query: `subscription { generationEvents(id: "${randomUUID()}") { kind } }` }).next();
        expect(first.value).toMatchObject({ errors: [{ extensions: { code: 'NOT_FOUND' } }] });
      } finally {
        await client.dispose();
      }
    });
  });

  describe('gRPC', () => {
    it('refuses a missing or bad key with UNAUTHENTICATED, and serves a good one', async () => {
      expect((await grpcCall(prompts, 'Tokenize', { text: 'a' })).error?.code).toBe(status.UNAUTHENTICATED);
      expect((await grpcCall(prompts, 'Tokenize', { text: 'a' }, 'afd_nope')).error?.code).toBe(status.UNAUTHENTICATED);
      expect((await grpcCall(prompts, 'Tokenize', { text: 'a' }, ADMIN_KEY)).response).toMatchObject({ count: 3 });
      // Refused calls never reach their handler, and are still counted.
      const metrics = (await http().get('/metrics').expect(200)).text;
      const refused = /afd_request_duration_seconds_count\{[^}]*transport="grpc"[^}]*route="\/afrofashion\.v1\.PromptService\/Tokenize"[^}]*status="UNAUTHENTICATED"[^}]*\} (\d+)/.exec(metrics);
      expect(Number(refused?.[1])).toBeGreaterThanOrEqual(2);
    });

    it('answers RESOURCE_EXHAUSTED with retry-after metadata over the read limit', async () => {
      let last: ServiceError | undefined;
      for (let i = 0; i < 12 && !last; i++) last = (await grpcCall(prompts, 'Tokenize', { text: 'a' }, PARTNER_KEY)).error;
      expect(last?.code).toBe(status.RESOURCE_EXHAUSTED);
      expect(Number(last?.metadata.get('retry-after')[0])).toBeGreaterThanOrEqual(1);
      expect(last?.details).toMatch(/^rate limit: 6 reads per minute for tier tight/);
    });

    it('lets only admins load and unload checkpoints', async () => {
      expect((await grpcCall(diffusion, 'LoadCheckpoint', { id: 'checkpoint-60000' }, PARTNER_KEY)).error?.code).toBe(status.PERMISSION_DENIED);
      expect((await grpcCall(diffusion, 'LoadCheckpoint', { id: 'checkpoint-60000' }, ADMIN_KEY)).response).toMatchObject({ id: 'checkpoint-60000', residentOn: ['cpu'] });
      expect((await grpcCall(diffusion, 'UnloadCheckpoint', { id: 'checkpoint-60000', device: 'cpu' }, ADMIN_KEY)).response).toMatchObject({ residentOn: [] });
      expect((await grpcCall(diffusion, 'LoadCheckpoint', { id: 'checkpoint-60000', device: 'cuda:3' }, ADMIN_KEY)).error?.details).toBe('device: must be one of cpu');
    });

    it('keeps health checks open for probes', async () => {
      const protos = loadProtos();
      const health = new protos.health(`127.0.0.1:${app.get(GrpcServer).port}`, credentials.createInsecure());
      try {
        expect((await grpcCall(health, 'Check', {})).response).toEqual({ status: 'SERVING' });
      } finally {
        health.close();
      }
    });
  });
});

describe('rate limits shared across replicas through Redis', () => {
  const replicas: NestExpressApplication[] = [];
  let available = false;

  beforeAll(async () => {
    available = await redisAvailable();
    if (!available) {
      console.warn('SKIPPED: rate limits shared across replicas — no Redis server on 127.0.0.1:6379');
      return;
    }
    // A fresh tier name and key prefix per run, so counters left in Redis by an earlier run (within its minute) do not count.
    const suffix = randomUUID().slice(0, 8);
    const env = { AFD_ALLOW_OPEN: 'false', AFD_API_KEYS: keysDocument(suffix), AFD_REDIS_URL: 'redis://127.0.0.1:6379', AFD_REDIS_PREFIX: `afdtest-${suffix}` };
    for (let i = 0; i < 2; i++) replicas.push(await createApp(testAppConfig(env)));
    for (const replica of replicas) await replica.init();
  }, 120_000);
  afterAll(async () => {
    for (const replica of replicas) await replica.close();
  });

  it('counts one client across both replicas', async () => {
    if (!available) return;
    const [a, b] = replicas as [NestExpressApplication, NestExpressApplication];
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const replica = i % 2 === 0 ? a : b;
      statuses.push((await request(replica.getHttpServer()).get('/v1/prompts/vocabulary').set('X-API-Key', PARTNER_KEY)).status);
    }
    // 6 reads per minute in all, wherever they land.
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429, 429]);
  });
});

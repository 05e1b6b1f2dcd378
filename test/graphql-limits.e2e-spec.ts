/**
 * GraphQL's limits against the real application with API keys and the default limits: hostile
 * documents are refused before authentication and cheaply (the process keeps answering), the
 * websocket bounds messages before and after the key, and introspection is public but counted.
 */
import type { NestExpressApplication } from '@nestjs/platform-express';
import { getIntrospectionQuery } from 'graphql';
import request from 'supertest';
import WebSocket from 'ws';
import { hashApiKey } from '../src/auth/api-keys';
import { createApp } from '../src/create-app';
import { fragmentBomb, MANY_TOKENS, type GraphqlWsCase } from './bad-input-corpus/graphql-cases';
import { probeWebsocket } from './bad-input-corpus/graphql-ws-probe';
import { testAppConfig } from './support/test-app-config';

const KEY = 'afd_graphql-limits-key-0123456789abcdefghijkl';
/** Callers without a key count against the free tier, made small here. */
const ANONYMOUS_READS = 12;
const BOMB = `{ ...F0 } ${fragmentBomb(40, 'Query', 'checkpoints { id }')}`;
const EXPANDS = /^query: the operation expands to \d+ fields through its fragments; the limit is 10000$/;

describe('GraphQL limits (keys required, default limits)', () => {
  let app: NestExpressApplication;
  let wsUrl: string;
  const http = () => request(app.getHttpServer());
  const gql = (query: string, key?: string) => {
    const req = http().post('/graphql');
    if (key) req.set('Authorization', `Bearer ${key}`);
    return req.send({ query });
  };
  const probe = (c: Omit<GraphqlWsCase, 'name'>, key?: string) => probeWebsocket(wsUrl, { name: '', ...c }, key ? { authorization: `Bearer ${key}` } : {});

  beforeAll(async () => {
    const keys = { tiers: { free: { generations: 1, reads: ANONYMOUS_READS } }, keys: [{ name: 'limits', tier: 'internal', roles: [], sha256: hashApiKey(KEY) }] };
    app = await createApp(testAppConfig({ AFD_ALLOW_OPEN: 'false', AFD_API_KEYS: JSON.stringify(keys) }));
    await app.listen(0, '127.0.0.1');
    wsUrl = `ws://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}/graphql`;
  }, 120_000);
  afterAll(() => app.close());

  describe('over HTTP', () => {
    it('answers the standard introspection query without a key', async () => {
      const res = await gql(getIntrospectionQuery()).expect(200);
      expect(res.body.errors).toBeUndefined();
      expect(res.body.data.__schema.queryType).toMatchObject({ name: 'Query' });
      expect(res.body.data.__schema.types.map((t: { name: string }) => t.name)).toContain('Generation');
    });

    it('refuses a fragment bomb with 400 naming the rule, with a key and without one (before the key is checked)', async () => {
      for (const key of [undefined, KEY, 'afd_not-a-key']) {
        const res = await gql(BOMB, key).expect(400);
        expect(res.body.errors[0]).toMatchObject({ message: expect.stringMatching(EXPANDS), extensions: { code: 'INVALID_ARGUMENT', details: { field: 'query', rule: 'max fields' } } });
      }
    });

    it('refuses a document over the token limit before parsing it, with a key and without one', async () => {
      for (const key of [undefined, KEY]) {
        const res = await gql(MANY_TOKENS, key).expect(400);
        expect(res.body).toEqual({ errors: [{ message: 'query: has more than 2000 tokens; the limit is 2000', extensions: { code: 'INVALID_ARGUMENT', details: { field: 'query', rule: 'max tokens', max: 2000 } } }] });
      }
    });

    it('refuses over-limit documents on every path Apollo serves (it is mounted as a prefix), and on GET', async () => {
      const paths = ['/graphql/', '/graphql/x', '/graphql?y=1'];
      const answers = await Promise.all(paths.map(async (path) => {
        const res = await http().post(path).send({ query: MANY_TOKENS });
        return { path, status: res.status, rule: res.body.errors?.[0]?.extensions?.details?.rule };
      }));
      expect(answers).toEqual(paths.map((path) => ({ path, status: 400, rule: 'max tokens' })));
      const get = await http().get('/graphql').query({ query: MANY_TOKENS }).set('apollo-require-preflight', 'true').expect(400);
      expect(get.body.errors[0].extensions.details).toEqual({ field: 'query', rule: 'max tokens', max: 2000 });
    });

    it('keeps /health/live answering while fragment bombs are refused', async () => {
      const bombs = Array.from({ length: 8 }, () => gql(BOMB));
      const health = http().get('/health/live');
      const [live, ...refused] = await Promise.all([health, ...bombs]);
      expect(live.status).toBe(200);
      expect(refused.map((r) => r.status)).toEqual(Array(8).fill(400));
    });

    it('refuses padded aliases of __schema without a key', async () => {
      const padded = Array.from({ length: 10 }, (_, i) => `s${i}: __schema { types { name fields { name } } }`).join(' ');
      const res = await gql(`{ ${padded} }`).expect(400);
      expect(res.body.errors[0]).toMatchObject({ message: expect.stringMatching(/^query: costs \d+; the limit is 1000/), extensions: { code: 'INVALID_ARGUMENT', details: { rule: 'max complexity' } } });
    });

    it('refuses introspection with a bad key (UNAUTHENTICATED), as any operation', async () => {
      const res = await gql('{ __schema { queryType { name } } }', 'afd_not-a-key').expect(401);
      expect(res.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    });

    it('counts introspection without a key as reads of the address on the free tier: 429 with Retry-After beyond it; a key has its own count', async () => {
      let over: request.Response | undefined;
      for (let i = 0; i <= ANONYMOUS_READS && !over; i++) {
        const res = await gql('{ __typename }');
        if (res.status !== 200) over = res;
      }
      expect(over?.status).toBe(429);
      expect(over?.body.errors[0]).toMatchObject({ message: expect.stringMatching(/^rate limit: 12 reads per minute for tier free/), extensions: { code: 'RESOURCE_EXHAUSTED', retryAfterSeconds: expect.any(Number) } });
      expect(Number(over?.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect((await gql('{ __typename }', KEY).expect(200)).body).toEqual({ data: { __typename: 'Query' } });
    });
  });

  describe('over the websocket', () => {
    it('closes a socket with 1009 on a 1 MiB message, before the key and after it', async () => {
      expect(await probe({ message: { bytes: 1 << 20, beforeInit: true } })).toMatchObject({ closeCode: 1009 });
      expect(await probe({ message: { bytes: 1 << 20, beforeInit: false } }, KEY)).toMatchObject({ closeCode: 1009 });
    });

    it('allows 4 KiB before connection_init is accepted, more after it', async () => {
      expect(await probe({ message: { bytes: 8192, beforeInit: true } })).toMatchObject({ closeCode: 1009 });
      // A small connection_init without a key is read, and refused for the key: 4403.
      expect(await probe({ query: 'subscription { generationEvents(id: "x") { kind } }' })).toMatchObject({ closeCode: 4403 });
      const padded = `subscription { generationEvents(id: "nope") { kind } } #${'x'.repeat(12_000)}`;
      expect((await probe({ query: padded }, KEY)).error).toMatchObject({ extensions: { code: 'NOT_FOUND' } });
    });

    it('answers a fragment bomb and an over-limit document on the subscription, with a key', async () => {
      const bomb = (levels: number): string => `subscription { ...F0 } ${fragmentBomb(levels, 'Subscription', 'generationEvents(id: "nope") { kind }')}`;
      expect((await probe({ query: bomb(40) }, KEY)).error).toMatchObject({ message: expect.stringMatching(EXPANDS), extensions: { code: 'INVALID_ARGUMENT', details: { rule: 'max fields' } } });
      expect((await probe({ query: bomb(12) }, KEY)).error).toMatchObject({ extensions: { code: 'NOT_FOUND' } });
      expect((await probe({ query: MANY_TOKENS }, KEY)).error).toMatchObject({ message: 'query: has more than 2000 tokens; the limit is 2000', extensions: { code: 'INVALID_ARGUMENT', details: { rule: 'max tokens' } } });
    });

    it('refuses an upgrade on any other path (404) instead of leaving the socket open', async () => {
      const refused = await new Promise<string>((resolve) => {
        const socket = new WebSocket(wsUrl.replace('/graphql', '/elsewhere'), 'graphql-transport-ws');
        socket.on('error', (error) => resolve(error.message));
        socket.on('open', () => resolve('opened'));
      });
      expect(refused).toMatch(/Unexpected server response: 404/);
    });
  });
});

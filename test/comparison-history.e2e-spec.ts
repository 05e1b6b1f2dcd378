/**
 * The history of a key's comparisons (issue 15, the studio's "reopen one"): GET /v1/comparisons,
 * the comparisons query and ListComparisons answer the caller's kept comparisons only (an
 * administrator's: everyone's), newest first, a page at a time through nextCursor.
 */
import { credentials, Metadata, status, type Client, type ServiceError } from '@grpc/grpc-js';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { hashApiKey } from '../src/auth/api-keys';
import { createApp } from '../src/create-app';
import { GrpcServer } from '../src/app/grpc.server';
import { loadProtos } from '../src/transports/grpc/grpc-protos';
import { testAppConfig } from './support/test-app-config';

const ADMIN_KEY = 'afd_admin-key-for-history-0123456789abcdefghij';
const ALICE_KEY = 'afd_alice-key-for-history-0123456789abcdefghij';
const BOB_KEY = 'afd_bob-key-for-history-0123456789abcdefghijklm';

const KEYS = JSON.stringify({
  keys: [
    { name: 'ops', tier: 'internal', roles: ['admin'], sha256: hashApiKey(ADMIN_KEY) },
    { name: 'alice', tier: 'internal', roles: [], sha256: hashApiKey(ALICE_KEY) },
    { name: 'bob', tier: 'internal', roles: [], sha256: hashApiKey(BOB_KEY) },
  ],
});

interface Summary {
  readonly id: string;
  readonly status: string;
  readonly createdAt: string;
  readonly seed: string;
  readonly prompts: string[];
  readonly checkpoints: string[];
  readonly hasReference: boolean;
  readonly gridUrl: string;
  readonly cellCount: number;
}
interface Page {
  readonly items: Summary[];
  readonly nextCursor?: string | null;
}

type Unary = (request: unknown, metadata: Metadata, callback: (error: ServiceError | null, response: unknown) => void) => void;

const PAGE_FIELDS = 'items { id status createdAt seed prompts checkpoints hasReference gridUrl cellCount } nextCursor';

describe('comparison history: each key its own comparisons, newest first, paginated, on REST, GraphQL and gRPC', () => {
  let app: NestExpressApplication;
  let diffusion: Client;
  const http = () => request(app.getHttpServer());
  /** Ids by client, oldest first. */
  const alice: string[] = [];
  const bob: string[] = [];

  function listComparisons(key: string, body: Record<string, unknown>): Promise<{ error?: ServiceError; response?: Page }> {
    const metadata = new Metadata();
    metadata.set('authorization', `Bearer ${key}`);
    const fn = (diffusion as unknown as Record<string, Unary>)['ListComparisons']!.bind(diffusion);
    return new Promise((resolve) => fn(body, metadata, (error, response) => resolve(error ? { error } : { response: response as Page })));
  }

  async function graphqlPage(key: string, args: string): Promise<Page> {
    const res = await http().post('/graphql').set('X-API-Key', key).send({ query: `{ comparisons${args} { ${PAGE_FIELDS} } }` }).expect(200);
    expect(res.body.errors).toBeUndefined();
    return res.body.data.comparisons as Page;
  }

  async function compare(key: string, prompt: string, checkpoints: string[]): Promise<string> {
    const res = await http().post('/v1/comparisons').set('X-API-Key', key).send({ prompt, checkpoints, seed: 7, width: 64, height: 64, steps: 1 }).expect(201);
    return res.body.id as string;
  }

  beforeAll(async () => {
    app = await createApp(testAppConfig({ AFD_ALLOW_OPEN: 'false', AFD_API_KEYS: KEYS }));
    await app.listen(0, '127.0.0.1');
    diffusion = new (loadProtos().diffusion)(`127.0.0.1:${app.get(GrpcServer).port}`, credentials.createInsecure());
    // Interleaved, so that each client's history has the other's in between.
    alice.push(await compare(ALICE_KEY, 'red kente dress', ['final']));
    bob.push(await compare(BOB_KEY, 'blue adire wrap', ['baseline', 'final']));
    alice.push(await compare(ALICE_KEY, 'gold ankara skirt', ['baseline', 'final']));
    alice.push(await compare(ALICE_KEY, 'green bogolan coat', ['final']));
  }, 120_000);
  afterAll(async () => {
    diffusion?.close();
    await app?.close();
  });

  it('REST: a client sees only its own, newest first, each a summary without image bytes', async () => {
    const mine = await http().get('/v1/comparisons').set('X-API-Key', ALICE_KEY).expect(200);
    expect((mine.body as Page).items.map((s) => s.id)).toEqual([...alice].reverse());
    expect(mine.body.nextCursor).toBeUndefined();
    const newest = (mine.body as Page).items[1]!;
    expect(newest).toEqual({
      id: alice[1],
      status: 'succeeded',
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      seed: '7',
      prompts: ['gold ankara skirt'],
      checkpoints: ['baseline', 'final'],
      hasReference: false,
      width: 64,
      height: 64,
      gridUrl: `/v1/comparisons/${alice[1]}/grid`,
      cellCount: 2,
    });
    // The summary reopens the comparison.
    await http().get(newest.gridUrl).set('X-API-Key', ALICE_KEY).expect(200);
    const theirs = await http().get('/v1/comparisons').set('X-API-Key', BOB_KEY).expect(200);
    expect((theirs.body as Page).items.map((s) => s.id)).toEqual(bob);
    const all = await http().get('/v1/comparisons').set('X-API-Key', ADMIN_KEY).expect(200);
    expect((all.body as Page).items.map((s) => s.id)).toEqual([alice[2], alice[1], bob[0], alice[0]]);
  });

  it('REST: pages of one follow nextCursor to the end, skipping no one and showing no one else', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 5; page++) {
      const res = await http()
        .get('/v1/comparisons')
        .query({ limit: 1, ...(cursor ? { cursor } : {}) })
        .set('X-API-Key', ALICE_KEY)
        .expect(200);
      seen.push(...(res.body as Page).items.map((s) => s.id));
      cursor = res.body.nextCursor;
      if (!cursor) break;
      expect(cursor).toBe(seen[seen.length - 1]);
    }
    expect(seen).toEqual([...alice].reverse());
    const two = await http().get('/v1/comparisons?limit=2').set('X-API-Key', ADMIN_KEY).expect(200);
    expect((two.body as Page).items.map((s) => s.id)).toEqual([alice[2], alice[1]]);
    const rest = await http().get(`/v1/comparisons?limit=2&cursor=${two.body.nextCursor}`).set('X-API-Key', ADMIN_KEY).expect(200);
    expect((rest.body as Page).items.map((s) => s.id)).toEqual([bob[0], alice[0]]);
    expect(rest.body.nextCursor).toBeUndefined();
  });

  it('REST: bad paging is 400 naming the field', async () => {
    for (const [query, field] of [
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['limit=x', 'limit'],
      ['limit=1&limit=2', 'limit'],
      ['cursor=nope', 'cursor'],
      ['cursor=', 'cursor'],
    ] as const) {
      const res = await http().get(`/v1/comparisons?${query}`).set('X-API-Key', ALICE_KEY).expect(400);
      expect(res.body).toMatchObject({ code: 'INVALID_ARGUMENT', details: { field } });
    }
  });

  it('GraphQL: the same pages, the same rules', async () => {
    expect((await graphqlPage(ALICE_KEY, '')).items.map((s) => s.id)).toEqual([...alice].reverse());
    expect((await graphqlPage(BOB_KEY, '')).items.map((s) => s.id)).toEqual(bob);
    expect((await graphqlPage(ADMIN_KEY, '')).items).toHaveLength(4);
    const first = await graphqlPage(ALICE_KEY, '(limit: 1)');
    expect(first.items.map((s) => s.id)).toEqual([alice[2]]);
    expect(first.items[0]).toMatchObject({ status: 'SUCCEEDED', prompts: ['green bogolan coat'], checkpoints: ['final'], cellCount: 1, hasReference: false });
    const second = await graphqlPage(ALICE_KEY, `(limit: 1, cursor: "${first.nextCursor}")`);
    expect(second.items.map((s) => s.id)).toEqual([alice[1]]);
    const last = await graphqlPage(ALICE_KEY, `(limit: 5, cursor: "${second.nextCursor}")`);
    expect(last).toEqual({ items: [expect.objectContaining({ id: alice[0] })], nextCursor: null });
    for (const [args, field] of [
      ['(limit: 0)', 'limit'],
      ['(limit: 101)', 'limit'],
      ['(cursor: "nope")', 'cursor'],
    ] as const) {
      const res = await http().post('/graphql').set('X-API-Key', ALICE_KEY).send({ query: `{ comparisons${args} { nextCursor } }` });
      expect(res.body.errors[0].extensions).toMatchObject({ code: 'INVALID_ARGUMENT', details: { field } });
    }
  });

  it('gRPC: ListComparisons answers the same pages and rules', async () => {
    const mine = await listComparisons(ALICE_KEY, {});
    expect(mine.response?.items.map((s) => s.id)).toEqual([...alice].reverse());
    expect(mine.response?.items[1]).toMatchObject({ status: 'succeeded', seed: '7', prompts: ['gold ankara skirt'], checkpoints: ['baseline', 'final'], cellCount: 2, gridUrl: `/v1/comparisons/${alice[1]}/grid` });
    expect((await listComparisons(BOB_KEY, {})).response?.items.map((s) => s.id)).toEqual(bob);
    const first = await listComparisons(ADMIN_KEY, { limit: 3 });
    expect(first.response?.items.map((s) => s.id)).toEqual([alice[2], alice[1], bob[0]]);
    const rest = await listComparisons(ADMIN_KEY, { limit: 3, cursor: first.response?.nextCursor });
    expect(rest.response?.items.map((s) => s.id)).toEqual([alice[0]]);
    expect(rest.response?.nextCursor).toBeUndefined();
    for (const [body, field] of [
      [{ limit: 0 }, 'limit'],
      [{ limit: 101 }, 'limit'],
      [{ cursor: 'nope' }, 'cursor'],
    ] as const) {
      const { error } = await listComparisons(ALICE_KEY, body);
      expect(error?.code).toBe(status.INVALID_ARGUMENT);
      expect(error?.metadata.get('error-field')).toEqual([field]);
    }
  });
});

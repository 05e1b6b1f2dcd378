/**
 * Cancelling a comparison (issue 15), open and with API keys, on REST (DELETE /v1/comparisons/{id}),
 * GraphQL (cancelComparison) and gRPC (CancelComparison), and a running comparison's view
 * (GET /v1/comparisons/{id}, the comparison query, GetComparison) showing each cell as it is.
 *
 * One row per UNet call (AFD_MAX_BATCH_ROWS=1, no classifier-free guidance) and six cells (two
 * prompts × three checkpoints) make cells end at different times, so a comparison is seen with a
 * cell done and others queued or running; cancelling then stops those (cells end `cancelled`),
 * keeps the finished cells' images, ends every event stream with a terminal event and frees the
 * pool for the next request. Every comparison a test starts is cancelled after it, pass or fail.
 */
import { credentials, Metadata, status, type Client, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createClient, type Client as WsClient } from 'graphql-ws';
import sharp from 'sharp';
import WebSocket from 'ws';
import { hashApiKey } from '../src/auth/api-keys';
import { createApp } from '../src/create-app';
import { GrpcServer } from '../src/app/grpc.server';
import { TINY_PRESET } from '../src/model-generator/config/presets';
import { ensureModelDirectory } from '../src/model-generator/ensure-model-directory';
import { loadProtos } from '../src/transports/grpc/grpc-protos';
import { CANCEL_ID_CASES } from './bad-input-corpus/comparison-cancel-cases';
import { sendRaw, type RawResponse } from './bad-input-corpus/raw-http';
import { testAppConfig } from './support/test-app-config';

const ALICE = 'afd_alice-key-for-cancelling-0123456789abcdefgh';
const BOB = 'afd_bob-key-for-cancelling-0123456789abcdefghijk';
const KEYS = JSON.stringify({
  keys: [
    { name: 'alice', tier: 'internal', roles: [], sha256: hashApiKey(ALICE) },
    { name: 'bob', tier: 'internal', roles: [], sha256: hashApiKey(BOB) },
  ],
});
/** Three cells run one at a time: long enough to be caught with the first done and the others not. */
const LONG = { prompts: ['a woman in a red and gold kente dress', 'a man in an indigo adire agbada'], width: 128, height: 128, steps: 150, seed: 9, guidanceScale: 1, scheduler: 'euler' };
const SHORT = { ...LONG, prompts: ['a red kente dress'], steps: 2 };
const CELLS = LONG.prompts.length * 3;
/** Generous: other work may share the machine's cores. */
const DEADLINE_MS = 180_000;
const TEST_MS = 300_000;

interface CellView {
  readonly row: number;
  readonly column: number;
  readonly checkpoint: string;
  readonly status: string;
  readonly imageUrl?: string | null;
}
interface View {
  readonly id: string;
  readonly status: string;
  readonly error?: { code: string; message: string } | null;
  readonly cells: CellView[];
}
type Unary = (request: unknown, metadata: Metadata, options: { deadline: number }, callback: (error: ServiceError | null, response: unknown) => void) => void;
type Streaming = (request: unknown, metadata: Metadata, options: { deadline: number }) => ClientReadableStream<unknown>;

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = DEADLINE_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.each([
  ['open, no key', {}, undefined, undefined],
  ['with API keys', { AFD_ALLOW_OPEN: 'false', AFD_API_KEYS: KEYS }, ALICE, BOB],
] as const)('cancelling a comparison (%s)', (_mode, overrides, key, otherKey) => {
  let app: NestExpressApplication;
  let port: number;
  let diffusion: Client;
  let dir: string;
  const headersFor = (k: string | undefined): Record<string, string> => (k ? { 'x-api-key': k } : {});

  const send = (method: string, path: string, body?: unknown, k: string | undefined = key, extra: Record<string, string> = {}): Promise<RawResponse> =>
    sendRaw(port, { method, path, headers: { ...headersFor(k), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...extra }, body: body === undefined ? undefined : Buffer.from(JSON.stringify(body)) });
  const view = async (id: string): Promise<View> => (await send('GET', `/v1/comparisons/${id}`)).json as View;
  const startRest = async (body: unknown): Promise<View> => {
    const res = await send('POST', '/v1/comparisons', body, key, { prefer: 'respond-async' });
    expect(res.status).toBe(202);
    started.push((res.json as View).id);
    return res.json as View;
  };
  /** The whole SSE stream of a comparison, as (event, data) pairs. */
  const sse = async (id: string): Promise<Array<{ event: string; data: Record<string, unknown> }>> => {
    const text = await (await fetch(`http://127.0.0.1:${port}/v1/comparisons/${id}/events`, { headers: headersFor(key) })).text();
    return text
      .split('\n\n')
      .filter((b) => b.trim() !== '')
      .map((b) => ({ event: /^event: (\w+)/.exec(b)?.[1] ?? '', data: JSON.parse(b.slice(b.indexOf('data: ') + 6)) as Record<string, unknown> }));
  };
  const graphql = async (query: string, variables: Record<string, unknown>, k: string | undefined = key) =>
    (await send('POST', '/graphql', { query, variables }, k)).json as { data?: Record<string, View | null> | null; errors?: Array<{ message: string; extensions: { code: string } }> };
  const metadata = (k: string | undefined = key): Metadata => {
    const m = new Metadata();
    if (k) m.set('authorization', `Bearer ${k}`);
    return m;
  };
  const unary = (method: string, body: unknown, k: string | undefined = key): Promise<{ error?: ServiceError; response?: View }> => {
    const fn = (diffusion as unknown as Record<string, Unary>)[method] as Unary;
    return new Promise((resolve) => fn.call(diffusion, body, metadata(k), { deadline: Date.now() + DEADLINE_MS }, (error, response) => resolve(error ? { error } : { response: response as View })));
  };
  /**
   * After a cancel once a cell had succeeded: every cell is either succeeded, with its image, or
   * cancelled, without; at least one of each (six cells cannot all have ended in the meantime).
   */
  const expectCancelledAfterFirst = (id: string, cells: readonly CellView[], succeeded: string, cancelled: string): void => {
    expect(cells).toHaveLength(CELLS);
    const statuses = cells.map((c) => c.status);
    expect(statuses).toContain(succeeded);
    expect(statuses).toContain(cancelled);
    for (const cell of cells) {
      expect([succeeded, cancelled]).toContain(cell.status);
      expect(cell.imageUrl ?? undefined).toEqual(cell.status === succeeded ? `/v1/comparisons/${id}/cells/${cell.row}/${cell.column}` : undefined);
    }
  };
  /** Started by a test: cancelled after it, so a failing test leaves no work in the pool for the next. */
  const started: string[] = [];
  afterEach(async () => {
    for (const id of started.splice(0)) await send('DELETE', `/v1/comparisons/${id}`);
  });
  /** Waits until a cell has succeeded while others have not: the moment to cancel. */
  const firstCellDone = (id: string): Promise<View> =>
    until(
      () => view(id),
      (v) => v.cells.some((c) => c.status === 'succeeded') || !['queued', 'running'].includes(v.status),
      'a first cell',
    );

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'afd-comparison-cancel-'));
    const tiny = ensureModelDirectory(TINY_PRESET);
    const checkpoints = ['tiny-a', 'tiny-b', 'tiny-c'].map((id, i) => ({ id, path: tiny, default: i === 0, pinned: true }));
    writeFileSync(join(dir, 'registry.json'), JSON.stringify({ checkpoints }));
    app = await createApp(testAppConfig({ ...overrides, AFD_REGISTRY: join(dir, 'registry.json'), AFD_MAX_BATCH_ROWS: '1' }));
    await app.listen(0, '127.0.0.1');
    port = (app.getHttpServer().address() as { port: number }).port;
    diffusion = new (loadProtos().diffusion)(`127.0.0.1:${app.get(GrpcServer).port}`, credentials.createInsecure());
  }, TEST_MS);
  afterAll(async () => {
    diffusion?.close();
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('REST: a running comparison lists each cell as it is; DELETE stops the rest, 202, cells end cancelled, the stream ends with done', async () => {
    const comparison = await startRest(LONG);
    const id = comparison.id;
    expect(comparison.cells.map((c) => [c.row, c.column, c.checkpoint])).toEqual([0, 1].flatMap((row) => [[row, 0, 'tiny-a'], [row, 1, 'tiny-b'], [row, 2, 'tiny-c']]));
    const events = sse(id);
    const midway = await firstCellDone(id);
    expect(midway.status).toBe('running');
    const done = midway.cells.find((c) => c.status === 'succeeded') as CellView;
    const pendingCell = midway.cells.find((c) => c.status === 'queued' || c.status === 'running') as CellView;
    expect(done.imageUrl).toBe(`/v1/comparisons/${id}/cells/${done.row}/${done.column}`);
    expect(pendingCell.imageUrl).toBeUndefined();
    // The finished cell's PNG is served already; the others and the grid are not there yet.
    const [png, pending, grid] = await Promise.all([
      fetch(`http://127.0.0.1:${port}${done.imageUrl!}`, { headers: headersFor(key) }),
      send('GET', `/v1/comparisons/${id}/cells/${pendingCell.row}/${pendingCell.column}`),
      send('GET', `/v1/comparisons/${id}/grid`),
    ]);
    expect([png.status, png.headers.get('content-type')]).toEqual([200, 'image/png']);
    expect((await sharp(Buffer.from(await png.arrayBuffer())).metadata()).width).toBe(128);
    expect([pending.status, (pending.json as { code: string }).code, grid.status]).toEqual([409, 'CONFLICT', 409]);

    const cancelled = await send('DELETE', `/v1/comparisons/${id}`);
    expect(cancelled.status).toBe(202);
    expect(cancelled.json).toMatchObject({ id, status: 'cancelled', error: { code: 'CANCELLED' } });
    expectCancelledAfterFirst(id, (cancelled.json as View).cells, 'succeeded', 'cancelled');
    const statuses = (cancelled.json as View).cells.map((c) => c.status);
    const received = await events;
    expect(received.at(-1)).toEqual({ event: 'done', data: { status: 'cancelled', error: { code: 'CANCELLED', message: `comparison ${id} was cancelled` } } });
    // It stays cancelled (a late step changes nothing), the finished cell keeps its image, and cancelling again answers the same.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await view(id)).cells.map((c) => c.status)).toEqual(statuses);
    expect((await send('GET', done.imageUrl!)).status).toBe(200);
    const again = await send('DELETE', `/v1/comparisons/${id}`);
    expect([again.status, (again.json as View).status]).toEqual([202, 'cancelled']);
    expect(await sse(id)).toEqual([received.at(-1)]);
    // The pool is free again: the next comparison runs to the end.
    const next = await send('POST', '/v1/comparisons', SHORT);
    expect([next.status, (next.json as View).status]).toEqual([201, 'succeeded']);
  }, TEST_MS);

  it('GraphQL: cancelComparison stops it and comparisonEvents ends with DONE CANCELLED', async () => {
    const compared = await graphql('mutation($input: CompareInput!) { compare(input: $input, wait: false) { id status cells { status } } }', { input: { ...LONG, scheduler: 'EULER' } });
    expect(compared.errors).toBeUndefined();
    const id = compared.data!['compare']!.id;
    started.push(id);
    const ws: WsClient = createClient({ url: `ws://127.0.0.1:${port}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0, ...(key ? { connectionParams: { authorization: `Bearer ${key}` } } : {}) });
    try {
      const kinds: Array<{ kind: string; status: string | null; error: { code: string } | null }> = [];
      const subscription = (async () => {
        for await (const message of ws.iterate<{ comparisonEvents: (typeof kinds)[number] }>({ query: `subscription { comparisonEvents(id: "${id}") { kind status error { code } } }` })) kinds.push(message.data!.comparisonEvents);
      })();
      await firstCellDone(id);
      const cancelled = await graphql('mutation($id: ID!) { cancelComparison(id: $id) { id status error { code } cells { row column status imageUrl } } }', { id });
      expect(cancelled.errors).toBeUndefined();
      expect(cancelled.data!['cancelComparison']).toMatchObject({ id, status: 'CANCELLED', error: { code: 'CANCELLED' } });
      expectCancelledAfterFirst(id, cancelled.data!['cancelComparison']!.cells, 'SUCCEEDED', 'CANCELLED');
      await subscription;
      expect(kinds.at(-1)).toEqual({ kind: 'DONE', status: 'CANCELLED', error: { code: 'CANCELLED' } });
      const read = await graphql('query($id: ID!) { comparison(id: $id) { status } }', { id });
      expect(read.data!['comparison']).toEqual({ status: 'CANCELLED' });
    } finally {
      await ws.dispose();
    }
  }, TEST_MS);

  it('gRPC: GetComparison shows the running cells; CancelComparison stops it and CompareStream ends CANCELLED', async () => {
    const call = ((diffusion as unknown as Record<string, Streaming>)['CompareStream'] as Streaming).call(diffusion, { ...LONG, seed: '9' }, metadata(), { deadline: Date.now() + DEADLINE_MS });
    const ended = new Promise<{ ids: string[]; error?: ServiceError; results: number }>((resolve) => {
      const ids = new Set<string>();
      let results = 0;
      call.on('data', (m: { cell?: { id: string }; result?: unknown }) => {
        if (m.cell) ids.add(m.cell.id);
        if (m.result) results++;
      });
      call.on('error', (error: ServiceError) => resolve({ ids: [...ids], error, results }));
      call.on('end', () => resolve({ ids: [...ids], results }));
    });
    // The comparison's id comes with its first cell message.
    let id = '';
    call.once('data', (m: { cell?: { id: string } }) => (id = m.cell?.id ?? ''));
    await until(async () => id, (v) => v !== '', 'the first cell message');
    started.push(id);
    const running = await until(
      () => unary('GetComparison', { id }),
      (r) => r.response?.cells.some((c) => c.status === 'GENERATION_STATUS_SUCCEEDED') === true,
      'a first cell over gRPC',
    );
    expect(running.response).toMatchObject({ id, status: 'GENERATION_STATUS_RUNNING' });
    const first = running.response!.cells.find((c) => c.status === 'GENERATION_STATUS_SUCCEEDED') as CellView;
    expect(first).toMatchObject({ checkpoint: ['tiny-a', 'tiny-b', 'tiny-c'][first.column], imageUrl: `/v1/comparisons/${id}/cells/${first.row}/${first.column}` });
    const cancelled = await unary('CancelComparison', { id });
    expect(cancelled.error).toBeUndefined();
    expect(cancelled.response).toMatchObject({ id, status: 'GENERATION_STATUS_CANCELLED', error: { code: 'CANCELLED' } });
    expectCancelledAfterFirst(id, cancelled.response!.cells, 'GENERATION_STATUS_SUCCEEDED', 'GENERATION_STATUS_CANCELLED');
    const outcome = await ended;
    expect({ code: outcome.error?.code, results: outcome.results }).toEqual({ code: status.CANCELLED, results: 0 });
    expect(outcome.error?.details).toMatch(new RegExp(`^comparison ${id} was cancelled`));
  }, TEST_MS);

  it('cancelling a finished comparison answers it unchanged, on every transport', async () => {
    const done = await send('POST', '/v1/comparisons', SHORT);
    const id = (done.json as View).id;
    const rest = await send('DELETE', `/v1/comparisons/${id}`);
    expect([rest.status, (rest.json as View).status, (rest.json as View).cells.map((c) => c.status)]).toEqual([202, 'succeeded', ['succeeded', 'succeeded', 'succeeded']]);
    expect((await graphql('mutation($id: ID!) { cancelComparison(id: $id) { status } }', { id })).data).toEqual({ cancelComparison: { status: 'SUCCEEDED' } });
    expect((await unary('CancelComparison', { id })).response).toMatchObject({ id, status: 'GENERATION_STATUS_SUCCEEDED' });
    expect((await send('GET', `/v1/comparisons/${id}/grid`)).status).toBe(200);
  }, TEST_MS);

  describe('refusals: unknown, expired and malformed ids (the corpus cases), another key\'s comparison', () => {
    for (const c of CANCEL_ID_CASES) {
      it(`${c.name} → ${c.code} on REST, GraphQL and gRPC`, async () => {
        const rest = await send('DELETE', `/v1/comparisons/${c.path}`);
        expect([rest.status, (rest.json as { code: string }).code]).toEqual([c.code === 'GONE' ? 410 : 404, c.code]);
        expect((rest.json as { message: string }).message).toMatch(c.message);
        const gql = await graphql('mutation($id: ID!) { cancelComparison(id: $id) { id } }', { id: c.id });
        expect(gql.errors?.[0]).toMatchObject({ message: expect.stringMatching(c.message), extensions: { code: c.code } });
        for (const method of ['CancelComparison', 'GetComparison']) {
          const { error } = await unary(method, { id: c.id });
          expect({ method, code: error?.code, details: error?.details }).toEqual({ method, code: status.NOT_FOUND, details: expect.stringMatching(c.message) });
        }
      });
    }

    if (otherKey) {
      it("another key's comparison reads and cancels as one that does not exist, and keeps running", async () => {
        const { id } = await startRest(LONG);
        const NOT_HERE = new RegExp(`^comparison ${id} does not exist`);
        const rest = await send('DELETE', `/v1/comparisons/${id}`, undefined, otherKey);
        expect([rest.status, (rest.json as { message: string }).message]).toEqual([404, expect.stringMatching(NOT_HERE)]);
        const gql = await graphql('mutation($id: ID!) { cancelComparison(id: $id) { id } }', { id }, otherKey);
        expect(gql.errors?.[0]).toMatchObject({ message: expect.stringMatching(NOT_HERE), extensions: { code: 'NOT_FOUND' } });
        for (const method of ['CancelComparison', 'GetComparison']) expect((await unary(method, { id }, otherKey)).error?.code).toBe(status.NOT_FOUND);
        // Untouched: still running (or done), never cancelled; its owner then cancels it.
        expect(['queued', 'running', 'succeeded']).toContain((await view(id)).status);
        expect((await send('DELETE', `/v1/comparisons/${id}`)).status).toBe(202);
      }, TEST_MS);

      it('without a key: 401 on REST and GraphQL, UNAUTHENTICATED on gRPC', async () => {
        expect((await send('DELETE', '/v1/comparisons/nope', undefined, '')).status).toBe(401);
        const gql = await graphql('mutation { cancelComparison(id: "nope") { id } }', {}, '');
        expect(gql.errors?.[0]?.extensions.code).toBe('UNAUTHENTICATED');
        expect((await unary('CancelComparison', { id: 'nope' }, '')).error?.code).toBe(status.UNAUTHENTICATED);
      });
    }
  });
});

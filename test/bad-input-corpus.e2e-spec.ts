/**
 * The bad-input corpus: a few hundred malformed, out-of-range and hostile requests over REST,
 * GraphQL and gRPC against one real application (engine, pool, demo release). Every case must be
 * answered with the right code and a message (naming the field for validation errors), never a 5xx,
 * INTERNAL or UNKNOWN; afterwards the process must still serve good requests on every transport.
 * The tables live in test/bad-input-corpus/ (image to image: init-image-cases.ts, also run with and
 * without API keys by test/image-to-image-input.e2e-spec.ts).
 */
import { credentials, makeGenericClientConstructor, Metadata, status, type Client, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createApp } from '../src/create-app';
import { GrpcServer } from '../src/app/grpc.server';
import { loadProtos } from '../src/transports/grpc/grpc-protos';
import { CORPUS_MAX_QUERY_BYTES, GRAPHQL_CASES as GRAPHQL_BASE_CASES, GRAPHQL_COMPARISON_HISTORY_CASES, GRAPHQL_COMPARISON_PREVIEW_CASES, GRAPHQL_CONTROL_CHARACTER_CASES, GRAPHQL_WS_CASES, type GraphqlCase } from './bad-input-corpus/graphql-cases';
import { GRAPHQL_COMPARISON_CANCEL_CASES, GRPC_COMPARISON_CANCEL_CASES, REST_COMPARISON_CANCEL_CASES } from './bad-input-corpus/comparison-cancel-cases';
import { probeWebsocket } from './bad-input-corpus/graphql-ws-probe';
import { GRPC_CASES as GRPC_BASE_CASES, GRPC_COMPARISON_HISTORY_CASES, GRPC_COMPARISON_PREVIEW_CASES, GRPC_EDGE_CASES, type GrpcCase } from './bad-input-corpus/grpc-cases';
import { sendRaw, type RawResponse } from './bad-input-corpus/raw-http';
import { json, VALID_GENERATION, type RestCase } from './bad-input-corpus/rest-case';
import { REST_EDGE_CASES, REST_GENERATION_CASES } from './bad-input-corpus/rest-generation-cases';
import { REST_COMPARISON_HISTORY_CASES, REST_COMPARISON_PREVIEW_CASES, REST_OTHER_CASES, REST_OTHER_EDGE_CASES } from './bad-input-corpus/rest-other-cases';
import { initImageGraphqlCases, initImageGrpcCases, initImageHugeFileCases, initImageRestCases } from './bad-input-corpus/init-image-cases';
import { GRAPHQL_WEBHOOK_CASES, GRPC_WEBHOOK_CASES, OPEN_GRAPHQL_WEBHOOK_CASES, OPEN_GRPC_WEBHOOK_CASES, OPEN_REST_WEBHOOK_CASES, REST_WEBHOOK_CASES } from './bad-input-corpus/webhook-cases';
import { testAppConfig } from './support/test-app-config';
import { waitUntilReady } from './support/wait-until-ready';

const REST_CASES: readonly RestCase[] = [...REST_GENERATION_CASES, ...REST_OTHER_CASES, ...REST_EDGE_CASES, ...REST_OTHER_EDGE_CASES, ...REST_COMPARISON_PREVIEW_CASES, ...REST_COMPARISON_HISTORY_CASES, ...REST_COMPARISON_CANCEL_CASES, ...initImageRestCases('final'), ...initImageHugeFileCases('final'), ...REST_WEBHOOK_CASES, ...OPEN_REST_WEBHOOK_CASES];
const GRAPHQL_CASES: readonly GraphqlCase[] = [...GRAPHQL_BASE_CASES, ...GRAPHQL_CONTROL_CHARACTER_CASES, ...GRAPHQL_COMPARISON_PREVIEW_CASES, ...GRAPHQL_COMPARISON_HISTORY_CASES, ...GRAPHQL_COMPARISON_CANCEL_CASES, ...initImageGraphqlCases('final'), ...GRAPHQL_WEBHOOK_CASES, ...OPEN_GRAPHQL_WEBHOOK_CASES];
const GRPC_CASES: readonly GrpcCase[] = [...GRPC_BASE_CASES, ...GRPC_EDGE_CASES, ...GRPC_COMPARISON_PREVIEW_CASES, ...GRPC_COMPARISON_HISTORY_CASES, ...GRPC_COMPARISON_CANCEL_CASES, ...initImageGrpcCases('final'), ...GRPC_WEBHOOK_CASES, ...OPEN_GRPC_WEBHOOK_CASES];
/** A stack frame or Apollo's stack trace in a response would leak internals. */
const LEAK = /stacktrace|\bat [\w.<>]+ \(?\/|\.ts:\d+:\d+/;
/** No call in the corpus should come near this; it turns a hang into a failed case instead of a stuck suite. */
const CALL_DEADLINE_MS = 60_000;

type Unary = (request: unknown, metadata: Metadata, options: { deadline: number }, callback: (error: ServiceError | null, response: unknown) => void) => void;
type Streaming = (request: unknown, metadata: Metadata, options: { deadline: number }) => ClientReadableStream<unknown>;
type AnyClient = Client & Record<string, Unary & Streaming>;

/** The answer of a gRPC call: its messages and the error that ended it, if any. */
interface GrpcOutcome {
  readonly messages: unknown[];
  readonly error?: ServiceError;
}

function callGrpc(client: AnyClient, method: string, stream: boolean, request: unknown): Promise<GrpcOutcome> {
  const deadline = Date.now() + CALL_DEADLINE_MS;
  return new Promise((resolve) => {
    if (!stream) {
      (client[method] as Unary).call(client, request, new Metadata(), { deadline }, (error: ServiceError | null, response: unknown) =>
        resolve(error ? { messages: [], error } : { messages: [response] }),
      );
      return;
    }
    const messages: unknown[] = [];
    const call = (client[method] as Streaming).call(client, request, new Metadata(), { deadline });
    call.on('data', (message: unknown) => messages.push(message));
    call.on('error', (error: ServiceError) => resolve({ messages, error }));
    call.on('end', () => resolve({ messages }));
  });
}

/** A client that sends and receives bytes as they are, for every method the corpus sends raw bytes to. */
function rawClient(address: string, cases: readonly GrpcCase[]): AnyClient {
  const identity = (bytes: Buffer): Buffer => bytes;
  const methods = Object.fromEntries(
    cases
      .filter((c) => c.bytes !== undefined)
      .map((c) => [
        rawMethodName(c),
        {
          path: `/${c.service === 'Health' ? 'grpc.health.v1' : 'afrofashion.v1'}.${c.service}/${c.method}`,
          requestStream: false,
          responseStream: c.stream,
          requestSerialize: identity,
          requestDeserialize: identity,
          responseSerialize: identity,
          responseDeserialize: identity,
        },
      ]),
  );
  const Constructor = makeGenericClientConstructor(methods, 'RawBytes');
  return new Constructor(address, credentials.createInsecure()) as unknown as AnyClient;
}

/** Cases that show a bug not fixed yet run as `it.failing`, titled so. */
function knownBug(c: { readonly knownBug?: string }): string {
  return c.knownBug ? ` [KNOWN BUG, expected to fail until fixed: ${c.knownBug}]` : '';
}

function rawMethodName(c: GrpcCase): string {
  return `${c.service}_${c.method}`;
}

describe('bad-input corpus (REST, GraphQL, gRPC) against one application', () => {
  let app: NestExpressApplication;
  let port: number;
  let generationId: string;
  let diffusion: AnyClient;
  let prompts: AnyClient;
  let health: AnyClient;
  let raw: AnyClient;

  const send = (method: string, path: string, headers: Record<string, string> = {}, body?: Buffer): Promise<RawResponse> => sendRaw(port, { method, path, headers, body });
  const postJson = (path: string, value: unknown): Promise<RawResponse> => send('POST', path, { 'content-type': 'application/json' }, json(value));

  beforeAll(async () => {
    app = await createApp(testAppConfig({ AFD_BODY_LIMIT_KB: '16', AFD_GRAPHQL_MAX_DEPTH: '3', AFD_GRAPHQL_MAX_COMPLEXITY: '300', AFD_GRAPHQL_MAX_QUERY_BYTES: String(CORPUS_MAX_QUERY_BYTES) }));
    await app.listen(0, '127.0.0.1');
    port = (app.getHttpServer().address() as { port: number }).port;
    await waitUntilReady(app);
    const address = `127.0.0.1:${app.get(GrpcServer).port}`;
    // Absent fields stay absent (defaults: false), so each case sends exactly the fields it names.
    const protos = loadProtos();
    diffusion = new protos.diffusion(address, credentials.createInsecure()) as AnyClient;
    prompts = new protos.prompts(address, credentials.createInsecure()) as AnyClient;
    health = new protos.health(address, credentials.createInsecure()) as AnyClient;
    raw = rawClient(address, GRPC_CASES);
    // One finished generation with one image, for the image-index cases.
    const created = await postJson('/v1/generations', VALID_GENERATION);
    expect(created.status).toBe(201);
    generationId = (created.json as { id: string }).id;
  }, 120_000);

  afterAll(async () => {
    for (const client of [diffusion, prompts, health, raw]) client?.close();
    await app?.close();
  });

  describe(`REST: ${REST_CASES.length} cases`, () => {
    for (const [index, c] of REST_CASES.entries()) {
      (c.knownBug ? it.failing : it)(`#${index + 1} ${c.method} ${c.name} → ${c.status} ${c.code}${c.field !== undefined ? ` naming ${c.field}` : ''}${knownBug(c)}`, async () => {
        const res = await send(c.method, c.path.replace('{generation}', generationId), c.headers ? { ...c.headers } : {}, c.body);
        expect({ status: res.status, body: res.json }).toMatchObject({
          status: c.status,
          body: {
            code: c.code,
            message: c.message ? expect.stringMatching(c.message) : expect.stringMatching(/\S/),
            details: c.field !== undefined ? expect.objectContaining({ field: c.field }) : expect.any(Object),
          },
        });
        const body = res.json as { message: string };
        expect(Object.keys(res.json as object).sort()).toEqual(['code', 'details', 'message']);
        expect(res.headers['content-type']).toMatch(/^application\/json/);
        if (c.field !== undefined && (c.status === 400 || c.status === 413)) expect(body.message.startsWith(`${c.field}:`)).toBe(true);
        expect(res.text).not.toMatch(LEAK);
      });
    }
  });

  describe(`GraphQL: ${GRAPHQL_CASES.length} cases`, () => {
    const request = (c: GraphqlCase): Promise<RawResponse> => {
      if (c.method === 'GET') return send('GET', `/graphql?${new URLSearchParams(c.query ?? {}).toString()}`, { ...c.headers });
      return send('POST', '/graphql', { ...c.headers }, c.body);
    };

    for (const [index, c] of GRAPHQL_CASES.entries()) {
      (c.knownBug ? it.failing : it)(`#${index + 1} ${c.name} → ${c.code}${c.field !== undefined ? ` naming ${c.field}` : ''}${knownBug(c)}`, async () => {
        const res = await request(c);
        if (c.status !== undefined) expect(res.status).toBe(c.status);
        expect(res.status).toBeLessThan(500);
        const details = c.field !== undefined ? expect.objectContaining({ field: c.field }) : expect.any(Object);
        if (c.restShape) {
          expect(res.json).toEqual({ code: c.code, message: expect.stringMatching(c.message), details });
        } else {
          const body = res.json as { errors?: Array<{ message: string; extensions: { code: string; details: unknown } }> };
          expect(body.errors?.[0]).toMatchObject({ message: expect.stringMatching(c.message), extensions: { code: c.code, details } });
          expect(body.errors?.[0]?.message).toMatch(/\S/);
        }
        expect(res.text).not.toMatch(LEAK);
      });
    }
  });

  describe(`GraphQL over the websocket: ${GRAPHQL_WS_CASES.length} cases`, () => {
    for (const [index, c] of GRAPHQL_WS_CASES.entries()) {
      it(`#${index + 1} ${c.name} → ${c.closeCode !== undefined ? `closed ${c.closeCode}` : c.error?.code}`, async () => {
        const outcome = await probeWebsocket(`ws://127.0.0.1:${port}/graphql`, c);
        if (c.closeCode !== undefined) expect(outcome).toMatchObject({ closeCode: c.closeCode });
        if (c.error) {
          const details = c.error.field !== undefined ? expect.objectContaining({ field: c.error.field }) : expect.any(Object);
          expect(outcome.error).toMatchObject({ message: expect.stringMatching(c.error.message), extensions: { code: c.error.code, details } });
        }
        expect(outcome.raw).not.toMatch(LEAK);
      });
    }
  });

  describe(`gRPC: ${GRPC_CASES.length} cases`, () => {
    for (const [index, c] of GRPC_CASES.entries()) {
      it(`#${index + 1} ${c.service}/${c.name} → ${status[c.code]}${c.field !== undefined ? ` naming ${c.field}` : ''}`, async () => {
        const outcome =
          c.bytes !== undefined
            ? await callGrpc(raw, rawMethodName(c), c.stream, c.bytes)
            : await callGrpc({ DiffusionService: diffusion, PromptService: prompts, Health: health }[c.service], c.method, c.stream, c.request);
        expect(outcome.messages).toEqual([]);
        const error = outcome.error;
        expect({ code: error?.code === undefined ? undefined : status[error.code], details: error?.details }).toEqual({ code: status[c.code], details: expect.stringMatching(c.message) });
        if (c.field !== undefined) expect(error?.metadata.get('error-field')).toEqual([c.field]);
        expect(error?.details).not.toMatch(LEAK);
      });
    }
  });

  describe('afterwards, the process is healthy', () => {
    it('counts at least 200 cases: 100 REST, 50 GraphQL and 50 gRPC', () => {
      const counts = { rest: REST_CASES.length, graphql: GRAPHQL_CASES.length, grpc: GRPC_CASES.length };
      expect(counts.rest).toBeGreaterThanOrEqual(100);
      expect(counts.graphql).toBeGreaterThanOrEqual(50);
      expect(counts.grpc).toBeGreaterThanOrEqual(50);
      expect(counts.rest + counts.graphql + counts.grpc).toBeGreaterThanOrEqual(200);
    });

    it('answers the probes', async () => {
      expect((await send('GET', '/health/live')).status).toBe(200);
      expect((await send('GET', '/health/ready')).status).toBe(200);
      const check = await callGrpc(health, 'Check', false, {});
      expect(check).toEqual({ messages: [{ status: 'SERVING' }] });
    });

    it('generates over REST, including prompts that look odd but are valid', async () => {
      for (const prompt of ['red kente dress', 'red\tkente\ndress', 'robe en wax 👗✨', 'فستان أحمر من الكنتي', 'a lone \ud800 surrogate']) {
        const res = await postJson('/v1/generations', { ...VALID_GENERATION, prompt });
        expect({ prompt, status: res.status }).toEqual({ prompt, status: 201 });
        expect(res.json).toMatchObject({ status: 'succeeded', images: [{ index: 0, mimeType: 'image/png' }] });
      }
    });

    it('answers GraphQL queries and mutations', async () => {
      const checkpoints = await postJson('/graphql', { query: '{ checkpoints { id } }' });
      expect((checkpoints.json as { data: { checkpoints: unknown[] } }).data.checkpoints).toHaveLength(6);
      const generated = await postJson('/graphql', {
        query: 'mutation($input: GenerateInput!) { generate(input: $input, wait: true) { status images { seed } } }',
        variables: { input: VALID_GENERATION },
      });
      expect(generated.json).toEqual({ data: { generate: { status: 'SUCCEEDED', images: [{ seed: '1' }] } } });
    });

    it('answers gRPC calls, streaming and unary', async () => {
      const tokens = await callGrpc(prompts, 'Tokenize', false, { text: 'a red kente dress' });
      expect(tokens.error).toBeUndefined();
      expect(tokens.messages[0]).toMatchObject({ count: 6, truncated: false });
      const generated = await callGrpc(diffusion, 'Generate', true, { ...VALID_GENERATION, seed: '1' });
      expect(generated.error).toBeUndefined();
      expect(generated.messages.at(-1)).toMatchObject({ result: { images: [{ index: 0, seed: '1', mimeType: 'image/png' }] } });
    });
  });
});

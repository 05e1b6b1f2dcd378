/**
 * The public edge under hostile use (issue 13, the smaller defects), on the real application, open
 * and with API keys: echoed values that would hang a gRPC call, replies too large for a client,
 * work that outlives its client, answers nobody asked for, control characters in prompts, headers
 * that say too much.
 */
import { credentials, Metadata, status, type Client, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { request as httpRequest } from 'node:http';
import { hashApiKey } from '../src/auth/api-keys';
import { createApp } from '../src/create-app';
import type { GenerationRecord } from '../src/generation/generation-store';
import { Generations } from '../src/generation/generations';
import { GrpcServer } from '../src/app/grpc.server';
import { loadProtos } from '../src/transports/grpc/grpc-protos';
import { InferencePool } from '../src/pool';
import { sendRaw, type RawResponse } from './bad-input-corpus/raw-http';
import { testAppConfig } from './support/test-app-config';
import { waitUntilReady } from './support/wait-until-ready';

const KEY = 'afd_edge-hardening-key-0123456789abcdefghijklmn';
const KEYS = JSON.stringify({ keys: [{ name: 'edge', tier: 'internal', roles: [], sha256: hashApiKey(KEY) }] });
const SMALL = { prompt: 'red kente dress', width: 64, height: 64, steps: 1, seed: 1 };
/** A deadline turns a call that would hang into a failed assertion (DEADLINE_EXCEEDED). */
const DEADLINE_MS = 10_000;

type Unary = (request: unknown, metadata: Metadata, options: { deadline: number }, callback: (error: ServiceError | null, response: unknown) => void) => void;
type Streaming = (request: unknown, metadata: Metadata, options: { deadline: number }) => ClientReadableStream<unknown>;

describe.each([
  ['open, no key', {}, undefined],
  ['with API keys', { AFD_ALLOW_OPEN: 'false', AFD_API_KEYS: KEYS }, KEY],
] as const)('the public edge (%s)', (_mode, overrides, key) => {
  let app: NestExpressApplication;
  let port: number;
  let diffusion: Client;
  const auth: Record<string, string> = key ? { authorization: `Bearer ${key}` } : {};

  const send = (method: string, path: string, headers: Record<string, string> = {}, body?: unknown): Promise<RawResponse> =>
    sendRaw(port, { method, path, headers: { ...auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers }, body: body === undefined ? undefined : Buffer.from(JSON.stringify(body)) });

  function metadata(withKey = true): Metadata {
    const m = new Metadata();
    if (key && withKey) m.set('authorization', `Bearer ${key}`);
    return m;
  }

  function unary(method: string, body: unknown, m: Metadata = metadata()): Promise<{ error?: ServiceError; response?: unknown }> {
    const fn = (diffusion as unknown as Record<string, Unary>)[method] as Unary;
    return new Promise((resolve) => fn.call(diffusion, body, m, { deadline: Date.now() + DEADLINE_MS }, (error, response) => resolve(error ? { error } : { response })));
  }

  function generate(body: unknown): Promise<{ error?: ServiceError; messages: unknown[] }> {
    const call = ((diffusion as unknown as Record<string, Streaming>)['Generate'] as Streaming).call(diffusion, body, metadata(), { deadline: Date.now() + DEADLINE_MS });
    const messages: unknown[] = [];
    return new Promise((resolve) => {
      call.on('data', (m: unknown) => messages.push(m));
      call.on('error', (error: ServiceError) => resolve({ error, messages }));
      call.on('end', () => resolve({ messages }));
    });
  }

  beforeAll(async () => {
    app = await createApp(testAppConfig(overrides));
    await app.listen(0, '127.0.0.1');
    port = (app.getHttpServer().address() as { port: number }).port;
    await waitUntilReady(app);
    diffusion = new (loadProtos().diffusion)(`127.0.0.1:${app.get(GrpcServer).port}`, credentials.createInsecure());
  }, 120_000);

  afterAll(async () => {
    diffusion?.close();
    await app?.close();
  });

  afterEach(() => jest.restoreAllMocks());

  describe('gRPC: echoed values are bounded, so every error is delivered', () => {
    it.each(['GetGeneration', 'CancelGeneration'])('%s with a 100,000-character id answers NOT_FOUND within the deadline', async (method) => {
      const { error } = await unary(method, { id: 'a'.repeat(100_000) });
      expect(error?.code).toBe(status.NOT_FOUND);
      expect(error?.details).toBe(`generation ${'a'.repeat(64)}… (100000 characters) does not exist`);
    });

    it('GetCheckpoint and Generate with 100,000-character names answer within the deadline, naming the field', async () => {
      const checkpoint = await unary('GetCheckpoint', { id: 'c'.repeat(100_000) });
      expect(checkpoint.error?.code).toBe(status.NOT_FOUND);
      expect(checkpoint.error?.details.length).toBeLessThanOrEqual(1100);
      const scheduler = await generate({ ...SMALL, seed: '1', scheduler: 's'.repeat(100_000) });
      expect(scheduler.error?.code).toBe(status.INVALID_ARGUMENT);
      expect(scheduler.error?.metadata.get('error-field')).toEqual(['scheduler']);
      // The rule lists every sampler id; the 100,000-character name itself is echoed as a 40-character head.
      expect(scheduler.error?.details.length).toBeLessThan(600);
    });

    if (key) {
      it('without a key, a 100,000-character id is UNAUTHENTICATED at once', async () => {
        expect((await unary('GetGeneration', { id: 'a'.repeat(100_000) }, metadata(false))).error?.code).toBe(status.UNAUTHENTICATED);
      });
    }
  });

  describe('gRPC Compare: a reply too large for the client is refused before any work', () => {
    const ALL = { prompts: ['a', 'b', 'c', 'd'], width: 512, height: 512, steps: 1, seed: '1' };

    it('refuses 4 prompts × 6 checkpoints at 512×512 (over 4 MiB) naming the rule, without queuing a cell', async () => {
      const submit = jest.spyOn(app.get(InferencePool), 'submitComparison');
      const { error } = await unary('Compare', ALL);
      expect(error?.code).toBe(status.INVALID_ARGUMENT);
      expect(error?.metadata.get('error-field')).toEqual(['request']);
      expect(error?.details).toMatch(/^request: the reply could reach \d+\.\d MiB \(24 cells of 512x512 and the grid, as PNG\), over the 4\.0 MiB this client accepts; .*use REST or GraphQL/);
      expect(submit).not.toHaveBeenCalled();
    });

    it('refuses a malformed afd-max-reply-bytes, naming it', async () => {
      const m = metadata();
      m.set('afd-max-reply-bytes', 'lots');
      const { error } = await unary('Compare', ALL, m);
      expect(error?.code).toBe(status.INVALID_ARGUMENT);
      expect(error?.metadata.get('error-field')).toEqual(['afd-max-reply-bytes']);
    });
  });

  describe('REST', () => {
    it('sends no X-Powered-By header', async () => {
      const res = await send('GET', '/v1/checkpoints');
      expect(res.status).toBe(200);
      expect(res.headers['x-powered-by']).toBeUndefined();
    });

    it('answers Accept: image/gif with 406 before starting any work', async () => {
      const start = jest.spyOn(app.get(Generations), 'start');
      const res = await send('POST', '/v1/generations', { accept: 'image/gif' }, SMALL);
      expect(res.status).toBe(406);
      expect(res.json).toEqual({ code: 'NOT_ACCEPTABLE', message: expect.stringMatching(/^Accept: lists none of the types .*application\/json or image\/png/), details: expect.objectContaining({ field: 'Accept' }) });
      expect(start).not.toHaveBeenCalled();
      const png = await send('POST', '/v1/generations', { accept: 'image/png' }, SMALL);
      expect([png.status, png.headers['content-type']]).toEqual([200, 'image/png']);
    });

    it('cancels a synchronous generation whose client disconnects', async () => {
      const generations = app.get(Generations);
      const start = generations.start.bind(generations);
      let record: GenerationRecord | undefined;
      jest.spyOn(generations, 'start').mockImplementationOnce(async (...args) => {
        const started = await start(...args);
        record = started.record;
        return started;
      });
      const body = Buffer.from(JSON.stringify({ ...SMALL, width: 512, height: 512, steps: 150 }));
      const outgoing = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/v1/generations', headers: { ...auth, 'content-type': 'application/json', 'content-length': body.length } });
      outgoing.on('error', () => undefined);
      outgoing.end(body);
      await until(() => record?.status === 'running');
      outgoing.destroy();
      await until(() => record?.status !== 'running');
      expect(record?.status).toBe('cancelled');
      const read = await send('GET', `/v1/generations/${record?.id}`);
      expect(read.json).toMatchObject({ status: 'cancelled', error: { code: 'CANCELLED' } });
      expect((read.json as { progress: { step: number } }).progress.step).toBeLessThan(150);
    });

    it('keeps a synchronous generation sent with an Idempotency-Key when its client disconnects, for the retry to collect', async () => {
      const generations = app.get(Generations);
      const start = generations.start.bind(generations);
      let record: GenerationRecord | undefined;
      jest.spyOn(generations, 'start').mockImplementationOnce(async (...args) => {
        const started = await start(...args);
        record = started.record;
        return started;
      });
      const body = Buffer.from(JSON.stringify({ ...SMALL, width: 256, height: 256, steps: 30 }));
      const headers = { ...auth, 'content-type': 'application/json', 'idempotency-key': `retry-${key ? 'keyed' : 'open'}` };
      const outgoing = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/v1/generations', headers: { ...headers, 'content-length': body.length } });
      outgoing.on('error', () => undefined);
      outgoing.end(body);
      await until(() => record?.status === 'running');
      outgoing.destroy();
      const retry = await sendRaw(port, { method: 'POST', path: '/v1/generations', headers, body });
      expect(retry.status).toBe(201);
      expect(retry.json).toMatchObject({ id: record?.id, status: 'succeeded' });
    });

    if (key) {
      it('refuses a key sent in the query string', async () => {
        const res = await sendRaw(port, { method: 'GET', path: `/v1/checkpoints?api_key=${KEY}` });
        expect(res.status).toBe(401);
        expect(res.text).not.toContain(KEY);
      });
    }
  });

  describe('control characters in prompts are refused on every transport, naming the field', () => {
    it('REST', async () => {
      const res = await send('POST', '/v1/generations', {}, { ...SMALL, negativePrompt: 'blurry\u0000' });
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({ code: 'INVALID_ARGUMENT', message: 'negativePrompt: must not contain control characters other than tab and newline, got U+0000 at index 6' });
    });

    it('GraphQL', async () => {
      const query = 'mutation($input: GenerateInput!) { generate(input: $input) { id } }';
      const res = await send('POST', '/graphql', {}, { query, variables: { input: { ...SMALL, prompt: 'red\u001b[31m kente' } } });
      expect((res.json as { errors: unknown[] }).errors[0]).toMatchObject({ message: expect.stringMatching(/^prompt: must not contain control characters/), extensions: { code: 'INVALID_ARGUMENT', details: { field: 'prompt' } } });
    });

    it('gRPC', async () => {
      const { error } = await generate({ ...SMALL, seed: '1', prompt: 'red\u0000kente' });
      expect(error?.code).toBe(status.INVALID_ARGUMENT);
      expect(error?.metadata.get('error-field')).toEqual(['prompt']);
    });
  });

  describe('emphasis and prompt weights are refused on every transport, naming the field', () => {
    it('REST', async () => {
      const emphasis = await send('POST', '/v1/generations', {}, { ...SMALL, emphasis: 'No norm' });
      expect([emphasis.status, emphasis.json]).toEqual([400, expect.objectContaining({ code: 'INVALID_ARGUMENT', message: 'emphasis: must be one of original, no-norm, got "No norm"' })]);
      const weight = await send('POST', '/v1/generations', {}, { ...SMALL, negativePrompt: '(blurry:500)' });
      expect(weight.status).toBe(400);
      expect(weight.json).toMatchObject({ code: 'INVALID_ARGUMENT', details: { field: 'negativePrompt' } });
    });

    it('GraphQL', async () => {
      const query = 'mutation($input: GenerateInput!) { generate(input: $input) { id } }';
      const res = await send('POST', '/graphql', {}, { query, variables: { input: { ...SMALL, prompt: `${'('.repeat(80)}kente` } } });
      expect((res.json as { errors: unknown[] }).errors[0]).toMatchObject({ message: expect.stringMatching(/^prompt: attention weights must be between -100 and 100/), extensions: { code: 'INVALID_ARGUMENT', details: { field: 'prompt' } } });
    });

    it('gRPC', async () => {
      const { error } = await generate({ ...SMALL, seed: '1', emphasis: 'none' });
      expect(error?.code).toBe(status.INVALID_ARGUMENT);
      expect(error?.metadata.get('error-field')).toEqual(['emphasis']);
    });
  });

  describe('preview settings are refused on every transport, naming the field', () => {
    it('REST: generations and comparisons', async () => {
      const generation = await send('POST', '/v1/generations', {}, { ...SMALL, preview: 'yes' });
      expect([generation.status, generation.json]).toEqual([400, expect.objectContaining({ code: 'INVALID_ARGUMENT', message: 'preview: must be true or false' })]);
      const comparison = await send('POST', '/v1/comparisons', {}, { prompts: ['red kente dress'], width: 64, height: 64, steps: 2, preview: true, previewInterval: 3 });
      expect(comparison.status).toBe(400);
      expect(comparison.json).toMatchObject({ code: 'INVALID_ARGUMENT', details: { field: 'previewInterval' } });
    });

    it('GraphQL', async () => {
      const query = 'mutation($input: GenerateInput!) { generate(input: $input) { id } }';
      const res = await send('POST', '/graphql', {}, { query, variables: { input: { ...SMALL, previewInterval: 1 } } });
      expect((res.json as { errors: unknown[] }).errors[0]).toMatchObject({ message: expect.stringMatching(/^previewInterval: is for previews/), extensions: { code: 'INVALID_ARGUMENT', details: { field: 'previewInterval' } } });
    });

    it('gRPC', async () => {
      const { error } = await generate({ ...SMALL, seed: '1', preview: true, previewInterval: 0 });
      expect(error?.code).toBe(status.INVALID_ARGUMENT);
      expect(error?.metadata.get('error-field')).toEqual(['previewInterval']);
    });
  });
});

async function until(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

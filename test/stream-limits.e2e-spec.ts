/**
 * The cap on open progress streams per client (AFD_MAX_STREAMS_PER_CLIENT), across SSE, GraphQL
 * subscriptions and gRPC Generate, with API keys (the key is the client) and open (the address is):
 * past the cap a 429 / RESOURCE_EXHAUSTED naming the rule, and a closed stream gives its place back.
 */
import { credentials, Metadata, status, type Client, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createClient, type Client as WsClient } from 'graphql-ws';
import { request as httpRequest, type ClientRequest } from 'node:http';
import WebSocket from 'ws';
import { hashApiKey } from '../src/auth/api-keys';
import { createApp } from '../src/create-app';
import { GrpcServer } from '../src/app/grpc.server';
import { loadProtos } from '../src/transports/grpc/grpc-protos';
import { testAppConfig } from './support/test-app-config';

const ALICE_KEY = 'afd_alice-key-for-streams-0123456789abcdefghijk';
const BOB_KEY = 'afd_bob-key-for-streams-0123456789abcdefghijklmn';
const CAP = 2;
/**
 * Runs far longer than a test (cancelled at its end), on 12 of the pool's 16 in-flight rows, so a
 * small generation still runs beside it.
 */
const LONG = { prompt: 'red kente dress', width: 1024, height: 1024, steps: 150, numImages: 6, seed: 5 };
const SMALL = { prompt: 'blue adire', width: 64, height: 64, steps: 1, seed: 1 };
const RULE = /streams: at most 2 open progress streams per client/;

interface OpenStream {
  readonly status: number;
  readonly body: string;
  close(): void;
}

type Streaming = (request: unknown, metadata: Metadata) => ClientReadableStream<unknown>;

describe.each([
  ['with API keys (the key is the client)', { AFD_ALLOW_OPEN: 'false', AFD_API_KEYS: JSON.stringify({ keys: [{ name: 'alice', tier: 'internal', roles: [], sha256: hashApiKey(ALICE_KEY) }, { name: 'bob', tier: 'internal', roles: [], sha256: hashApiKey(BOB_KEY) }] }) }, ALICE_KEY],
  ['open (the address is the client)', {}, undefined],
] as const)('open progress streams per client, %s', (_mode, env, key) => {
  let app: NestExpressApplication;
  let baseUrl: string;
  let diffusion: Client;
  const clients: WsClient[] = [];
  const headers = (k: string | undefined = key): Record<string, string> => (k ? { authorization: `Bearer ${k}` } : {});

  /** GET …/events: resolves at the response's head (an open stream) or its end (a refusal). */
  const openSse = (id: string): Promise<OpenStream> =>
    new Promise((resolve, reject) => {
      const req: ClientRequest = httpRequest(`${baseUrl}/v1/generations/${id}/events`, { headers: headers(), agent: false }, (res) => {
        const close = (): void => void req.destroy();
        if (res.statusCode === 200) return resolve({ status: 200, body: '', close });
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, close }));
      });
      req.on('error', reject);
      req.end();
    });

  /** Tries until `accepted`: a place is given back asynchronously (the server sees a close on a later turn). */
  const once = async <T>(open: () => Promise<T>, accepted: (value: T) => boolean): Promise<T> => {
    for (let attempt = 0; attempt < 100; attempt++) {
      const value = await open();
      if (accepted(value)) return value;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error('no stream place was given back');
  };
  const openSseOnceFree = (id: string): Promise<OpenStream> => once(() => openSse(id), (s) => s.status === 200);

  const graphqlClient = (): WsClient => {
    const client = createClient({ url: `${baseUrl.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true, connectionParams: headers() });
    clients.push(client);
    return client;
  };

  const firstGraphqlEvent = async (client: WsClient, id: string): Promise<unknown> => {
    try {
      return (await client.iterate({ query: `subscription { generationEvents(id: "${id}") { kind step } }` }).next()).value;
    } catch (errors) {
      return { errors };
    }
  };

  const grpcGenerate = (k: string | undefined = key): Promise<{ messages: unknown[]; error?: ServiceError }> =>
    new Promise((resolve) => {
      const metadata = new Metadata();
      if (k) metadata.set('authorization', `Bearer ${k}`);
      const call = (diffusion as unknown as Record<string, Streaming>)['Generate']!.call(diffusion, SMALL, metadata);
      const messages: unknown[] = [];
      call.on('data', (m: unknown) => messages.push(m));
      call.on('error', (error: ServiceError) => resolve({ messages, error }));
      call.on('end', () => resolve({ messages }));
    });

  const startLong = async (): Promise<string> => {
    const res = await fetch(`${baseUrl}/v1/generations`, { method: 'POST', headers: { 'content-type': 'application/json', prefer: 'respond-async', ...headers() }, body: JSON.stringify(LONG) });
    expect(res.status).toBe(202);
    return ((await res.json()) as { id: string }).id;
  };
  const cancel = (id: string): Promise<Response> => fetch(`${baseUrl}/v1/generations/${id}`, { method: 'DELETE', headers: headers() });

  beforeAll(async () => {
    app = await createApp(testAppConfig({ ...env, AFD_MAX_STREAMS_PER_CLIENT: String(CAP) }));
    await app.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    diffusion = new (loadProtos().diffusion)(`127.0.0.1:${app.get(GrpcServer).port}`, credentials.createInsecure());
  }, 120_000);
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.dispose()));
    diffusion?.close();
    await app?.close();
  });

  it('refuses the stream past the cap on REST (429), GraphQL websocket and gRPC (RESOURCE_EXHAUSTED), naming the rule', async () => {
    const id = await startLong();
    const open = [await openSse(id), await openSse(id)];
    try {
      expect(open.map((s) => s.status)).toEqual([200, 200]);

      const refused = await openSse(id);
      expect(refused.status).toBe(429);
      expect(JSON.parse(refused.body)).toMatchObject({ code: 'RESOURCE_EXHAUSTED', message: expect.stringMatching(RULE), details: { rule: 'open streams per client', limit: CAP } });

      expect(await firstGraphqlEvent(graphqlClient(), id)).toMatchObject({ errors: [{ message: expect.stringMatching(RULE), extensions: { code: 'RESOURCE_EXHAUSTED' } }] });

      const grpc = await grpcGenerate();
      expect(grpc.error?.code).toBe(status.RESOURCE_EXHAUSTED);
      expect(grpc.error?.details).toMatch(RULE);
      expect(grpc.messages).toEqual([]);

      // The cap is per client: another key still streams.
      if (key) expect((await grpcGenerate(BOB_KEY)).error).toBeUndefined();
    } finally {
      for (const s of open) s.close();
      await cancel(id);
    }
  });

  it('gives a place back when a stream closes, on every transport: open up to the cap, close one, open again', async () => {
    const id = await startLong();
    const streams: OpenStream[] = [];
    try {
      streams.push(await openSse(id), await openSse(id));
      expect((await openSse(id)).status).toBe(429);
      // An SSE client that goes away.
      streams.shift()?.close();
      streams.push(await openSseOnceFree(id));
      expect((await openSse(id)).status).toBe(429);

      // A GraphQL subscription holds a place until its client goes away.
      streams.shift()?.close();
      const client = graphqlClient();
      const first = await once(() => firstGraphqlEvent(client, id), (e) => !(e as { errors?: unknown }).errors);
      expect(first).toMatchObject({ data: { generationEvents: { kind: 'PROGRESS' } } });
      expect((await openSse(id)).status).toBe(429);
      await client.dispose();
      streams.push(await openSseOnceFree(id));

      // A finished gRPC Generate gives its place back.
      streams.shift()?.close();
      const generated = await once(() => grpcGenerate(), (g) => g.error?.code !== status.RESOURCE_EXHAUSTED);
      expect(generated.error).toBeUndefined();
      expect(generated.messages.at(-1)).toMatchObject({ result: { images: [expect.anything()] } });
      streams.push(await openSseOnceFree(id));
      expect((await openSse(id)).status).toBe(429);
    } finally {
      for (const s of streams) s.close();
      await cancel(id);
    }
  });
});

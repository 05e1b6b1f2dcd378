/**
 * Webhooks end to end, on the real application and a local receiver: deliveries signed per Standard
 * Webhooks (verified with the `standardwebhooks` library), retries with one webhook-id, a delivery
 * that never succeeds recorded failed, redirects not followed, the deliveries log (REST and GraphQL)
 * and metrics, every transport's `webhook` field, and targets refused by address, with and without a key.
 * The receiver runs on 127.0.0.1, allowed by AFD_WEBHOOK_ALLOWED_HOSTS; every other private address stays refused.
 */
import { credentials, Metadata, status, type Client, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Webhook } from 'standardwebhooks';
import { hashApiKey } from '../src/auth/api-keys';
import { GrpcServer } from '../src/app/grpc.server';
import { createApp } from '../src/create-app';
import { loadProtos } from '../src/transports/grpc/grpc-protos';
import { sendRaw, type RawResponse } from './bad-input-corpus/raw-http';
import { REST_WEBHOOK_CASES } from './bad-input-corpus/webhook-cases';
import { testAppConfig } from './support/test-app-config';
import { waitUntilReady } from './support/wait-until-ready';
import { WebhookReceiver, type ReceivedWebhook } from './support/webhook-receiver';

const KEY = 'afd_webhooks-spec-key-0123456789abcdefghijklmnop';
const SECRET = `whsec_${Buffer.alloc(32, 42).toString('base64')}`;
const DEFAULT_KEY = 'afd_webhooks-spec-default-0123456789abcdefghijk';
const DEFAULT_SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
const NO_SECRET_KEY = 'afd_webhooks-spec-nosecret-0123456789abcdefghij';
const SMALL = { prompt: 'red kente dress', width: 64, height: 64, steps: 1, seed: 1 };
const DEADLINE_MS = 30_000;
const PRIVATE_TARGETS = ['http://10.0.0.7/hook', 'http://169.254.169.254/latest/meta-data/', 'http://[::1]:8080/hook', 'http://[fd00:ec2::254]/', 'http://[::ffff:127.0.0.1]/', 'http://localhost:9/hook', 'http://100.64.1.1/'];

type Unary = (request: unknown, metadata: Metadata, options: { deadline: number }, callback: (error: ServiceError | null, response: unknown) => void) => void;
type Streaming = (request: unknown, metadata: Metadata, options: { deadline: number }) => ClientReadableStream<unknown>;

interface Payload {
  type: string;
  timestamp: string;
  data: { id: string; status: string; images?: Array<{ url: string }>; cells?: Array<{ imageUrl: string }>; gridUrl?: string };
}

function verified(received: ReceivedWebhook, secret = SECRET): Payload {
  const headers = { 'webhook-id': String(received.headers['webhook-id']), 'webhook-timestamp': String(received.headers['webhook-timestamp']), 'webhook-signature': String(received.headers['webhook-signature']) };
  return new Webhook(secret).verify(received.body, headers) as Payload;
}

interface Attempt {
  webhookId: string;
  type: string;
  attempt: number;
  outcome: string;
  statusCode?: number;
  error?: string;
  nextAttemptAt?: string;
  subjectId: string;
}

describe.each([
  ['with API keys', true],
  ['open, no key', false],
] as const)('webhooks (%s)', (_mode, withKeys) => {
  const receiver = new WebhookReceiver();
  let app: NestExpressApplication;
  let port: number;
  let diffusion: Client;

  const send = (method: string, path: string, body?: unknown, key: string | undefined = withKeys ? KEY : undefined): Promise<RawResponse> =>
    sendRaw(port, {
      method,
      path,
      headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : Buffer.from(JSON.stringify(body)),
    });
  const graphql = (query: string, variables: Record<string, unknown> = {}, key?: string) => send('POST', '/graphql', { query, variables }, key ?? (withKeys ? KEY : undefined));
  const metadata = (): Metadata => {
    const m = new Metadata();
    if (withKeys) m.set('authorization', `Bearer ${KEY}`);
    return m;
  };
  const grpcGenerate = (body: unknown): Promise<{ error?: ServiceError; messages: unknown[] }> => {
    const call = ((diffusion as unknown as Record<string, Streaming>)['Generate'] as Streaming).call(diffusion, body, metadata(), { deadline: Date.now() + DEADLINE_MS });
    const messages: unknown[] = [];
    return new Promise((resolve) => {
      call.on('data', (m: unknown) => messages.push(m));
      call.on('error', (error: ServiceError) => resolve({ error, messages }));
      call.on('end', () => resolve({ messages }));
    });
  };
  const grpcCompare = (body: unknown): Promise<{ error?: ServiceError }> =>
    new Promise((resolve) => ((diffusion as unknown as Record<string, Unary>)['Compare'] as Unary).call(diffusion, body, metadata(), { deadline: Date.now() + DEADLINE_MS }, (error) => resolve(error ? { error } : {})));

  const deliveries = async (limit = 100, cursor?: string, key = KEY): Promise<{ items: Attempt[]; nextCursor?: string }> => {
    const res = await send('GET', `/v1/webhooks/deliveries?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`, undefined, key);
    expect(res.status).toBe(200);
    return res.json as { items: Attempt[]; nextCursor?: string };
  };
  const attemptsOf = async (webhookId: string, until: (a: Attempt[]) => boolean): Promise<Attempt[]> => {
    const deadline = Date.now() + DEADLINE_MS;
    for (;;) {
      const items = (await deliveries()).items.filter((a) => a.webhookId === webhookId);
      if (until(items)) return items;
      if (Date.now() > deadline) throw new Error(`attempts of ${webhookId}: ${JSON.stringify(items)}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };

  beforeAll(async () => {
    await receiver.start();
    const keys = {
      keys: [
        { name: 'partner', tier: 'internal', roles: [], sha256: hashApiKey(KEY), webhookSecret: SECRET },
        { name: 'defaulted', tier: 'internal', roles: [], sha256: hashApiKey(DEFAULT_KEY), webhookSecret: DEFAULT_SECRET, webhook: { url: `http://127.0.0.1:${receiver.port}/default`, events: ['succeeded'] } },
        { name: 'unsigned', tier: 'internal', roles: [], sha256: hashApiKey(NO_SECRET_KEY) },
      ],
    };
    app = await createApp(
      testAppConfig({
        ...(withKeys ? { AFD_ALLOW_OPEN: 'false', AFD_API_KEYS: JSON.stringify(keys) } : {}),
        AFD_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
        AFD_WEBHOOK_RETRY_BASE_MS: '40',
        AFD_WEBHOOK_RETRY_MAX_MS: '200',
        AFD_WEBHOOK_MAX_ATTEMPTS: '3',
        AFD_WEBHOOK_TIMEOUT_MS: '3000',
      }),
    );
    await app.listen(0, '127.0.0.1');
    port = (app.getHttpServer().address() as { port: number }).port;
    await waitUntilReady(app);
    diffusion = new (loadProtos().diffusion)(`127.0.0.1:${app.get(GrpcServer).port}`, credentials.createInsecure());
  }, 120_000);

  afterAll(async () => {
    diffusion?.close();
    await app?.close();
    await receiver.close();
  });

  describe('a target the rules refuse is a 400 naming webhook.url, before any work', () => {
    it.each(PRIVATE_TARGETS)('REST generations and comparisons: %s', async (url) => {
      for (const [path, body] of [
        ['/v1/generations', { ...SMALL, webhook: { url } }],
        ['/v1/comparisons', { prompts: ['red kente dress'], width: 64, height: 64, steps: 1, webhook: { url } }],
      ] as const) {
        const res = await send('POST', path, body);
        expect({ path, status: res.status, body: res.json }).toEqual({
          path,
          status: 400,
          body: { code: 'INVALID_ARGUMENT', message: expect.stringMatching(/^webhook\.url: .* address.*only public addresses may receive webhooks/), details: expect.objectContaining({ field: 'webhook.url' }) },
        });
      }
    });

    it('GraphQL generate and compare', async () => {
      for (const query of ['mutation($w: WebhookInput) { generate(input: {prompt: "red kente dress", width: 64, height: 64, steps: 1, webhook: $w}) { id } }', 'mutation($w: WebhookInput) { compare(input: {prompts: ["red kente dress"], width: 64, height: 64, steps: 1, webhook: $w}) { id } }']) {
        const res = await graphql(query, { w: { url: 'http://10.0.0.7/hook' } });
        expect((res.json as { errors: unknown[] }).errors[0]).toMatchObject({ message: expect.stringMatching(/^webhook\.url: 10\.0\.0\.7 is a private address/), extensions: { code: 'INVALID_ARGUMENT', details: { field: 'webhook.url' } } });
      }
    });

    it('gRPC Generate and Compare', async () => {
      const generated = await grpcGenerate({ ...SMALL, seed: '1', webhook: { url: 'http://169.254.169.254/' } });
      expect([generated.error?.code, generated.error?.metadata.get('error-field'), generated.messages]).toEqual([status.INVALID_ARGUMENT, ['webhook.url'], []]);
      const compared = await grpcCompare({ prompts: ['red kente dress'], width: 64, height: 64, steps: 1, webhook: { url: 'http://[::1]/' } });
      expect([compared.error?.code, compared.error?.metadata.get('error-field')]).toEqual([status.INVALID_ARGUMENT, ['webhook.url']]);
    });
  });

  it("answers the corpus' REST webhook cases the same (status, code, field)", async () => {
    // This application allows the receiver's 127.0.0.1 (in any notation); the corpus refuses it.
    const receiverHost = (c: (typeof REST_WEBHOOK_CASES)[number]): boolean => {
      const url = (JSON.parse(c.body?.toString() ?? '{}') as { webhook?: { url?: unknown } }).webhook?.url;
      return typeof url === 'string' && URL.canParse(url) && new URL(url).hostname === '127.0.0.1';
    };
    const cases = REST_WEBHOOK_CASES.filter((c) => !receiverHost(c));
    expect(cases.length).toBeGreaterThan(30);
    for (const c of cases) {
      const res = await sendRaw(port, { method: c.method, path: c.path, headers: { ...c.headers, ...(withKeys ? { authorization: `Bearer ${KEY}` } : {}) }, body: c.body });
      const body = res.json as { code: string; message: string; details: { field?: string } };
      expect({ name: c.name, status: res.status, code: body.code, field: body.details.field, message: c.message?.test(body.message) }).toEqual({ name: c.name, status: c.status, code: c.code, field: c.field, message: true });
    }
  });

  if (!withKeys) {
    it('open mode: a webhook the rules allow is refused naming webhook (no key, no secret to sign with)', async () => {
      const res = await send('POST', '/v1/generations', { ...SMALL, webhook: { url: receiver.script('/open', [200]) } });
      expect([res.status, res.json]).toEqual([400, expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/^webhook: needs an API key/), details: expect.objectContaining({ field: 'webhook' }) })]);
      const generated = await grpcGenerate({ ...SMALL, seed: '1', webhook: { url: receiver.script('/open', [200]) } });
      expect(generated.error?.metadata.get('error-field')).toEqual(['webhook']);
      expect(receiver.at('/open')).toEqual([]);
    });
    return;
  }

  it('delivers started and succeeded, signed: standardwebhooks verifies them, the payload is the JSON view with image URLs', async () => {
    const url = receiver.script('/signed', [200]);
    const res = await send('POST', '/v1/generations', { ...SMALL, webhook: { url, events: ['started', 'succeeded'] } });
    expect(res.status).toBe(201);
    const id = (res.json as { id: string }).id;
    const [first, second] = await receiver.waitFor('/signed', 2);
    const payloads = [verified(first as ReceivedWebhook), verified(second as ReceivedWebhook)];
    expect(payloads.map((p) => p.type).sort()).toEqual(['generation.started', 'generation.succeeded']);
    const succeeded = payloads.find((p) => p.type === 'generation.succeeded') as Payload;
    expect(succeeded.data).toEqual(res.json);
    expect(succeeded.data.images?.[0]?.url).toBe(`/v1/generations/${id}/images/0`);
    expect(received(second).headers['content-type']).toBe('application/json');
    // The library refuses a body that is not the one signed, and another key's secret.
    expect(() => new Webhook(SECRET).verify(`${(second as ReceivedWebhook).body} `, headersOf(second as ReceivedWebhook))).toThrow();
    expect(() => verified(second as ReceivedWebhook, DEFAULT_SECRET)).toThrow();
  });

  it('retries after 500 twice, under one webhook-id, and logs each attempt (newest first)', async () => {
    const url = receiver.script('/flaky', [500, 500, 200]);
    const res = await send('POST', '/v1/generations', { ...SMALL, webhook: { url } });
    const id = (res.json as { id: string }).id;
    const calls = await receiver.waitFor('/flaky', 3);
    expect(new Set(calls.map((c) => c.headers['webhook-id']))).toEqual(new Set([`msg_${id}_succeeded`]));
    for (const call of calls) expect(verified(call).type).toBe('generation.succeeded');
    const attempts = await attemptsOf(`msg_${id}_succeeded`, (a) => a.length === 3);
    expect(attempts.map((a) => [a.attempt, a.outcome, a.statusCode])).toEqual([
      [3, 'delivered', 200],
      [2, 'retrying', 500],
      [1, 'retrying', 500],
    ]);
    expect(attempts[2]?.nextAttemptAt).toEqual(expect.any(String));
  });

  it('a delivery that never succeeds ends recorded failed after the last attempt, and is counted', async () => {
    const url = receiver.script('/down', [503]);
    const res = await send('POST', '/v1/generations', { ...SMALL, webhook: { url } });
    const id = (res.json as { id: string }).id;
    const attempts = await attemptsOf(`msg_${id}_succeeded`, (a) => a.some((x) => x.outcome === 'failed'));
    expect(attempts.map((a) => [a.attempt, a.outcome, a.statusCode])).toEqual([
      [3, 'failed', 503],
      [2, 'retrying', 503],
      [1, 'retrying', 503],
    ]);
    expect(receiver.at('/down')).toHaveLength(3);
    const metrics = await send('GET', '/metrics');
    expect(metrics.text).toMatch(/^afd_webhook_failures_total [1-9]/m);
    expect(metrics.text).toMatch(/^afd_webhook_attempts_total\{outcome="retrying"\} [1-9]/m);
    expect(metrics.text).toMatch(/^afd_webhook_attempt_duration_seconds_count\{result="success"\} [1-9]/m);
  });

  it('does not follow a redirect: the attempt fails and the redirect target is never called', async () => {
    receiver.script('/elsewhere', [200]);
    const url = receiver.script('/redirect', [{ status: 307, headers: { location: `http://127.0.0.1:${receiver.port}/elsewhere` } }]);
    const res = await send('POST', '/v1/generations', { ...SMALL, webhook: { url } });
    const id = (res.json as { id: string }).id;
    const attempts = await attemptsOf(`msg_${id}_succeeded`, (a) => a.some((x) => x.outcome === 'failed'));
    expect(attempts[0]).toMatchObject({ statusCode: 307, error: expect.stringMatching(/redirects are not followed/) });
    expect(receiver.at('/elsewhere')).toEqual([]);
  });

  it('reads a large answer only up to the limit', async () => {
    const url = receiver.script('/chatty', [{ status: 200, body: 'x'.repeat(4 * 1024 * 1024) }]);
    const res = await send('POST', '/v1/generations', { ...SMALL, webhook: { url } });
    const id = (res.json as { id: string }).id;
    const [attempt] = await attemptsOf(`msg_${id}_succeeded`, (a) => a.length === 1);
    expect(attempt).toMatchObject({ outcome: 'delivered', statusCode: 200 });
  });

  it('reports a cancelled generation', async () => {
    const url = receiver.script('/cancelled', [200]);
    const started = await sendRaw(port, {
      method: 'POST',
      path: '/v1/generations',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', prefer: 'respond-async' },
      body: Buffer.from(JSON.stringify({ ...SMALL, steps: 150, width: 512, height: 512, webhook: { url, events: ['cancelled'] } })),
    });
    const id = (started.json as { id: string }).id;
    expect((await send('DELETE', `/v1/generations/${id}`)).status).toBe(202);
    const [call] = await receiver.waitFor('/cancelled', 1);
    expect(verified(call as ReceivedWebhook)).toMatchObject({ type: 'generation.cancelled', data: { id, status: 'cancelled', error: { code: 'CANCELLED' } } });
  });

  it('delivers comparisons, and the webhook of GraphQL and gRPC requests', async () => {
    const url = receiver.script('/transports', [200]);
    const compared = await send('POST', '/v1/comparisons', { prompts: ['red kente dress'], width: 64, height: 64, steps: 1, webhook: { url } });
    expect(compared.status).toBe(201);
    const viaGraphql = await graphql('mutation($w: WebhookInput) { generate(input: {prompt: "red kente dress", width: 64, height: 64, steps: 1, webhook: $w}, wait: true) { id } }', { w: { url, events: ['SUCCEEDED'] } });
    const graphqlId = (viaGraphql.json as { data: { generate: { id: string } } }).data.generate.id;
    const viaGrpc = await grpcGenerate({ ...SMALL, seed: '2', webhook: { url, events: ['succeeded'] } });
    expect(viaGrpc.error).toBeUndefined();
    const grpcId = (viaGrpc.messages.at(-1) as { result: { id: string } }).result.id;
    const calls = await receiver.waitFor('/transports', 3);
    const byType = calls.map((c) => verified(c)).map((p) => [p.type, p.data.id]);
    expect(byType).toEqual(expect.arrayContaining([['comparison.succeeded', (compared.json as { id: string }).id], ['generation.succeeded', graphqlId], ['generation.succeeded', grpcId]]));
    const comparison = calls.map((c) => verified(c)).find((p) => p.type === 'comparison.succeeded') as Payload;
    expect(comparison.data).toEqual(compared.json);
  });

  it("uses the key's default webhook when a request names none, signed with that key's secret", async () => {
    const res = await send('POST', '/v1/generations', SMALL, DEFAULT_KEY);
    const id = (res.json as { id: string }).id;
    const [call] = await receiver.waitFor('/default', 1);
    expect(verified(call as ReceivedWebhook, DEFAULT_SECRET)).toMatchObject({ type: 'generation.succeeded', data: { id } });
    // Each key sees its own deliveries only.
    expect((await deliveries(100, undefined, DEFAULT_KEY)).items.map((a) => a.subjectId)).toEqual([id]);
    expect((await deliveries()).items.map((a) => a.subjectId)).not.toContain(id);
  });

  it('refuses a webhook for a key without a signing secret, naming webhook', async () => {
    const res = await send('POST', '/v1/generations', { ...SMALL, webhook: { url: receiver.script('/unsigned', [200]) } }, NO_SECRET_KEY);
    expect([res.status, res.json]).toEqual([400, expect.objectContaining({ message: expect.stringMatching(/^webhook: client unsigned has no webhook secret/), details: expect.objectContaining({ field: 'webhook' }) })]);
  });

  it('pages the deliveries log with a cursor, on REST and GraphQL alike', async () => {
    const all = (await deliveries()).items;
    expect(all.length).toBeGreaterThan(4);
    const first = await deliveries(2);
    expect(first.items).toEqual(all.slice(0, 2));
    const second = await deliveries(2, first.nextCursor);
    expect(second.items).toEqual(all.slice(2, 4));
    const viaGraphql = await graphql('query($c: String) { webhookDeliveries(limit: 2, cursor: $c) { items { webhookId attempt outcome statusCode } nextCursor } }', { c: first.nextCursor });
    expect((viaGraphql.json as { data: { webhookDeliveries: { items: unknown[] } } }).data.webhookDeliveries.items).toEqual(all.slice(2, 4).map(({ webhookId, attempt, outcome, statusCode }) => ({ webhookId, attempt, outcome: outcome.toUpperCase(), statusCode: statusCode ?? null })));
    for (const query of ['limit=0', 'limit=101', 'cursor=nope']) {
      const res = await send('GET', `/v1/webhooks/deliveries?${query}`);
      expect([res.status, (res.json as { details: { field: string } }).details.field]).toEqual([400, query.split('=')[0]]);
    }
  });
});

function received(value: ReceivedWebhook | undefined): ReceivedWebhook {
  if (!value) throw new Error('no webhook received');
  return value;
}

function headersOf(r: ReceivedWebhook): Record<string, string> {
  return { 'webhook-id': String(r.headers['webhook-id']), 'webhook-timestamp': String(r.headers['webhook-timestamp']), 'webhook-signature': String(r.headers['webhook-signature']) };
}

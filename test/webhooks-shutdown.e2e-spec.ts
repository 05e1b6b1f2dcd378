/**
 * Webhook deliveries at shutdown (local mode), through the application's own shutdown sequence: a
 * delivery retrying when SIGTERM comes is still made (the drain gives deliveries at least one attempt's
 * timeout), and a job the shutdown ends (failed, "server shutting down") has that event delivered
 * before the process would exit.
 */
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Webhook } from 'standardwebhooks';
import { appShutdownSteps } from '../src/app/app-shutdown-steps';
import { hashApiKey } from '../src/auth/api-keys';
import { createApp } from '../src/create-app';
import { installGracefulShutdown } from '../src/observability/shutdown/graceful-shutdown';
import { sendRaw } from './bad-input-corpus/raw-http';
import { testAppConfig } from './support/test-app-config';
import { waitUntilReady } from './support/wait-until-ready';
import { WebhookReceiver, type ReceivedWebhook } from './support/webhook-receiver';

const KEY = 'afd_webhooks-shutdown-key-0123456789abcdefghijklm';
const SECRET = `whsec_${Buffer.alloc(32, 11).toString('base64')}`;
const silent = { log: () => undefined, error: () => undefined, warn: () => undefined };

describe('webhook deliveries at shutdown (in process)', () => {
  const receiver = new WebhookReceiver();
  let app: NestExpressApplication;
  let port: number;

  beforeAll(async () => {
    await receiver.start();
    app = await createApp(
      testAppConfig({
        AFD_ALLOW_OPEN: 'false',
        AFD_API_KEYS: JSON.stringify({ keys: [{ name: 'partner', tier: 'internal', roles: [], sha256: hashApiKey(KEY), webhookSecret: SECRET }] }),
        // Every private address allowed (the other specs allow only the receiver's host).
        AFD_WEBHOOK_ALLOW_PRIVATE: 'true',
        AFD_WEBHOOK_RETRY_BASE_MS: '800',
        AFD_WEBHOOK_RETRY_MAX_MS: '800',
        AFD_WEBHOOK_TIMEOUT_MS: '2000',
      }),
    );
    await app.listen(0, '127.0.0.1');
    port = (app.getHttpServer().address() as { port: number }).port;
    await waitUntilReady(app);
  }, 120_000);
  afterAll(() => receiver.close());

  const post = (body: unknown) =>
    sendRaw(port, {
      method: 'POST',
      path: '/v1/generations',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', prefer: 'respond-async' },
      body: Buffer.from(JSON.stringify(body)),
    });
  const verify = (r: ReceivedWebhook): { type: string; data: { id: string; status: string; error?: { code: string } } } =>
    new Webhook(SECRET).verify(r.body, { 'webhook-id': String(r.headers['webhook-id']), 'webhook-timestamp': String(r.headers['webhook-timestamp']), 'webhook-signature': String(r.headers['webhook-signature']) }) as {
      type: string;
      data: { id: string; status: string; error?: { code: string } };
    };

  it('makes the pending retry and delivers the failures the shutdown causes, then exits 0', async () => {
    const retryUrl = receiver.script('/retry', [500, 200]);
    const endedUrl = receiver.script('/ended', [200]);
    const quick = await post({ prompt: 'red kente dress', width: 64, height: 64, steps: 1, seed: 1, webhook: { url: retryUrl } });
    await receiver.waitFor('/retry', 1);
    // No grace period: whatever runs then fails at once (the demo models are fast enough to finish any job within a short one).
    const long = await post({ prompt: 'blue wax skirt', width: 256, height: 256, steps: 150, seed: 2, webhook: { url: endedUrl, events: ['failed', 'cancelled'] } });
    const exits: number[] = [];
    const shutdown = installGracefulShutdown(app, { graceMs: 0, logger: silent, exit: (code) => exits.push(code), signals: [], steps: appShutdownSteps(app) });
    await shutdown('SIGTERM');
    expect(exits).toEqual([0]);
    const retried = receiver.at('/retry');
    expect(retried.map((r) => r.headers['webhook-id'])).toEqual([`msg_${(quick.json as { id: string }).id}_succeeded`, `msg_${(quick.json as { id: string }).id}_succeeded`]);
    const [ended] = receiver.at('/ended');
    expect(ended && verify(ended)).toMatchObject({ type: 'generation.failed', data: { id: (long.json as { id: string }).id, status: 'failed', error: { code: 'UNAVAILABLE' } } });
  }, 60_000);
});

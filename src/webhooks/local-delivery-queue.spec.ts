/** The in-process queue against a real local receiver: retries, and the shutdown drain within a deadline. */
import { createServer, type Server, type ServerResponse } from 'node:http';
import { Webhook } from 'standardwebhooks';
import type { WebhookSettings } from '../config/webhook-config';
import type { Delivery } from './delivery';
import { DeliveryAttempts } from './delivery-attempts';
import { MemoryDeliveryLog } from './delivery-log';
import { LocalDeliveryQueue } from './local-delivery-queue';

const SECRET = `whsec_${Buffer.alloc(24, 1).toString('base64')}`;
const SETTINGS: WebhookSettings = { timeoutMs: 5000, maxAttempts: 5, retryBaseMs: 30, retryMaxMs: 100, maxResponseBytes: 1024, allowPrivate: false, allowedHosts: ['127.0.0.1'], concurrency: 4, logSize: 50 };

describe('LocalDeliveryQueue', () => {
  let server: Server;
  let port: number;
  const answers: Array<number | 'hold'> = [];
  const received: Array<{ id: string; body: string; verified: boolean }> = [];
  const held: ServerResponse[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        let verified = true;
        try {
          new Webhook(SECRET).verify(body, req.headers as Record<string, string>);
        } catch {
          verified = false;
        }
        received.push({ id: String(req.headers['webhook-id']), body, verified });
        const answer = answers.length > 1 ? answers.shift() : answers[0];
        if (answer === 'hold') held.push(res);
        else res.writeHead(answer ?? 200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    for (const res of held) res.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    answers.length = 0;
    received.length = 0;
  });

  const setup = (settings: WebhookSettings = SETTINGS) => {
    const log = new MemoryDeliveryLog(50);
    const queue = new LocalDeliveryQueue(new DeliveryAttempts(settings, () => SECRET, log), settings.concurrency);
    return { log, queue };
  };
  const delivery = (n: number): Delivery => ({ webhookId: `msg_test_${n}`, clientId: 'acme', url: `http://127.0.0.1:${port}/hook`, type: 'generation.succeeded', subjectId: `gen-${n}`, payload: JSON.stringify({ n }) });

  it('retries a failing receiver under one webhook-id, signed each time; drain waits for it', async () => {
    answers.push(500, 502, 200);
    const { log, queue } = setup();
    await queue.enqueue(delivery(1));
    await queue.drain(Date.now() + 5000);
    expect(received.map((r) => [r.id, r.verified])).toEqual([
      ['msg_test_1', true],
      ['msg_test_1', true],
      ['msg_test_1', true],
    ]);
    expect((await log.recent('acme')).map((a) => [a.attempt, a.outcome, a.statusCode])).toEqual([
      [3, 'delivered', 200],
      [2, 'retrying', 502],
      [1, 'retrying', 500],
    ]);
    expect(queue.size).toBe(0);
  });

  it('queues one event once, however often it is enqueued', async () => {
    answers.push(200);
    const { queue } = setup();
    await Promise.all([queue.enqueue(delivery(2)), queue.enqueue(delivery(2))]);
    await queue.drain(Date.now() + 5000);
    expect(received).toHaveLength(1);
  });

  it('at shutdown, records failed a retry due after the deadline, without waiting for it', async () => {
    answers.push(500);
    const { log, queue } = setup({ ...SETTINGS, retryBaseMs: 60_000, retryMaxMs: 60_000 });
    await queue.enqueue(delivery(3));
    await waitUntil(async () => (await log.recent('acme')).length === 1);
    const started = Date.now();
    await queue.drain(Date.now() + 1000);
    expect(Date.now() - started).toBeLessThan(500);
    expect((await log.recent('acme')).map((a) => [a.attempt, a.outcome, a.error])).toEqual([
      [2, 'failed', 'the server shut down before this attempt was due'],
      [1, 'retrying', 'answered 500'],
    ]);
    expect(queue.size).toBe(0);
  });

  it('at shutdown, records failed an attempt still unanswered at the deadline', async () => {
    answers.push('hold');
    const { log, queue } = setup();
    await queue.enqueue(delivery(4));
    await waitUntil(async () => received.length === 1);
    const started = Date.now();
    await queue.drain(Date.now() + 300);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect((await log.recent('acme'))[0]).toMatchObject({ attempt: 1, outcome: 'failed', error: 'the server shut down before this attempt finished' });
    await queue.close();
  });

  it('holds at most `concurrency` attempts in flight; the next waits for a free slot', async () => {
    answers.push('hold', 200);
    const { log, queue } = setup({ ...SETTINGS, concurrency: 1 });
    await queue.enqueue(delivery(6));
    await queue.enqueue(delivery(7));
    await waitUntil(() => received.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(received.map((r) => r.id)).toEqual(['msg_test_6']);
    await queue.drain(Date.now() + 200);
    expect((await log.recent('acme')).map((a) => [a.webhookId, a.outcome, a.error])).toEqual([
      ['msg_test_7', 'failed', 'the server shut down before this attempt was made'],
      ['msg_test_6', 'failed', 'the server shut down before this attempt finished'],
    ]);
    await queue.close();
  });

  it('makes no attempt to an address the rules refuse, and records why', async () => {
    const { log, queue } = setup({ ...SETTINGS, allowedHosts: [] });
    await queue.enqueue(delivery(5));
    await queue.drain(Date.now() + 5000);
    expect(received).toEqual([]);
    expect((await log.recent('acme'))[0]).toMatchObject({ attempt: 1, outcome: 'failed', error: expect.stringMatching(/^refused: 127\.0\.0\.1 is a loopback address/) });
  });
});

async function waitUntil(condition: () => Promise<boolean> | boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

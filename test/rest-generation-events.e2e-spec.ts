/** REST end to end: server-sent progress events and Idempotency-Key on POST /v1/generations. */
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { testAppConfig } from './support/test-app-config';
import { createApp } from '../src/create-app';

interface SseEvent {
  readonly event: string;
  readonly data: Record<string, unknown>;
}

function parseSse(text: string): SseEvent[] {
  return text
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const lines = block.split('\n');
      const event = lines.find((l) => l.startsWith('event: '))?.slice(7) ?? 'message';
      const data = lines.filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
      return { event, data: JSON.parse(data) as Record<string, unknown> };
    });
}

describe('REST /v1/generations: events and idempotency', () => {
  let app: NestExpressApplication;
  const http = () => request(app.getHttpServer());
  const events = async (id: string): Promise<{ type: string; events: SseEvent[] }> => {
    const res = await http()
      .get(`/v1/generations/${id}/events`)
      .buffer(true)
      .parse((response, done) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => done(null, text));
      })
      .expect(200);
    return { type: res.headers['content-type'] as string, events: parseSse(res.body as string) };
  };

  beforeAll(async () => {
    app = await createApp(testAppConfig());
    await app.init();
  }, 120_000);
  afterAll(() => app.close());

  it('streams the current state, a progress event per step and a final done event, subscribed after the job started', async () => {
    const started = await http().post('/v1/generations').set('Prefer', 'respond-async').send({ prompt: 'a red kente dress', width: 128, height: 128, steps: 40, seed: 3, scheduler: 'euler-a' }).expect(202);
    const id = started.body.id as string;
    let seen = 0;
    for (let i = 0; i < 400 && seen === 0; i++) {
      await new Promise((r) => setTimeout(r, 10));
      seen = (await http().get(`/v1/generations/${id}`).expect(200)).body.progress.step as number;
    }
    const { type, events: stream } = await events(id);
    expect(type).toMatch(/^text\/event-stream/);
    const progress = stream.filter((e) => e.event === 'progress').map((e) => e.data);
    expect(stream.at(-1)).toEqual({ event: 'done', data: { status: 'succeeded', step: 40, totalSteps: 40 } });
    expect(stream.filter((e) => e.event === 'done')).toHaveLength(1);
    // The first event is the state at subscription time, not step 1.
    expect(progress[0]?.['step']).toBeGreaterThanOrEqual(seen);
    const steps = progress.map((p) => p['step'] as number);
    expect(steps.at(-1)).toBe(40);
    for (let i = 1; i < steps.length; i++) expect(steps[i]).toBeGreaterThan(steps[i - 1] as number);
    for (const p of progress) expect(p).toMatchObject({ totalSteps: 40, etaMs: expect.any(Number) });

    // Subscribed after it ended: the final state and done at once.
    const late = await events(id);
    expect(late.events).toEqual([
      { event: 'progress', data: { step: 40, totalSteps: 40, etaMs: 0, status: 'succeeded' } },
      { event: 'done', data: { status: 'succeeded', step: 40, totalSteps: 40 } },
    ]);
    await http().get('/v1/generations/nope/events').expect(404);
  });

  it('returns the same generation for the same Idempotency-Key and body, and 409 for another body', async () => {
    const body = { prompt: 'blue adire', width: 64, height: 64, steps: 3, seed: 9 };
    const a = await http().post('/v1/generations').set('Idempotency-Key', 'order-1').send(body).expect(201);
    const b = await http().post('/v1/generations').set('Idempotency-Key', 'order-1').send({ seed: 9, steps: 3, height: 64, width: 64, prompt: 'blue adire' }).expect(201);
    expect(b.body.id).toBe(a.body.id);
    const asyncReplay = await http().post('/v1/generations').set('Idempotency-Key', 'order-1').set('Prefer', 'respond-async').send(body).expect(202);
    expect(asyncReplay.body.id).toBe(a.body.id);

    const conflict = await http().post('/v1/generations').set('Idempotency-Key', 'order-1').send({ ...body, seed: 10 }).expect(409);
    expect(conflict.body).toMatchObject({ code: 'CONFLICT', details: { field: 'Idempotency-Key' } });
    expect(conflict.body.message).toMatch(/^Idempotency-Key: /);

    const other = await http().post('/v1/generations').set('Idempotency-Key', 'order-2').send(body).expect(201);
    expect(other.body.id).not.toBe(a.body.id);
    const none = await http().post('/v1/generations').send(body).expect(201);
    expect(none.body.id).not.toBe(a.body.id);

    // Concurrent first uses of one key start one generation.
    const [c, d] = await Promise.all([0, 1].map(() => http().post('/v1/generations').set('Idempotency-Key', 'order-3').send(body).expect(201)));
    expect(c?.body.id).toBe(d?.body.id);

    const bad = await http().post('/v1/generations').set('Idempotency-Key', 'x'.repeat(300)).send(body).expect(400);
    expect(bad.body.details).toMatchObject({ field: 'Idempotency-Key' });
  });
});

/** REST end to end: the real application on the embedded demo release, no mock of engine or pool. */
import type { NestExpressApplication } from '@nestjs/platform-express';
import sharp from 'sharp';
import request from 'supertest';
import { testAppConfig } from './support/test-app-config';
import { createApp } from '../src/create-app';
import { readPngTextChunks } from '../src/engine/image/png-text-chunk';

describe('REST /v1', () => {
  let app: NestExpressApplication;
  const http = () => request(app.getHttpServer());
  const small = { width: 128, height: 128, steps: 12, seed: 5, scheduler: 'euler-a' };

  beforeAll(async () => {
    app = await createApp(testAppConfig({ AFD_BODY_LIMIT_KB: '16' }));
    await app.init();
  }, 120_000);
  afterAll(() => app.close());

  it('lists the demo release: a baseline and five fine-tuned checkpoints, final by default', async () => {
    const res = await http().get('/v1/checkpoints').expect(200);
    expect(res.body.checkpoints.map((c: { id: string; trainingStep: number }) => [c.id, c.trainingStep])).toEqual([
      ['baseline', 0],
      ['checkpoint-20000', 20000],
      ['checkpoint-40000', 40000],
      ['checkpoint-60000', 60000],
      ['checkpoint-80000', 80000],
      ['final', 100000],
    ]);
    expect(res.body.checkpoints.filter((c: { default: boolean }) => c.default).map((c: { id: string }) => c.id)).toEqual(['final']);
    await http().get('/v1/checkpoints/nope').expect(404);
  });

  it('generates synchronously, with images as URLs that serve a PNG carrying its parameters', async () => {
    const res = await http().post('/v1/generations').send({ prompt: 'red kente dress', ...small }).expect(201);
    expect(res.headers['location']).toBe(`/v1/generations/${res.body.id}`);
    expect(res.body).toMatchObject({ status: 'succeeded', checkpoint: 'final', progress: { step: 12, totalSteps: 12 } });
    const image = await http().get(res.body.images[0].url).expect(200).expect('Content-Type', /image\/png/);
    expect((await sharp(image.body).metadata()).width).toBe(128);
    expect(readPngTextChunks(image.body).get('parameters')).toMatch(/^red kente dress\nSteps: 12, Sampler: Euler a, CFG scale: 7.5, Seed: 5, Size: 128x128, Model hash: [0-9a-f]{10}, Model: final/);
  });

  it('answers raw image bytes for Accept: image/png, identical for the same request', async () => {
    const body = { prompt: 'robe en wax bleu', checkpoint: 'checkpoint-40000', ...small };
    const a = await http().post('/v1/generations').set('Accept', 'image/png').send(body).expect(200);
    const b = await http().post('/v1/generations').set('Accept', 'image/png').send(body).expect(200).expect('Content-Type', 'image/png');
    expect(Buffer.isBuffer(a.body) && Buffer.isBuffer(b.body)).toBe(true);
    expect((await sharp(a.body).metadata()).format).toBe('png');
    expect(Buffer.compare(a.body, b.body)).toBe(0);
  });

  it('runs asynchronously with Prefer: respond-async, then reports the result', async () => {
    const res = await http().post('/v1/generations').set('Prefer', 'respond-async').send({ prompt: 'blue adire', ...small, numImages: 2 }).expect(202);
    expect(res.headers['location']).toBe(`/v1/generations/${res.body.id}`);
    let status = res.body.status;
    let view = res.body;
    for (let i = 0; i < 200 && (status === 'queued' || status === 'running'); i++) {
      await new Promise((r) => setTimeout(r, 50));
      view = (await http().get(res.headers['location'] as string).expect(200)).body;
      status = view.status;
    }
    expect(view.images.map((i: { seed: string }) => i.seed)).toEqual(['5', '6']);
    await http().get(`/v1/generations/${res.body.id}/images/7`).expect(404);
  });

  it.each([
    [{ width: 128 }, 'prompt', /^prompt: is required/],
    [{ prompt: 'x', width: 100 }, 'width', /multiple of 8/],
    [{ prompt: 'x', steps: 'many' }, 'steps', /finite number/],
    [{ prompt: 'x', scheduler: 'DPM adaptive' }, 'scheduler', /must be one of/],
    [{ prompt: 'x', seed: -1 }, 'seed', /seed/],
    [{ prompt: 'x', outputFormat: 'gif' }, 'outputFormat', /png, jpeg, webp/],
    [{ prompt: 'x', quality: 0 }, 'quality', /1 to 100/],
  ])('rejects %j with 400 naming %s', async (body, field, message) => {
    const res = await http().post('/v1/generations').send(body).expect(400);
    expect(res.body).toMatchObject({ code: 'INVALID_ARGUMENT', details: { field } });
    expect(res.body.message).toMatch(message);
  });

  it('rejects malformed JSON, oversized bodies, unknown checkpoints and ids cleanly', async () => {
    const bad = await http().post('/v1/generations').set('Content-Type', 'application/json').send('{bad').expect(400);
    expect(bad.body).toMatchObject({ code: 'INVALID_ARGUMENT', details: { field: 'body' } });
    const big = await http().post('/v1/generations').send({ prompt: 'x'.repeat(20_000) }).expect(413);
    expect(big.body.message).toMatch(/^body: is larger than the server accepts/);
    await http().post('/v1/generations').send({ prompt: 'x', checkpoint: 'v9' }).expect(404);
    await http().get('/v1/generations/does-not-exist').expect(404);
  });

  it('serves the OpenAPI document at /docs', async () => {
    await http().get('/docs-json').expect(200).expect((res) => expect(Object.keys(res.body.paths)).toContain('/v1/generations'));
  });
});

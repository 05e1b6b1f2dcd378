/** REST /v1/comparisons end to end: prompts × checkpoints through the real pool, cells and a labelled grid. */
import type { NestExpressApplication } from '@nestjs/platform-express';
import sharp from 'sharp';
import request from 'supertest';
import { loadAppConfig } from '../src/config/app-config';
import { createApp } from '../src/create-app';
import { readPngTextChunks } from '../src/engine/image/png-text-chunk';

describe('REST /v1/comparisons', () => {
  let app: NestExpressApplication;
  const http = () => request(app.getHttpServer());
  const small = { width: 64, height: 64, steps: 4, scheduler: 'euler-a' };

  beforeAll(async () => {
    app = await createApp(loadAppConfig({ GRPC_PORT: '0', AFD_LOG_LEVEL: 'warn' }));
    await app.init();
  }, 120_000);
  afterAll(() => app.close());

  it('runs every prompt on every checkpoint with one seed and serves the cells and the grid', async () => {
    const prompts = ['a red kente dress', 'robe en wax bleu'];
    const checkpoints = ['baseline', 'checkpoint-40000', 'final'];
    const res = await http().post('/v1/comparisons').send({ prompts, checkpoints, seed: 11, ...small }).expect(201);
    expect(res.headers['location']).toBe(`/v1/comparisons/${res.body.id}`);
    expect(res.body.seed).toBe('11');
    expect(res.body.cells.map((c: { prompt: string; checkpoint: string; trainingStep: number }) => [c.prompt, c.checkpoint, c.trainingStep])).toEqual([
      [prompts[0], 'baseline', 0],
      [prompts[0], 'checkpoint-40000', 40000],
      [prompts[0], 'final', 100000],
      [prompts[1], 'baseline', 0],
      [prompts[1], 'checkpoint-40000', 40000],
      [prompts[1], 'final', 100000],
    ]);

    const cells: Buffer[] = [];
    for (const cell of res.body.cells as Array<{ imageUrl: string; checkpoint: string }>) {
      const image = await http().get(cell.imageUrl).expect(200).expect('Content-Type', 'image/png');
      const meta = await sharp(image.body).metadata();
      expect([meta.width, meta.height]).toEqual([64, 64]);
      // Every cell carries the same seed in its parameters.
      expect(readPngTextChunks(image.body).get('parameters')).toMatch(new RegExp(`Seed: 11, Size: 64x64, .*Model: ${cell.checkpoint}`));
      cells.push(image.body as Buffer);
    }
    // Same seed, different fine-tuned UNets: the checkpoints differ on a prompt.
    expect(Buffer.compare(cells[0] as Buffer, cells[2] as Buffer)).not.toBe(0);

    const grid = await http().get(res.body.gridUrl).expect(200).expect('Content-Type', 'image/png');
    const meta = await sharp(grid.body).metadata();
    // comparison-grid.ts: row titles (180 px) + columns × (cell + gap) + gap; header (48 px) + rows × (cell + gap) + gap.
    expect([meta.width, meta.height]).toEqual([180 + 3 * (64 + 8) + 8, 48 + 2 * (64 + 8) + 8]);

    await http().get(`/v1/comparisons/${res.body.id}`).expect(200).expect((r) => expect(r.body.gridUrl).toBe(res.body.gridUrl));
    await http().get(`/v1/comparisons/${res.body.id}/cells/2/0`).expect(404);
    await http().get(`/v1/comparisons/${res.body.id}/cells/0/x`).expect(404);
    await http().get('/v1/comparisons/nope/grid').expect(404);
  });

  it('takes a single prompt, every checkpoint in registry order by default, and a random seed shared by all cells', async () => {
    const res = await http().post('/v1/comparisons').send({ prompt: 'blue adire headwrap', ...small, steps: 2 }).expect(201);
    expect(res.body.seed).toMatch(/^\d+$/);
    expect(res.body.cells.map((c: { checkpoint: string }) => c.checkpoint)).toEqual(['baseline', 'checkpoint-20000', 'checkpoint-40000', 'checkpoint-60000', 'checkpoint-80000', 'final']);
    for (const cell of res.body.cells as Array<{ imageUrl: string }>) {
      const image = await http().get(cell.imageUrl).expect(200);
      expect(readPngTextChunks(image.body).get('parameters')).toContain(`Seed: ${res.body.seed},`);
    }
    const grid = await sharp((await http().get(res.body.gridUrl).expect(200)).body).metadata();
    expect([grid.width, grid.height]).toEqual([180 + 6 * (64 + 8) + 8, 48 + 1 * (64 + 8) + 8]);
  });

  it.each([
    [{ prompts: [] }, 400, 'prompts', /got none/],
    [{ prompts: ['a', 'b', 'c', 'd', 'e'] }, 400, 'prompts', /1 to 4/],
    [{ prompts: ['a', ''] }, 400, 'prompts', /prompts\[1\]/],
    [{}, 400, 'prompts', /required/],
    [{ prompt: 'a', prompts: ['b'] }, 400, 'prompts', /not both/],
    [{ prompt: 'a', checkpoints: ['final', 'v9'] }, 404, 'checkpoints', /"v9" does not exist/],
    [{ prompt: 'a', checkpoints: [] }, 400, 'checkpoints', /non-empty/],
    [{ prompt: 'a', checkpoints: ['final', 'final'] }, 400, 'checkpoints', /repeat/],
    [{ prompt: 'a', width: 100 }, 400, 'width', /multiple of 8/],
    [{ prompt: 'a', numImages: 2 }, 400, 'numImages', /not a comparison field/],
  ])('rejects %j with %i naming %s', async (body, status, field, message) => {
    const res = await http().post('/v1/comparisons').send(body).expect(status);
    expect(res.body.details).toMatchObject({ field });
    expect(res.body.message).toMatch(message);
  });
});

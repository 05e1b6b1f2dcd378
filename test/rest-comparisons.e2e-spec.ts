/** REST /v1/comparisons end to end: prompts × checkpoints through the real pool, cells and a labelled grid. */
import type { NestExpressApplication } from '@nestjs/platform-express';
import sharp from 'sharp';
import request from 'supertest';
import { createApp } from '../src/create-app';
import { readPngTextChunks } from '../src/engine/image/png-text-chunk';
import { testAppConfig } from './support/test-app-config';

describe('REST /v1/comparisons', () => {
  let app: NestExpressApplication;
  const http = () => request(app.getHttpServer());
  const small = { width: 64, height: 64, steps: 4, scheduler: 'euler-a' };

  beforeAll(async () => {
    app = await createApp(testAppConfig());
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

  describe('with a reference image', () => {
    const blue = (format: 'png' | 'jpeg' | 'webp' | 'gif', width = 100, height = 50): Promise<Buffer> =>
      sharp({ create: { width, height, channels: 3, background: { r: 0, g: 0, b: 255 } } })
        .toFormat(format)
        .toBuffer();
    /** The grid's pixel (RGB) at the centre of a cell; column 0 is the reference. */
    const gridPixel = async (grid: Buffer, row: number, column: number): Promise<number[]> => {
      const { data, info } = await sharp(grid).raw().toBuffer({ resolveWithObject: true });
      const offset = ((48 + row * (64 + 8) + 32) * info.width + 180 + 8 + column * (64 + 8) + 32) * info.channels;
      return [...data.subarray(offset, offset + 3)];
    };
    const near = (actual: number[], expected: number[]): void => actual.forEach((v, i) => expect(Math.abs(v - (expected[i] as number))).toBeLessThan(16));

    it('takes it as base64 in JSON (a data URL) and shows it as the grid\'s first column in every row', async () => {
      const png = await blue('png');
      const prompts = ['a red kente dress', 'robe en wax bleu'];
      const res = await http()
        .post('/v1/comparisons')
        .send({ prompts, checkpoints: ['baseline', 'final'], seed: 5, ...small, steps: 2, referenceImage: `data:image/png;base64,${png.toString('base64')}` })
        .expect(201);
      expect(res.body.hasReference).toBe(true);
      // The cells are the checkpoints' images only, their columns numbered from 0 as without a reference.
      expect(res.body.cells.map((c: { row: number; column: number; checkpoint: string }) => [c.row, c.column, c.checkpoint])).toEqual([
        [0, 0, 'baseline'],
        [0, 1, 'final'],
        [1, 0, 'baseline'],
        [1, 1, 'final'],
      ]);
      await http().get(`/v1/comparisons/${res.body.id}/cells/0/2`).expect(404);
      expect((await http().get(`/v1/comparisons/${res.body.id}`).expect(200)).body.hasReference).toBe(true);

      const grid = (await http().get(res.body.gridUrl).expect(200)).body as Buffer;
      const meta = await sharp(grid).metadata();
      expect([meta.width, meta.height]).toEqual([180 + 3 * (64 + 8) + 8, 48 + 2 * (64 + 8) + 8]);
      near(await gridPixel(grid, 0, 0), [0, 0, 255]);
      near(await gridPixel(grid, 1, 0), [0, 0, 255]);
      // The checkpoints' images follow the reference: grid column 1 is cell column 0.
      const cell = (await http().get(`/v1/comparisons/${res.body.id}/cells/1/0`).expect(200)).body as Buffer;
      const { data } = await sharp(cell).raw().toBuffer({ resolveWithObject: true });
      expect(await gridPixel(grid, 1, 1)).toEqual([...data.subarray((32 * 64 + 32) * 3, (32 * 64 + 32) * 3 + 3)]);
    });

    it('takes it as a multipart file, with the comparison as JSON in the request part', async () => {
      const jpeg = await blue('jpeg', 300, 400);
      const res = await http()
        .post('/v1/comparisons')
        .field('request', JSON.stringify({ prompt: 'blue adire headwrap', checkpoints: ['checkpoint-20000'], seed: 8, ...small, steps: 2 }))
        .attach('referenceImage', jpeg, { filename: 'reference.jpg', contentType: 'image/jpeg' })
        .expect(201);
      expect(res.body).toMatchObject({ seed: '8', hasReference: true });
      expect(res.body.cells).toHaveLength(1);
      const grid = (await http().get(res.body.gridUrl).expect(200)).body as Buffer;
      expect((await sharp(grid).metadata()).width).toBe(180 + 2 * (64 + 8) + 8);
      near(await gridPixel(grid, 0, 0), [0, 0, 255]);

      // Without a file, multipart works too; a JSON body without the field has no reference column.
      const plain = await http().post('/v1/comparisons').field('request', JSON.stringify({ prompt: 'gold earrings', checkpoints: ['final'], ...small, steps: 2 })).expect(201);
      expect(plain.body.hasReference).toBe(false);
      expect((await sharp((await http().get(plain.body.gridUrl).expect(200)).body).metadata()).width).toBe(180 + 1 * (64 + 8) + 8);
    });

    const json = (referenceImage: unknown) => ({ prompt: 'a', checkpoints: ['final'], ...small, steps: 2, referenceImage });
    it.each<[string, () => Promise<object>, number, string, string, RegExp]>([
      ['a GIF', async () => json((await blue('gif')).toString('base64')), 400, 'INVALID_ARGUMENT', 'referenceImage', /^referenceImage: must be a PNG, JPEG or WebP image, got GIF/],
      ['an SVG', async () => json(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"/>').toString('base64')), 400, 'INVALID_ARGUMENT', 'referenceImage', /got SVG/],
      ['an SVG data URL', async () => json('data:image/svg+xml;base64,PHN2Zy8+'), 400, 'INVALID_ARGUMENT', 'referenceImage', /the data URL says image\/svg\+xml/],
      ['garbage bytes', async () => json(Buffer.from('not an image at all').toString('base64')), 400, 'INVALID_ARGUMENT', 'referenceImage', /got unrecognised data/],
      ['text that is not base64', async () => json('%%%not base64%%%'), 400, 'INVALID_ARGUMENT', 'referenceImage', /must be base64-encoded/],
      ['a number', async () => json(42), 400, 'INVALID_ARGUMENT', 'referenceImage', /must be a base64 string/],
      ['an image over 4096 × 4096 pixels', async () => json((await sharp({ create: { width: 4100, height: 4100, channels: 3, background: '#fff' } }).png({ compressionLevel: 9 }).toBuffer()).toString('base64')), 413, 'TOO_LARGE', 'referenceImage', /at most 16,777,216 pixels/],
      ['a JSON body over the body limit', async () => json(Buffer.alloc(300 * 1024).toString('base64')), 413, 'TOO_LARGE', 'body', /larger than the server accepts/],
    ])('refuses %s in JSON', async (_name, body, status, code, field, message) => {
      const res = await http().post('/v1/comparisons').send(await body()).expect(status);
      expect(res.body).toMatchObject({ code, details: { field } });
      expect(res.body.message).toMatch(message);
    });

    const requestPart = JSON.stringify({ prompt: 'a', checkpoints: ['final'], ...small, steps: 2 });
    const files: { png?: Buffer; gif?: Buffer } = {};
    beforeAll(async () => {
      files.png = await blue('png');
      files.gif = await blue('gif');
    });
    it.each<[string, (r: request.Test) => request.Test, number, string, string, RegExp]>([
      ['a GIF file', (r) => r.field('request', requestPart).attach('referenceImage', files.gif!, 'reference.gif'), 400, 'INVALID_ARGUMENT', 'referenceImage', /got GIF/],
      ['an SVG file that claims to be a PNG', (r) => r.field('request', requestPart).attach('referenceImage', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), { filename: 'x.png', contentType: 'image/png' }), 400, 'INVALID_ARGUMENT', 'referenceImage', /got SVG/],
      ['a file over 8 MiB', (r) => r.field('request', requestPart).attach('referenceImage', Buffer.alloc(8 * 1024 * 1024 + 1), 'big.png'), 413, 'TOO_LARGE', 'referenceImage', /^referenceImage: must be at most 8 MiB/],
      ['no request part', (r) => r.attach('referenceImage', files.png!, 'reference.png'), 400, 'INVALID_ARGUMENT', 'request', /is required in a multipart body/],
      ['a request part that is not JSON', (r) => r.field('request', '{prompts:'), 400, 'INVALID_ARGUMENT', 'request', /must be the comparison as a JSON object/],
      ['a file under another name', (r) => r.field('request', requestPart).attach('image', files.png!, 'reference.png'), 400, 'INVALID_ARGUMENT', 'image', /the file parts are referenceImage and initImage/],
      ['two files', (r) => r.field('request', requestPart).attach('referenceImage', files.png!, 'a.png').attach('referenceImage', files.png!, 'b.png'), 400, 'INVALID_ARGUMENT', 'referenceImage', /at most one file/],
      ['individual fields instead of the request part', (r) => r.field('prompt', 'a'), 400, 'INVALID_ARGUMENT', 'prompt', /is not a part of a multipart comparison/],
      ['the image as a text part', (r) => r.field('request', requestPart).field('referenceImage', files.png!.toString('latin1')), 400, 'INVALID_ARGUMENT', 'referenceImage', /must be a file part/],
      ['too many parts', (r) => r.field('request', requestPart).field('a', '1').field('b', '2').field('c', '3'), 400, 'INVALID_ARGUMENT', 'body', /a request part .* file parts \(referenceImage, initImage\)/],
    ])('refuses multipart with %s', async (_name, build, status, code, field, message) => {
      const res = await build(http().post('/v1/comparisons')).expect(status);
      expect(res.body).toMatchObject({ code, details: { field } });
      expect(res.body.message).toMatch(message);
    });
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

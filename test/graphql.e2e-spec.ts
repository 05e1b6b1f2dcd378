/** GraphQL end to end: the real application on the demo release, over HTTP (supertest) and graphql-ws. */
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createClient, type Client } from 'graphql-ws';
import sharp from 'sharp';
import request from 'supertest';
import WebSocket from 'ws';
import { testAppConfig } from './support/test-app-config';
import { createApp } from '../src/create-app';

interface GqlError {
  message: string;
  extensions: { code: string; details: Record<string, unknown> };
}
/** Response data is read loosely: the assertions check its shape. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = Record<string, any>;
interface GqlResponse<T = Loose> {
  data?: T | null;
  errors?: GqlError[];
}

describe('GraphQL /graphql', () => {
  let app: NestExpressApplication;
  let wsUrl: string;
  const small = { width: 128, height: 128, steps: 10, seed: 11, scheduler: 'EULER_A' };

  const gql = async <T = Loose>(query: string, variables?: Record<string, unknown>): Promise<{ status: number; body: GqlResponse<T> }> => {
    const res = await request(app.getHttpServer()).post('/graphql').send({ query, variables });
    return { status: res.status, body: res.body as GqlResponse<T> };
  };

  beforeAll(async () => {
    app = await createApp(testAppConfig({ AFD_GRAPHQL_MAX_DEPTH: '3', AFD_GRAPHQL_MAX_COMPLEXITY: '300' }));
    await app.listen(0, '127.0.0.1');
    const address = app.getHttpServer().address() as { port: number };
    wsUrl = `ws://127.0.0.1:${address.port}/graphql`;
  }, 120_000);
  afterAll(() => app.close());

  function wsClient(): Client {
    return createClient({ url: wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true });
  }

  it('lists checkpoints and reads one', async () => {
    const { body } = await gql('{ checkpoints { id label trainingStep isDefault baseModel bytes measuredBytes } checkpoint(id: "checkpoint-20000") { id trainingStep } }');
    expect(body.errors).toBeUndefined();
    expect(body.data?.['checkpoints'].map((c: { id: string }) => c.id)).toEqual(['baseline', 'checkpoint-20000', 'checkpoint-40000', 'checkpoint-60000', 'checkpoint-80000', 'final']);
    expect(body.data?.['checkpoints'].find((c: { isDefault: boolean }) => c.isDefault).id).toBe('final');
    // Pinned, so loaded at start: its resident cost was measured then (at least its files).
    const final = body.data?.['checkpoints'].find((c: { id: string }) => c.id === 'final') as { bytes: number; measuredBytes: number | null };
    expect(final.measuredBytes).toBeGreaterThanOrEqual(final.bytes);
    expect(body.data?.['checkpoint']).toEqual({ id: 'checkpoint-20000', trainingStep: 20000 });
  });

  it('generates and waits, with image URLs by default and base64 when asked', async () => {
    const { body } = await gql(
      `mutation($input: GenerateInput!) { generate(input: $input, wait: true) { id status checkpoint progress { step totalSteps } images { index seed mimeType url base64 } } }`,
      { input: { prompt: 'red kente dress', ...small, checkpoint: 'checkpoint-60000' } },
    );
    expect(body.errors).toBeUndefined();
    const generation = body.data?.['generate'];
    expect(generation).toMatchObject({ status: 'SUCCEEDED', checkpoint: 'checkpoint-60000', progress: { step: 10, totalSteps: 10 } });
    expect(generation.images[0]).toMatchObject({ index: 0, seed: '11', mimeType: 'image/png', url: `/v1/generations/${generation.id}/images/0` });
    const png = Buffer.from(generation.images[0].base64, 'base64');
    expect((await sharp(png).metadata()).width).toBe(128);
    const rest = await request(app.getHttpServer()).get(generation.images[0].url).expect(200);
    expect(Buffer.compare(rest.body as Buffer, png)).toBe(0);
  });

  it('generates from fashion attributes and accepts a 64-bit seed as a string', async () => {
    const { body } = await gql(`mutation($input: GenerateInput!) { generate(input: $input, wait: true) { status images { seed } } }`, {
      input: { ...small, seed: '18446744073709551615', attributes: { garment: 'robe', fabrics: ['wax'], colours: ['bleu'], gender: 'femme' } },
    });
    expect(body.errors).toBeUndefined();
    expect(body.data?.['generate']).toEqual({ status: 'SUCCEEDED', images: [{ seed: '18446744073709551615' }] });
  });

  it('streams progress over graphql-ws: one event per step, then DONE; then the generation holds its image', async () => {
    const started = await gql(`mutation($input: GenerateInput!) { generate(input: $input) { id status } }`, { input: { prompt: 'blue adire wrapper', ...small, steps: 40, width: 256, height: 256 } });
    const id = started.body.data?.['generate'].id as string;
    expect(['QUEUED', 'RUNNING']).toContain(started.body.data?.['generate'].status);
    const client = wsClient();
    const events: Array<{ kind: string; step: number; totalSteps: number; status: string }> = [];
    try {
      const subscription = client.iterate<{ generationEvents: (typeof events)[number] }>({ query: `subscription($id: ID!) { generationEvents(id: $id) { kind step totalSteps status } }`, variables: { id } });
      for await (const message of subscription) {
        expect(message.errors).toBeUndefined();
        events.push(message.data!.generationEvents);
      }
    } finally {
      await client.dispose();
    }
    const last = events[events.length - 1]!;
    expect(last).toEqual({ kind: 'DONE', step: 40, totalSteps: 40, status: 'SUCCEEDED' });
    if (events[0]!.status === 'SUCCEEDED') {
      // It ended before the subscription began: the current state, then DONE.
      expect(events).toEqual([{ kind: 'PROGRESS', step: 40, totalSteps: 40, status: 'SUCCEEDED' }, last]);
    } else {
      const steps = events.filter((e) => e.kind === 'PROGRESS' && e.status === 'RUNNING').map((e) => e.step);
      expect(steps[steps.length - 1]).toBe(40);
      expect(new Set(steps).size).toBe(steps.length);
      expect([...steps].sort((a, b) => a - b)).toEqual(steps);
    }
    const { body } = await gql(`query($id: ID!) { generation(id: $id) { status images { url } } }`, { id });
    expect(body.data?.['generation']).toEqual({ status: 'SUCCEEDED', images: [{ url: `/v1/generations/${id}/images/0` }] });
  });

  it('cancels a running generation', async () => {
    const started = await gql(`mutation($input: GenerateInput!) { generate(input: $input) { id } }`, { input: { prompt: 'gold earrings', ...small, steps: 150, width: 256, height: 256 } });
    const id = started.body.data?.['generate'].id as string;
    const cancelled = await gql(`mutation($id: ID!) { cancelGeneration(id: $id) { id } }`, { id });
    expect(cancelled.body.errors).toBeUndefined();
    let status = '';
    for (let i = 0; i < 200 && status !== 'CANCELLED'; i++) {
      status = (await gql(`query($id: ID!) { generation(id: $id) { status error { code } } }`, { id })).body.data?.['generation'].status;
      if (status !== 'CANCELLED') await new Promise((r) => setTimeout(r, 25));
    }
    expect(status).toBe('CANCELLED');
  });

  it('compares prompts across checkpoints with one seed', async () => {
    const { body } = await gql(
      `mutation($input: CompareInput!) { compare(input: $input) { id seed gridUrl cells { prompt checkpoint trainingStep row column imageUrl } } }`,
      { input: { prompts: ['red kente dress', 'blue wax skirt'], checkpoints: ['baseline', 'final'], width: 64, height: 64, steps: 4, seed: 3 } },
    );
    expect(body.errors).toBeUndefined();
    const comparison = body.data?.['compare'];
    expect(comparison.seed).toBe('3');
    expect(comparison.cells.map((c: { row: number; column: number; checkpoint: string }) => [c.row, c.column, c.checkpoint])).toEqual([
      [0, 0, 'baseline'],
      [0, 1, 'final'],
      [1, 0, 'baseline'],
      [1, 1, 'final'],
    ]);
    const grid = await request(app.getHttpServer()).get(comparison.gridUrl).expect(200);
    const meta = await sharp(grid.body as Buffer).metadata();
    expect(meta.width).toBeGreaterThan(2 * 64);
    expect(meta.height).toBeGreaterThan(2 * 64);
  });

  it('compares with a reference image (base64) as the grid\'s first column, and refuses a GIF naming referenceImageBase64', async () => {
    const reference = await sharp({ create: { width: 48, height: 80, channels: 3, background: { r: 0, g: 255, b: 0 } } }).png().toBuffer();
    const mutation = `mutation($input: CompareInput!) { compare(input: $input) { gridUrl hasReference cells { row column checkpoint } } }`;
    const input = { prompts: ['red kente dress'], checkpoints: ['baseline', 'final'], width: 64, height: 64, steps: 2, seed: 4 };
    const { body } = await gql(mutation, { input: { ...input, referenceImageBase64: `data:image/png;base64,${reference.toString('base64')}` } });
    expect(body.errors).toBeUndefined();
    const comparison = body.data?.['compare'];
    expect(comparison.hasReference).toBe(true);
    expect(comparison.cells.map((c: { column: number; checkpoint: string }) => [c.column, c.checkpoint])).toEqual([
      [0, 'baseline'],
      [1, 'final'],
    ]);
    const grid = (await request(app.getHttpServer()).get(comparison.gridUrl).expect(200)).body as Buffer;
    // Row titles, then three columns: the reference and the two checkpoints.
    expect((await sharp(grid).metadata()).width).toBe(180 + 3 * (64 + 8) + 8);
    const pixel = await sharp(grid).extract({ left: 180 + 8 + 32, top: 48 + 32, width: 1, height: 1 }).raw().toBuffer();
    expect([...pixel.subarray(0, 3)]).toEqual([0, 255, 0]); // the reference's colour

    const gif = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } }).gif().toBuffer();
    const refused = await gql(mutation, { input: { ...input, referenceImageBase64: gif.toString('base64') } });
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_ARGUMENT', details: { field: 'referenceImageBase64' } });
    expect(refused.body.errors?.[0]?.message).toMatch(/^referenceImageBase64: must be a PNG, JPEG or WebP image, got GIF/);
  });

  it('answers the prompt queries and mutations', async () => {
    const { body } = await gql(`
      query { vocabulary { fabric { id label } } tokenize(text: "a red (kente:1.3) dress") { ids tokens weights count chunks maxChunks truncated dropped { count } fragments { text weight } } }
    `);
    expect(body.errors).toBeUndefined();
    expect(body.data?.['vocabulary'].fabric.map((f: { id: string }) => f.id)).toEqual(expect.arrayContaining(['kente', 'ankara', 'bogolan']));
    expect(body.data?.['tokenize']).toMatchObject({ count: 6, chunks: 1, maxChunks: 3, truncated: false, dropped: { count: 0 }, weights: [1, 1, 1, 1.3, 1, 1] });
    expect(body.data?.['tokenize'].fragments).toEqual([{ text: 'a red ', weight: 1 }, { text: 'kente', weight: 1.3 }, { text: ' dress', weight: 1 }]);
    const built = await gql(`mutation { buildPrompt(attributes: { garment: "dress", fabrics: ["kente"], colours: ["red"] }) { prompt attributes { garment fabrics colours } } }`);
    expect(built.body.data?.['buildPrompt'].attributes).toEqual({ garment: 'dress', fabrics: ['kente'], colours: ['red'] });
    expect(built.body.data?.['buildPrompt'].prompt).toMatch(/red.*kente.*dress/);
    const parsed = await gql(`mutation { parsePrompt(text: "Robe longue en wax rouge pour femme") { language attributes { garment colours gender } prompt unplaced } }`);
    expect(parsed.body.data?.['parsePrompt']).toMatchObject({ language: 'fr', attributes: { garment: 'dress', colours: ['red'], gender: 'woman' } });
  });

  describe('bad inputs', () => {
    const generate = `mutation($input: GenerateInput!) { generate(input: $input) { id } }`;
    const cases: Array<[string, string, Record<string, unknown> | undefined, string, RegExp]> = [
      ['a number as prompt', generate, { input: { prompt: 42 } }, 'INVALID_ARGUMENT', /input\.prompt.*String cannot represent/],
      ['no prompt nor attributes', generate, { input: { width: 128 } }, 'INVALID_ARGUMENT', /^prompt: is required/],
      ['prompt and attributes', generate, { input: { prompt: 'x', attributes: { garment: 'dress' } } }, 'INVALID_ARGUMENT', /^attributes: give either/],
      ['an unknown garment', generate, { input: { attributes: { garment: 'spacesuit' } } }, 'INVALID_ARGUMENT', /^garment: "spacesuit" is not a known garment/],
      ['a size not a multiple of 8', generate, { input: { prompt: 'x', width: 130 } }, 'INVALID_ARGUMENT', /^width: must be a multiple of 8/],
      ['a negative size', generate, { input: { prompt: 'x', height: -64 } }, 'INVALID_ARGUMENT', /^height: must be between 64 and 1024/],
      ['too many steps', generate, { input: { prompt: 'x', steps: 10_000 } }, 'INVALID_ARGUMENT', /^steps: must be between 1 and 150/],
      ['a 32-bit overflow in an Int', generate, { input: { prompt: 'x', steps: 2 ** 40 } }, 'INVALID_ARGUMENT', /input\.steps.*Int cannot represent/],
      ['an unknown scheduler', generate, { input: { prompt: 'x', scheduler: 'FAST' } }, 'INVALID_ARGUMENT', /input\.scheduler.*Value "FAST" does not exist in "Scheduler" enum/],
      ['an unknown checkpoint', generate, { input: { prompt: 'x', checkpoint: 'nope' } }, 'NOT_FOUND', /checkpoint "nope" does not exist/],
      ['a negative seed', generate, { input: { prompt: 'x', seed: -1 } }, 'INVALID_ARGUMENT', /^seed: /],
      ['a seed that is not a number', generate, { input: { prompt: 'x', seed: 'abc' } }, 'INVALID_ARGUMENT', /^seed: /],
      ['a seed of the wrong type', generate, { input: { prompt: 'x', seed: true } }, 'INVALID_ARGUMENT', /Seed must be an integer or a decimal string/],
      ['an unknown input field', generate, { input: { prompt: 'x', sneaky: 1 } }, 'INVALID_ARGUMENT', /Field "sneaky" is not defined by type "GenerateInput"/],
      ['a missing input', generate, {}, 'INVALID_ARGUMENT', /Variable "\$input" of required type "GenerateInput!" was not provided/],
      ['an unknown generation', `{ generation(id: "../../etc/passwd") { id } }`, undefined, 'NOT_FOUND', /generation/],
      ['an unknown checkpoint id', `{ checkpoint(id: "nope") { id } }`, undefined, 'NOT_FOUND', /checkpoint "nope" does not exist/],
      ['too many comparison prompts', `mutation { compare(input: { prompts: ["a","b","c","d","e"] }) { id } }`, undefined, 'INVALID_ARGUMENT', /^prompts: must list 1 to 4 prompts, got 5/],
      ['a syntax error', `{ checkpoints { id `, undefined, 'INVALID_ARGUMENT', /Syntax Error/],
      ['an unknown field', `{ checkpoints { id secret } }`, undefined, 'INVALID_ARGUMENT', /Cannot query field "secret"/],
      ['tokenize text too long', `query($t: String!) { tokenize(text: $t) { count } }`, { t: 'a'.repeat(10_001) }, 'INVALID_ARGUMENT', /^text: must be at most 10000 characters/],
      [
        'a query too deep (through fragments)',
        `query { ...A } fragment A on Query { vocabulary { ...B } } fragment B on Vocabulary { fabric { synonyms { ...C } } } fragment C on TermSynonyms { en fr }`,
        undefined,
        'INVALID_ARGUMENT',
        /^query: the operation is 4 levels deep; the limit is 3/,
      ],
    ];

    it.each(cases)('%s → %s', async (_name, query, variables, code, message) => {
      const { status, body } = await gql(query, variables);
      expect(status).toBeLessThan(500);
      expect(body.errors?.[0]?.extensions.code).toBe(code);
      expect(body.errors?.[0]?.message).toMatch(message);
      expect(JSON.stringify(body)).not.toMatch(/stacktrace|at .*\.ts:\d+/);
    });

    it('refuses an operation above the complexity limit before running it', async () => {
      const aliases = Array.from({ length: 4 }, (_, i) => `g${i}: generation(id: "x") { images { base64 } }`).join(' ');
      const { status, body } = await gql(`{ ${aliases} }`);
      expect(status).toBeLessThan(500);
      expect(body.errors?.[0]).toMatchObject({ extensions: { code: 'INVALID_ARGUMENT', details: { rule: 'max complexity', max: 300 } } });
      expect(body.errors?.[0]?.message).toMatch(/^query: costs \d+; the limit is 300/);
    });

    it('over the websocket: refuses an unknown generation, a too-deep subscription, and queries', async () => {
      const client = wsClient();
      const first = async (query: string): Promise<unknown> => {
        try {
          return (await client.iterate({ query }).next()).value;
        } catch (errors) {
          return { errors };
        }
      };
      try {
        expect(await first(`subscription { generationEvents(id: "nope") { kind } }`)).toMatchObject({
          errors: [{ message: 'generation nope does not exist', extensions: { code: 'NOT_FOUND' } }],
        });
        expect(await first(`subscription { generationEvents(id: "nope") { error { code } } }`)).toMatchObject({ errors: [{ extensions: { code: 'NOT_FOUND' } }] });
        expect(await first(`{ checkpoints { id } }`)).toMatchObject({ errors: [{ message: 'query: querys go over HTTP (POST /graphql); the websocket carries subscriptions only' }] });
      } finally {
        await client.dispose();
      }
    });

    it('stays healthy after all of them', async () => {
      const { body } = await gql('{ checkpoints { id } }');
      expect(body.data?.['checkpoints']).toHaveLength(6);
    });
  });
});

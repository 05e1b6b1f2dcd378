/** gRPC end to end: the real application (engine, pool, demo release) through a @grpc/grpc-js client. */
import { credentials, loadPackageDefinition, status, type ChannelCredentials, type Client, type ClientDuplexStream, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { dirname, join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import sharp from 'sharp';
import { testAppConfig } from './support/test-app-config';
import { createApp } from '../src/create-app';
import { GrpcServer } from '../src/app/grpc.server';
import { loadProtos } from '../src/transports/grpc/grpc-protos';

type Callback<T> = (error: ServiceError | null, response: T) => void;
type UnaryMethod = (request: unknown, callback: Callback<unknown>) => void;
type StreamMethod = (request: unknown) => ClientReadableStream<unknown>;
type AnyClient = Client & Record<string, UnaryMethod & StreamMethod>;

interface GenerateEvent {
  event: 'progress' | 'result';
  progress?: { step: number; totalSteps: number; etaMs: string; id: string };
  result?: { id: string; images: Array<{ index: number; seed: string; mimeType: string; data: Buffer }> };
}

/** Calls a unary method; resolves with the response or the ServiceError. */
function call<T>(client: AnyClient, method: string, request: unknown): Promise<{ response?: T; error?: ServiceError }> {
  const method_ = (client[method] as UnaryMethod).bind(client);
  return new Promise((resolve) => method_(request, (error, response) => resolve(error ? { error } : { response: response as T })));
}

/** Reads a server stream to its end; `onEvent` may cancel it. */
function collect<T>(stream: ClientReadableStream<unknown>, onEvent?: (event: T) => void): Promise<{ events: T[]; error?: ServiceError }> {
  const events: T[] = [];
  return new Promise((resolve) => {
    stream.on('data', (event: T) => {
      events.push(event);
      onEvent?.(event);
    });
    stream.on('error', (error: ServiceError) => resolve({ events, error }));
    stream.on('end', () => resolve({ events }));
  });
}

describe('gRPC afrofashion.v1', () => {
  let app: NestExpressApplication;
  let diffusion: AnyClient;
  let prompts: AnyClient;
  let health: AnyClient;
  const small = { width: 128, height: 96, steps: 6, seed: '5', scheduler: 'euler-a' };

  beforeAll(async () => {
    app = await createApp(testAppConfig());
    await app.init();
    const port = app.get(GrpcServer).port;
    expect(port).toBeGreaterThan(0);
    // The client fills in proto3 defaults, as most gRPC clients do.
    const protos = loadProtos({ defaults: true });
    const address = `127.0.0.1:${port}`;
    diffusion = new protos.diffusion(address, credentials.createInsecure()) as AnyClient;
    prompts = new protos.prompts(address, credentials.createInsecure()) as AnyClient;
    health = new protos.health(address, credentials.createInsecure()) as AnyClient;
  }, 120_000);

  afterAll(async () => {
    for (const client of [diffusion, prompts, health]) client?.close();
    await app?.close();
  });

  it('streams progress, then a result whose PNG has the requested size and seed', async () => {
    const { events, error } = await collect<GenerateEvent>(diffusion.Generate!({ prompt: 'red kente dress', ...small }));
    expect(error).toBeUndefined();
    const progress = events.filter((e) => e.event === 'progress').map((e) => e.progress!);
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.every((p) => p.totalSteps === 6)).toBe(true);
    expect(progress.map((p) => p.step)).toEqual([...progress.map((p) => p.step)].sort((a, b) => a - b));
    const last = events.at(-1)!;
    expect(last.event).toBe('result');
    const result = last.result!;
    expect(result.id).toBe(progress[0]!.id);
    expect(result.images).toHaveLength(1);
    expect(result.images[0]).toMatchObject({ index: 0, seed: '5', mimeType: 'image/png' });
    const meta = await sharp(result.images[0]!.data).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 128, 96]);

    const stored = await call<{ status: string; images: Array<{ data: Buffer }> }>(diffusion, 'GetGeneration', { id: result.id, includeData: true });
    expect(stored.response?.status).toBe('GENERATION_STATUS_SUCCEEDED');
    expect(Buffer.compare(stored.response!.images[0]!.data, result.images[0]!.data)).toBe(0);
    const missing = await call(diffusion, 'GetGeneration', { id: 'does-not-exist' });
    expect(missing.error?.code).toBe(status.NOT_FOUND);
  });

  it('cancels the generation when the client cancels the Generate call', async () => {
    let id = '';
    const stream = diffusion.Generate!({ prompt: 'blue adire boubou', width: 256, height: 256, steps: 150, seed: '1' });
    const { error } = await collect<GenerateEvent>(stream, (event) => {
      if (event.progress && event.progress.step >= 1 && !id) {
        id = event.progress.id;
        stream.cancel();
      }
    });
    expect(error?.code).toBe(status.CANCELLED);
    expect(id).not.toBe('');
    let state = '';
    for (let i = 0; i < 200; i++) {
      state = (await call<{ status: string }>(diffusion, 'GetGeneration', { id })).response?.status ?? '';
      if (state !== 'GENERATION_STATUS_RUNNING' && state !== 'GENERATION_STATUS_QUEUED') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(state).toBe('GENERATION_STATUS_CANCELLED');
  });

  it('lists the six demo checkpoints, final by default, and gets one', async () => {
    const { response } = await call<{ checkpoints: Array<{ id: string; trainingStep: string; isDefault: boolean; bytes: string; measuredBytes?: string }> }>(diffusion, 'ListCheckpoints', {});
    expect(response!.checkpoints.map((c) => [c.id, c.trainingStep])).toEqual([
      ['baseline', '0'],
      ['checkpoint-20000', '20000'],
      ['checkpoint-40000', '40000'],
      ['checkpoint-60000', '60000'],
      ['checkpoint-80000', '80000'],
      ['final', '100000'],
    ]);
    expect(response!.checkpoints.filter((c) => c.isDefault).map((c) => c.id)).toEqual(['final']);
    // Pinned, so loaded at start: its measured resident cost is there (uint64, a string here), at least its files.
    const final = response!.checkpoints.find((c) => c.id === 'final');
    expect(Number(final?.measuredBytes)).toBeGreaterThanOrEqual(Number(final?.bytes));
    const one = await call<{ id: string; unetHash: string }>(diffusion, 'GetCheckpoint', { id: 'baseline' });
    expect(one.response).toMatchObject({ id: 'baseline', unetHash: expect.stringMatching(/^[0-9a-f]+$/) });
    const nope = await call(diffusion, 'GetCheckpoint', { id: 'nope' });
    expect(nope.error?.code).toBe(status.NOT_FOUND);
  });

  it('tokenizes, parses and builds prompts, and serves the vocabulary', async () => {
    const tokens = await call<{ ids: number[]; tokens: string[]; count: number; truncated: boolean }>(prompts, 'Tokenize', { text: 'a red [kente] dress' });
    expect(tokens.response!.tokens[0]).toBe('<|startoftext|>');
    expect(tokens.response!.tokens.at(-1)).toBe('<|endoftext|>');
    expect(tokens.response!.tokens.slice(1, -1).join(' ')).toBe('a red kente dress');
    expect(tokens.response).toMatchObject({ count: tokens.response!.ids.length, truncated: false, chunks: 1, maxChunks: 3, weights: [1, 1, 1, 1 / 1.1, 1, 1] });
    expect(tokens.response).toMatchObject({ fragments: [{ text: 'a red ', weight: 1 }, { text: 'kente', weight: 1 / 1.1 }, { text: ' dress', weight: 1 }] });

    const parsed = await call<{ language: string; attributes: Record<string, unknown> }>(prompts, 'ParsePrompt', { text: 'Robe en kente pour femme' });
    expect(parsed.response).toMatchObject({ language: 'fr', attributes: { garment: 'dress', fabrics: ['kente'], gender: 'woman' } });

    const built = await call<{ prompt: string }>(prompts, 'BuildPrompt', { attributes: { garment: 'dress', fabrics: ['kente'], colours: ['red', 'gold'] } });
    expect(built.response!.prompt).toMatch(/red and gold kente dress/);

    const vocabulary = await call<{ garment: Array<{ id: string }> }>(prompts, 'GetVocabulary', {});
    expect(vocabulary.response!.garment.map((t) => t.id)).toContain('dress');
  });

  it('generates from fashion attributes instead of a prompt', async () => {
    const { events, error } = await collect<GenerateEvent>(diffusion.Generate!({ ...small, attributes: { garment: 'robe', fabrics: ['kente'], colours: ['rouge'] } }));
    expect(error).toBeUndefined();
    expect(events.at(-1)!.result!.images).toHaveLength(1);
    const both = await collect<GenerateEvent>(diffusion.Generate!({ ...small, prompt: 'x', attributes: { garment: 'dress' } }));
    expect(both.error?.code).toBe(status.INVALID_ARGUMENT);
    expect(both.error?.details).toMatch(/^attributes: give either prompt or attributes/);
  });

  it('compares prompts across checkpoints with one seed, with every cell and the grid', async () => {
    type Comparison = { seed: string; cells: Array<{ row: number; column: number; checkpoint: string; trainingStep: string; png: Buffer }>; gridPng: Buffer };
    const { response, error } = await call<Comparison>(diffusion, 'Compare', { prompts: ['red kente dress'], checkpoints: ['baseline', 'checkpoint-40000'], seed: '9', width: 64, height: 64, steps: 4 });
    expect(error).toBeUndefined();
    expect(response!.seed).toBe('9');
    expect(response!.cells.map((c) => [c.row, c.column, c.checkpoint, c.trainingStep])).toEqual([
      [0, 0, 'baseline', '0'],
      [0, 1, 'checkpoint-40000', '40000'],
    ]);
    expect((await sharp(response!.cells[1]!.png).metadata()).width).toBe(64);
    expect((await sharp(response!.gridPng).metadata()).width).toBeGreaterThan(128);
    const none = await call(diffusion, 'Compare', { checkpoints: ['baseline'] });
    expect(none.error?.code).toBe(status.INVALID_ARGUMENT);
    expect(none.error?.details).toMatch(/^prompts: must list 1 to 4 prompts, got none/);
  });

  it('compares with a reference image (bytes) as the grid\'s first column, and refuses a GIF naming referenceImage', async () => {
    type Comparison = { hasReference: boolean; cells: Array<{ column: number; checkpoint: string }>; gridPng: Buffer };
    const reference = await sharp({ create: { width: 90, height: 60, channels: 3, background: { r: 255, g: 0, b: 255 } } }).webp({ lossless: true }).toBuffer();
    const request = { prompts: ['red kente dress', 'blue wax skirt'], checkpoints: ['checkpoint-20000'], seed: '2', width: 64, height: 64, steps: 2 };
    const { response, error } = await call<Comparison>(diffusion, 'Compare', { ...request, referenceImage: reference });
    expect(error).toBeUndefined();
    expect(response!.hasReference).toBe(true);
    expect(response!.cells.map((c) => [c.column, c.checkpoint])).toEqual([
      [0, 'checkpoint-20000'],
      [0, 'checkpoint-20000'],
    ]);
    const meta = await sharp(response!.gridPng).metadata();
    expect([meta.width, meta.height]).toEqual([180 + 2 * (64 + 8) + 8, 48 + 2 * (64 + 8) + 8]);
    const pixel = await sharp(response!.gridPng).extract({ left: 180 + 8 + 32, top: 48 + 64 + 8 + 32, width: 1, height: 1 }).raw().toBuffer();
    expect([...pixel.subarray(0, 3)]).toEqual([255, 0, 255]); // the reference, in the second row too

    const plain = await call<Comparison>(diffusion, 'Compare', request);
    expect(plain.response!.hasReference).toBe(false);

    const gif = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } }).gif().toBuffer();
    const refused = await call(diffusion, 'Compare', { ...request, referenceImage: gif });
    expect(refused.error?.code).toBe(status.INVALID_ARGUMENT);
    expect(refused.error?.details).toMatch(/^referenceImage: must be a PNG, JPEG or WebP image, got GIF/);
    expect(refused.error?.metadata.get('error-field')).toEqual(['referenceImage']);
  });

  it('answers server reflection: the services it serves', async () => {
    const definition = loadSync('grpc/reflection/v1/reflection.proto', { includeDirs: [join(dirname(require.resolve('@grpc/reflection')), '../proto')], keepCase: false });
    const Reflection = (loadPackageDefinition(definition) as unknown as { grpc: { reflection: { v1: { ServerReflection: unknown } } } }).grpc.reflection.v1.ServerReflection as new (address: string, creds: ChannelCredentials) => Client & {
      serverReflectionInfo(): ClientDuplexStream<unknown, { listServicesResponse?: { service: Array<{ name: string }> } }>;
    };
    const client = new Reflection(`127.0.0.1:${app.get(GrpcServer).port}`, credentials.createInsecure());
    try {
      const stream = client.serverReflectionInfo();
      const answer = new Promise<string[]>((resolve, reject) => {
        stream.on('data', (message: { listServicesResponse?: { service: Array<{ name: string }> } }) => resolve((message.listServicesResponse?.service ?? []).map((s) => s.name)));
        stream.on('error', reject);
      });
      stream.write({ listServices: '' });
      const services = await answer;
      stream.end();
      expect(services).toEqual(expect.arrayContaining(['afrofashion.v1.DiffusionService', 'afrofashion.v1.PromptService', 'grpc.health.v1.Health']));
    } finally {
      client.close();
    }
  });

  it('answers health checks: SERVING for the server and its services, NOT_FOUND for others', async () => {
    expect((await call(health, 'Check', {})).response).toEqual({ status: 'SERVING' });
    expect((await call(health, 'Check', { service: 'afrofashion.v1.DiffusionService' })).response).toEqual({ status: 'SERVING' });
    expect((await call(health, 'Check', { service: 'nope.v1.Nothing' })).error?.code).toBe(status.NOT_FOUND);
  });

  it.each([
    ['width 100', status.INVALID_ARGUMENT, 'width', { prompt: 'x', width: 100 }, /^width: must be a multiple of 8/],
    ['an unknown scheduler', status.INVALID_ARGUMENT, 'scheduler', { prompt: 'x', scheduler: 'DPM fast' }, /^scheduler: must be one of pndm/],
    ['an unknown checkpoint', status.NOT_FOUND, 'checkpoint', { prompt: 'x', checkpoint: 'v9' }, /checkpoint "v9" does not exist/],
    ['a bad seed', status.INVALID_ARGUMENT, 'seed', { prompt: 'x', seed: 'abc' }, /^seed: /],
    ['a seed beyond 64 bits', status.INVALID_ARGUMENT, 'seed', { prompt: 'x', seed: '18446744073709551616' }, /^seed: /],
    ['no prompt', status.INVALID_ARGUMENT, 'prompt', { width: 128 }, /^prompt: is required/],
    ['an unknown output format', status.INVALID_ARGUMENT, 'outputFormat', { prompt: 'x', outputFormat: 'gif' }, /png, jpeg, webp/],
  ])('Generate with %s fails with status %i naming %s', async (_name, code, field, request, message) => {
    const { events, error } = await collect<GenerateEvent>(diffusion.Generate!(request));
    expect(events).toEqual([]);
    expect(error?.code).toBe(code);
    expect(error?.details).toMatch(message);
    expect(error?.metadata.get('error-field')).toEqual([field]);
  });
});

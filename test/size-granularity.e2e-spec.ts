/**
 * Sizes a checkpoint can take, end to end on a real-layout export (shared/data/diffusers-reference/
 * model: its UNet halves the latents once and doubles them with a fixed-scale Resize, so images must
 * be multiples of 16). The catalogue lists the multiple on REST, GraphQL and gRPC; sizes off it
 * (72×72: odd latents, which onnxruntime would fail on in /up_blocks.1/Concat; 65×65; 80×72) are
 * refused as bad input naming the multiple and the checkpoint, on every transport, with an API key
 * and without (open server); a size on it (80×64) runs. Skipped, saying so, where the folder is absent.
 */
import { credentials, Metadata, status, type Client, type ServiceError } from '@grpc/grpc-js';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import request from 'supertest';
import { testAppConfig } from './support/test-app-config';
import { hashApiKey } from '../src/auth/api-keys';
import { createApp } from '../src/create-app';
import { GrpcServer } from '../src/app/grpc.server';
import { loadProtos } from '../src/transports/grpc/grpc-protos';

const CANDIDATES = [process.env['DIFFUSERS_REFERENCE_DIR'], resolve(__dirname, '../../shared/data/diffusers-reference'), '/work/shared/data/diffusers-reference'];
const ROOT = CANDIDATES.find((d): d is string => d !== undefined && existsSync(join(d, 'model', 'unet', 'model.onnx')));
const KEY = 'afd_sizes-key-for-tests-0123456789abcdefghijklmn';

type Unary = (request: unknown, metadata: Metadata, callback: (error: ServiceError | null, response: unknown) => void) => void;
type Streaming = (request: unknown, metadata: Metadata) => NodeJS.EventEmitter;

function grpcUnary(client: Client, method: string, body: unknown, key?: string): Promise<{ error?: ServiceError; response?: unknown }> {
  const metadata = new Metadata();
  if (key) metadata.set('authorization', `Bearer ${key}`);
  const fn = (client as unknown as Record<string, Unary>)[method]!.bind(client);
  return new Promise((done) => fn(body, metadata, (error, response) => done(error ? { error } : { response })));
}

/** Generate's stream: the error that ended it, or none. */
function grpcGenerate(client: Client, body: unknown, key?: string): Promise<ServiceError | undefined> {
  const metadata = new Metadata();
  if (key) metadata.set('authorization', `Bearer ${key}`);
  const stream = (client as unknown as Record<string, Streaming>)['Generate']!.call(client, body, metadata);
  return new Promise((done) => {
    stream.on('data', () => undefined);
    stream.on('error', (error: ServiceError) => done(error));
    stream.on('end', () => done(undefined));
  });
}

const MULTIPLE_16 = /^(width|height): must be a multiple of 16 for checkpoint "reference" \(its UNet halves the latents once and up-samples them by fixed factors\), got (72|65|80)$/;
const OFF_SIZES: readonly [string, Record<string, number>, RegExp][] = [
  ['72×72 (odd latents)', { width: 72, height: 72 }, /^width: must be a multiple of 16 for checkpoint "reference" .*got 72$/],
  ['80×72 (height only)', { width: 80, height: 72 }, /^height: must be a multiple of 16 for checkpoint "reference" .*got 72$/],
  ['65×65 (not even whole latents)', { width: 65, height: 65 }, /^width: must be a multiple of 8/],
];

describe.each([
  ['open', undefined],
  ['with an API key', KEY],
] as const)('size granularity on a real-layout export (%s)', (_mode, key) => {
  if (!ROOT) {
    it('is skipped: no diffusers reference model', () => {
      console.warn('SKIPPED: size granularity — shared/data/diffusers-reference/model is absent (set DIFFUSERS_REFERENCE_DIR)');
    });
    return;
  }
  let app: NestExpressApplication;
  let diffusion: Client;
  let dir: string;
  const http = () => request(app.getHttpServer());
  const auth = (r: request.Test): request.Test => (key ? r.set('Authorization', `Bearer ${key}`) : r);
  const base = { prompt: 'kente', steps: 2, seed: 1 };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'afd-sizes-'));
    const registry = join(dir, 'registry.json');
    writeFileSync(registry, JSON.stringify({ checkpoints: [{ id: 'reference', path: join(ROOT, 'model'), default: true }] }));
    const keys: Record<string, string> = key ? { AFD_ALLOW_OPEN: 'false', AFD_API_KEYS: JSON.stringify({ keys: [{ name: 'sizes', tier: 'internal', roles: [], sha256: hashApiKey(key) }] }) } : {};
    app = await createApp(testAppConfig({ AFD_REGISTRY: registry, ...keys }));
    await app.init();
    diffusion = new (loadProtos({ defaults: true }).diffusion)(`127.0.0.1:${app.get(GrpcServer).port}`, credentials.createInsecure());
  }, 120_000);

  afterAll(async () => {
    diffusion?.close();
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists the multiple, found from the UNet graph, on REST, GraphQL and gRPC', async () => {
    expect((await auth(http().get('/v1/checkpoints/reference')).expect(200)).body).toMatchObject({ id: 'reference', sizeMultiple: 16 });
    const gql = await auth(http().post('/graphql')).send({ query: '{ checkpoints { id sizeMultiple } }' }).expect(200);
    expect(gql.body.data.checkpoints).toEqual([{ id: 'reference', sizeMultiple: 16 }]);
    const listed = await grpcUnary(diffusion, 'ListCheckpoints', {}, key);
    expect((listed.response as { checkpoints: { id: string; sizeMultiple: number }[] }).checkpoints.map((c) => [c.id, c.sizeMultiple])).toEqual([['reference', 16]]);
  });

  it.each(OFF_SIZES)('%s is refused on REST (400), GraphQL and gRPC (INVALID_ARGUMENT), never an onnxruntime error', async (_name, size, message) => {
    const rest = await auth(http().post('/v1/generations')).send({ ...base, ...size }).expect(400);
    expect(rest.body).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(message) });
    expect(rest.body.message).toMatch(size['width'] === 65 ? /multiple of 8/ : MULTIPLE_16);

    const gql = await auth(http().post('/graphql'))
      .send({ query: 'mutation($input: GenerateInput!) { generate(input: $input, wait: true) { status } }', variables: { input: { ...base, seed: '1', ...size } } })
      .expect(200);
    expect(gql.body.errors?.[0]).toMatchObject({ message: expect.stringMatching(message), extensions: { code: 'INVALID_ARGUMENT' } });

    const error = await grpcGenerate(diffusion, { ...base, seed: '1', ...size }, key);
    expect(error?.code).toBe(status.INVALID_ARGUMENT);
    expect(error?.details).toMatch(message);
  });

  it('a comparison at a size the checkpoint cannot take is refused the same way', async () => {
    const refused = await auth(http().post('/v1/comparisons')).send({ prompts: ['kente'], steps: 2, seed: 1, width: 72, height: 64 }).expect(400);
    expect(refused.body.message).toMatch(/^width: must be a multiple of 16 for checkpoint "reference"/);
  });

  it('80×64, on the multiple, runs', async () => {
    const res = await auth(http().post('/v1/generations')).set('Accept', 'image/png').send({ ...base, width: 80, height: 64 }).expect(200);
    expect((res.body as Buffer).length).toBeGreaterThan(100);
  });
});

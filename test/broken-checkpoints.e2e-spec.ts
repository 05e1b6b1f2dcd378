/**
 * Broken checkpoints end to end: a registry with a healthy default, a checkpoint whose
 * tokenizer/vocab.json is garbage, and one whose UNet weights change after registration. The server
 * starts, lists each broken one as unavailable with its reason on REST, GraphQL and gRPC, refuses
 * generations on them with UNAVAILABLE naming the checkpoint and the file, and the default serves.
 */
import { credentials, status, type Client, type ServiceError } from '@grpc/grpc-js';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { testAppConfig } from './support/test-app-config';
import { createApp } from '../src/create-app';
import { GrpcServer } from '../src/app/grpc.server';
import { loadProtos } from '../src/transports/grpc/grpc-protos';
import { makeCheckpointFamily, type CheckpointFamily } from '../src/pool/testing/checkpoint-family.fixture';

type Callback = (error: ServiceError | null, response: unknown) => void;
type AnyClient = Client & Record<string, (request: unknown, callback: Callback) => void>;

function grpcCall<T>(client: AnyClient, method: string, body: unknown): Promise<{ response?: T; error?: ServiceError }> {
  return new Promise((resolve) => (client[method] as AnyClient[string]).call(client, body, (error, response) => resolve(error ? { error } : { response: response as T })));
}

describe('broken checkpoints (REST, GraphQL, gRPC)', () => {
  let family: CheckpointFamily;
  let app: NestExpressApplication;
  let diffusion: AnyClient;
  const http = () => request(app.getHttpServer());
  const small = { prompt: 'red kente dress', width: 64, height: 64, steps: 2, seed: 3 };
  const GARBAGE_VOCAB = /^tokenizer\/vocab\.json: invalid JSON/;

  beforeAll(async () => {
    family = makeCheckpointFamily(3, { overrides: { unetExternalData: true } });
    const [healthy, badVocab, changed] = family.dirs as [string, string, string];
    writeFileSync(join(badVocab, 'tokenizer', 'vocab.json'), '{"garbage": ');
    const registry = join(family.root, 'registry.json');
    writeFileSync(
      registry,
      JSON.stringify({
        checkpoints: [
          { id: 'healthy', path: healthy, default: true, pinned: true },
          { id: 'bad-vocab', path: badVocab },
          { id: 'changed', path: changed },
        ],
      }),
    );
    app = await createApp(testAppConfig({ AFD_REGISTRY: registry }));
    await app.init();
    diffusion = new (loadProtos({ defaults: true }).diffusion)(`127.0.0.1:${app.get(GrpcServer).port}`, credentials.createInsecure()) as AnyClient;
  }, 120_000);

  afterAll(async () => {
    diffusion?.close();
    await app?.close();
    family?.remove();
  });

  it('starts and lists the broken checkpoint as unavailable with the file on every transport', async () => {
    const list = (await http().get('/v1/checkpoints').expect(200)).body.checkpoints as { id: string; status: string; error: string | null }[];
    expect(list.map((c) => [c.id, c.status])).toEqual([
      ['healthy', 'available'],
      ['bad-vocab', 'unavailable'],
      ['changed', 'available'],
    ]);
    expect(list[0]!.error).toBeNull();
    expect(list[1]!.error).toMatch(GARBAGE_VOCAB);
    expect(JSON.stringify(list)).not.toContain(family.root);
    expect((await http().get('/v1/checkpoints/bad-vocab').expect(200)).body).toMatchObject({ status: 'unavailable', error: expect.stringMatching(GARBAGE_VOCAB) });

    const gql = await http().post('/graphql').send({ query: '{ checkpoints { id status error } checkpoint(id: "bad-vocab") { status error } }' }).expect(200);
    expect(gql.body.errors).toBeUndefined();
    expect(gql.body.data.checkpoints[0]).toEqual({ id: 'healthy', status: 'available', error: null });
    expect(gql.body.data.checkpoint).toEqual({ status: 'unavailable', error: expect.stringMatching(GARBAGE_VOCAB) });

    const listed = await grpcCall<{ checkpoints: { id: string; status: string; error: string }[] }>(diffusion, 'ListCheckpoints', {});
    expect(listed.response!.checkpoints.map((c) => [c.id, c.status, c.error.replace(/:.*/, '')])).toEqual([
      ['healthy', 'available', ''],
      ['bad-vocab', 'unavailable', 'tokenizer/vocab.json'],
      ['changed', 'available', ''],
    ]);
  });

  it('refuses a generation on it with UNAVAILABLE naming the checkpoint and the file; the default serves', async () => {
    const refused = await http().post('/v1/generations').send({ ...small, checkpoint: 'bad-vocab' }).expect(503);
    expect(refused.body).toMatchObject({ code: 'UNAVAILABLE', message: expect.stringMatching(/^checkpoint "bad-vocab" is unavailable: tokenizer\/vocab\.json: invalid JSON/) });

    const gql = await http()
      .post('/graphql')
      .send({ query: 'mutation($input: GenerateInput!) { generate(input: $input, wait: true) { status } }', variables: { input: { ...small, checkpoint: 'bad-vocab' } } });
    expect(gql.body.errors[0]).toMatchObject({ message: expect.stringMatching(/checkpoint "bad-vocab" is unavailable/), extensions: { code: 'UNAVAILABLE' } });

    const stream = (diffusion['Generate'] as unknown as (body: unknown) => NodeJS.ReadableStream).call(diffusion, { ...small, seed: '3', checkpoint: 'bad-vocab' });
    const grpcError = await new Promise<ServiceError>((resolve) => {
      stream.on('data', () => undefined);
      stream.on('error', resolve);
    });
    expect(grpcError.code).toBe(status.UNAVAILABLE);
    expect(grpcError.details).toMatch(/checkpoint "bad-vocab" is unavailable: tokenizer\/vocab\.json/);

    expect((await http().post('/v1/generations').send(small).expect(201)).body).toMatchObject({ status: 'succeeded', checkpoint: 'healthy' });
  });

  it('a weights file changed after registration: the load fails naming it, then the checkpoint is listed unavailable', async () => {
    const weights = join(family.dirs[2] as string, 'unet', 'weights.pb');
    const bytes = readFileSync(weights);
    bytes[2000] = (bytes[2000] as number) ^ 0xff;
    writeFileSync(weights, bytes);

    const failed = await http().post('/v1/generations').send({ ...small, checkpoint: 'changed' }).expect(503);
    expect(failed.body).toMatchObject({ code: 'UNAVAILABLE' });
    expect(failed.body.message).toMatch(/^checkpoint "changed" is unavailable: unet\/weights\.pb: changed since registration \(sha256 [0-9a-f]{12}… ≠ [0-9a-f]{12}… registered\)$/);

    expect((await http().get('/v1/checkpoints/changed').expect(200)).body).toMatchObject({
      status: 'unavailable',
      error: expect.stringMatching(/^unet\/weights\.pb: changed since registration/),
    });
    await http().post('/v1/generations').send({ ...small, checkpoint: 'changed' }).expect(503);
    await http().post('/v1/generations').send(small).expect(201);
  });
});

describe('a broken DEFAULT checkpoint', () => {
  let family: CheckpointFamily;
  let app: NestExpressApplication;
  const http = () => request(app.getHttpServer());
  const small = { prompt: 'red kente dress', width: 64, height: 64, steps: 2, seed: 3 };

  beforeAll(async () => {
    family = makeCheckpointFamily(2);
    const [healthy, broken] = family.dirs as [string, string];
    writeFileSync(join(broken, 'tokenizer', 'vocab.json'), 'garbage');
    const registry = join(family.root, 'registry.json');
    writeFileSync(registry, JSON.stringify({ checkpoints: [{ id: 'broken-default', path: broken, default: true }, { id: 'other', path: healthy }] }));
    app = await createApp(testAppConfig({ AFD_REGISTRY: registry }));
    await app.init();
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    family?.remove();
  });

  it('starts alive but not ready (readiness says why), refuses default requests with UNAVAILABLE and serves the others', async () => {
    await http().get('/health/live').expect(200);
    const ready = await http().get('/health/ready').expect(503);
    expect(ready.body.details.model).toMatchObject({ status: 'down', defaultCheckpoint: 'broken-default', lastError: expect.stringMatching(/^checkpoint "broken-default" is unavailable: tokenizer\/vocab\.json: /) });
    const refused = await http().post('/v1/generations').send(small).expect(503);
    expect(refused.body.message).toMatch(/^checkpoint "broken-default" is unavailable: tokenizer\/vocab\.json: /);
    expect((await http().post('/v1/generations').send({ ...small, checkpoint: 'other' }).expect(201)).body).toMatchObject({ status: 'succeeded', checkpoint: 'other' });
  });
});

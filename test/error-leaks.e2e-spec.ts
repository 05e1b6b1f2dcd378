/**
 * What a broken model tells a client: the checkpoint, the file within it and the rule, never the
 * server's absolute paths or a runtime's internals (the log keeps those). A checkpoint whose UNet
 * file is corrupt sits beside the demo release.
 */
import { credentials, Metadata, status, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import { Logger } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { embeddedRegistry } from '../src/checkpoints/checkpoint-registry';
import { createApp } from '../src/create-app';
import { GrpcServer } from '../src/app/grpc.server';
import { loadProtos } from '../src/transports/grpc/grpc-protos';
import { testAppConfig } from './support/test-app-config';

describe('errors from a broken checkpoint carry no absolute path', () => {
  let app: NestExpressApplication;
  let dir: string;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'afd-leaks-'));
    const registry = embeddedRegistry();
    const source = registry.find((c) => c.id === 'checkpoint-20000');
    const broken = join(dir, 'broken');
    cpSync(source?.path as string, broken, { recursive: true });
    writeFileSync(join(broken, 'unet', 'model.onnx'), Buffer.from('this is not an ONNX model'));
    const checkpoints = [...registry.map((c) => ({ id: c.id, path: c.path, trainingStep: c.trainingStep, default: c.default })), { id: 'broken', path: broken, trainingStep: 1 }];
    writeFileSync(join(dir, 'registry.json'), JSON.stringify({ checkpoints }));
    app = await createApp(testAppConfig({ AFD_REGISTRY: join(dir, 'registry.json') }));
    await app.init();
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const BROKEN = { prompt: 'red kente dress', checkpoint: 'broken', width: 64, height: 64, steps: 1, seed: 1 };
  // The first load finds the UNet unreadable: the checkpoint is unavailable from then on, with the reason.
  const MESSAGE = 'checkpoint "broken" is unavailable: unet/model.onnx: onnxruntime cannot load it (Load model from unet/model.onnx failed:Protobuf parsing failed.)';
  const ABSOLUTE = /(^|[\s'"(:=])\/(tmp|home|srv|work|var|usr|private)\//;

  it('REST: names the checkpoint, the file and the rule; the log keeps the path', async () => {
    const logged = jest.spyOn(Logger.prototype, 'error');
    const res = await http().post('/v1/generations').send(BROKEN);
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ code: 'UNAVAILABLE', message: MESSAGE });
    expect(res.text).not.toContain(dir);
    expect(res.text).not.toMatch(ABSOLUTE);
    const read = await http().get(`/v1/generations/${res.body.details.id}`).expect(200);
    expect(read.body.error).toEqual({ code: 'UNAVAILABLE', message: MESSAGE });
    expect(logged.mock.calls.some(([text]) => String(text).includes(dir))).toBe(true);
    logged.mockRestore();
  });

  it('GraphQL and gRPC: the same message', async () => {
    const graphql = await http()
      .post('/graphql')
      .send({ query: 'mutation($input: GenerateInput!) { generate(input: $input, wait: true) { status error { code message } } }', variables: { input: BROKEN } });
    expect(graphql.text).not.toMatch(ABSOLUTE);
    expect(graphql.body.errors[0]).toMatchObject({ message: MESSAGE, extensions: { code: 'UNAVAILABLE' } });

    const client = new (loadProtos().diffusion)(`127.0.0.1:${app.get(GrpcServer).port}`, credentials.createInsecure());
    const call = (client as unknown as Record<string, (r: unknown, m: Metadata, o: { deadline: number }) => ClientReadableStream<unknown>>)['Generate']!.call(
      client,
      { ...BROKEN, seed: '1' },
      new Metadata(),
      { deadline: Date.now() + 30_000 },
    );
    call.on('data', () => undefined);
    const error = await new Promise<ServiceError>((resolve) => call.on('error', resolve));
    client.close();
    expect({ code: error.code, details: error.details }).toEqual({ code: status.UNAVAILABLE, details: MESSAGE });
  });
});

/**
 * Ids a restarted server no longer knows (local mode keeps results in memory): an id minted before
 * this server started answers GONE with reason "server restarted" on every transport, while an id
 * that never existed stays NOT_FOUND. The app's stores start when it is created, so an id minted a
 * minute earlier is one from "before the restart".
 */
import { credentials, type Client, type ServiceError } from '@grpc/grpc-js';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { timeOrderedId } from '../src/common/time-ordered-id';
import { createApp } from '../src/create-app';
import { loadProtos } from '../src/transports/grpc/grpc-protos';
import { GrpcServer } from '../src/app/grpc.server';
import { testAppConfig } from './support/test-app-config';

type Unary = (request: unknown, callback: (error: ServiceError | null) => void) => void;

describe('ids from before a restart (local mode)', () => {
  let app: NestExpressApplication;
  let diffusion: Client & Record<string, Unary>;
  const beforeRestart = timeOrderedId(Date.now() - 60_000);
  const neverExisted = randomUUID();

  beforeAll(async () => {
    app = await createApp(testAppConfig());
    await app.init();
    diffusion = new (loadProtos({ defaults: true }).diffusion)(`127.0.0.1:${app.get(GrpcServer).port}`, credentials.createInsecure()) as Client & Record<string, Unary>;
  }, 120_000);
  afterAll(async () => {
    diffusion?.close();
    await app?.close();
  });

  it('REST: 410 GONE with details.reason "server restarted" for generations and comparisons; 404 for an unknown id', async () => {
    const http = () => request(app.getHttpServer());
    for (const path of [`/v1/generations/${beforeRestart}`, `/v1/generations/${beforeRestart}/images/0`, `/v1/comparisons/${beforeRestart}/grid`]) {
      const res = await http().get(path).expect(410);
      expect(res.body).toMatchObject({ code: 'GONE', details: { id: beforeRestart, reason: 'server restarted' } });
      expect(res.body.message).toMatch(/before this server restarted.*AFD_JOBS=redis/);
    }
    await http().get(`/v1/generations/${neverExisted}`).expect(404);
  });

  it('GraphQL: extensions.code GONE with the reason', async () => {
    const { body } = await request(app.getHttpServer())
      .post('/graphql')
      .send({ query: 'query($id: ID!) { generation(id: $id) { id } }', variables: { id: beforeRestart } });
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'GONE', details: { reason: 'server restarted' } });
  });

  it('gRPC: NOT_FOUND (gRPC has no "gone") with error-code GONE in the trailers', async () => {
    const call = (id: string) => new Promise<ServiceError | null>((resolve) => diffusion['GetGeneration']!.call(diffusion, { id }, (error) => resolve(error)));
    const error = await call(beforeRestart);
    expect(error?.metadata.get('error-code')).toEqual(['GONE']);
    expect(error?.details).toMatch(/before this server restarted/);
    expect((await call(neverExisted))?.metadata.get('error-code')).toEqual(['NOT_FOUND']);
  });
});

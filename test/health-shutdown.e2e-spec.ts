/** Probes (REST and gRPC health) and graceful shutdown, against the real app. */
import { credentials, status, type Client, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { createApp } from '../src/create-app';
import { GrpcServer } from '../src/app/grpc.server';
import { loadProtos } from '../src/transports/grpc/grpc-protos';
import { TINY_PRESET } from '../src/model-generator/config/presets';
import { ensureModelDirectory } from '../src/model-generator/ensure-model-directory';
import { appShutdownSteps } from '../src/app/app-shutdown-steps';
import { installGracefulShutdown } from '../src/observability/shutdown/graceful-shutdown';
import { testAppConfig } from './support/test-app-config';
import { waitUntilReady } from './support/wait-until-ready';

function check(client: Client, service = ''): Promise<{ status?: string; error?: ServiceError }> {
  return new Promise((resolve) =>
    (client as unknown as { Check: (r: unknown, cb: (e: ServiceError | null, r: { status: string }) => void) => void }).Check({ service }, (error, response) => resolve(error ? { error } : { status: response.status })),
  );
}

describe('health probes', () => {
  let app: NestExpressApplication;
  beforeAll(async () => {
    app = await createApp(testAppConfig({ AFD_ALLOW_OPEN: 'false', AFD_API_KEYS: JSON.stringify({ keys: [{ name: 'k', sha256: 'a'.repeat(64) }] }) }));
    await app.init();
  }, 120_000);
  afterAll(() => app.close());

  it('answers liveness at once and readiness once the default checkpoint is warmed up, without a key', async () => {
    const live = await request(app.getHttpServer()).get('/health/live').expect(200);
    expect(live.body).toMatchObject({ status: 'ok', info: { process: { status: 'up' } } });
    await waitUntilReady(app);
    const ready = await request(app.getHttpServer()).get('/health/ready').expect(200);
    expect(ready.body).toMatchObject({ status: 'ok', info: { model: { status: 'up', warmedUp: true, draining: false, defaultCheckpoint: 'final' } } });
    // The API itself still needs a key.
    await request(app.getHttpServer()).get('/v1/checkpoints').expect(401);
  });

  it('answers gRPC health SERVING when ready', async () => {
    await waitUntilReady(app);
    const health = new (loadProtos().health)(`127.0.0.1:${app.get(GrpcServer).port}`, credentials.createInsecure());
    try {
      expect(await check(health)).toEqual({ status: 'SERVING' });
      expect(await check(health, 'afrofashion.v1.DiffusionService')).toEqual({ status: 'SERVING' });
    } finally {
      health.close();
    }
  });
});

describe('graceful shutdown', () => {
  it('on SIGTERM: refuses new work with 503, reports not ready, lets the running generation finish, exits 0', async () => {
    const app = await createApp(testAppConfig({ AFD_SHUTDOWN_GRACE_SECONDS: '60' }));
    await app.listen(0, '127.0.0.1');
    await waitUntilReady(app);
    const http = () => request(app.getHttpServer());
    const exits: number[] = [];
    const shutdown = installGracefulShutdown(app, { graceMs: 60_000, logger: console, exit: (code) => exits.push(code), signals: [], steps: appShutdownSteps(app) });

    const started = await http().post('/v1/generations').set('Prefer', 'respond-async').send({ prompt: 'red kente dress', width: 512, height: 512, steps: 150, seed: 3 }).expect(202);
    const id = started.body.id as string;
    const events: string[] = [];
    const sse = http()
      .get(`/v1/generations/${id}/events`)
      .buffer(true)
      .parse((res, done) => {
        res.on('data', (chunk: Buffer) => events.push(chunk.toString()));
        res.on('end', () => done(null, null));
      });
    const sseDone = sse.then(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 50));

    const closing = shutdown('SIGTERM');
    const refused = await http().post('/v1/generations').send({ prompt: 'x', width: 64, height: 64, steps: 1 }).expect(503);
    expect(refused.body).toMatchObject({ code: 'UNAVAILABLE', message: expect.stringMatching(/shutting down/) });
    expect(refused.headers['retry-after']).toBe('1');
    const ready = await http().get('/health/ready').expect(503);
    expect(ready.body).toMatchObject({ status: 'error', error: { model: { status: 'down', draining: true } } });

    await sseDone;
    await closing;
    const stream = events.join('');
    expect(stream).toMatch(/event: done\ndata: \{"status":"succeeded"/);
    expect(exits).toEqual([0]);
  });
});

describe('gRPC server shutdown (app.close() alone, 1 s grace)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'afd-grpc-shutdown-'));
    writeFileSync(join(dir, 'registry.json'), JSON.stringify({ checkpoints: [{ id: 'tiny', path: ensureModelDirectory(TINY_PRESET), default: true, pinned: true }] }));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('never cuts a Generate stream whose job still runs: after the grace the job ends and the stream gets UNAVAILABLE "server shutting down"', async () => {
    const app = await createApp(testAppConfig({ AFD_REGISTRY: join(dir, 'registry.json'), AFD_SHUTDOWN_GRACE_SECONDS: '1' }));
    await app.init();
    await waitUntilReady(app);
    const client = new (loadProtos().diffusion)(`127.0.0.1:${app.get(GrpcServer).port}`, credentials.createInsecure());
    try {
      // 384 × 384 on the tiny model: 40 steps take many times the grace period.
      const call = (client as unknown as { Generate: (r: unknown) => ClientReadableStream<{ progress?: { step: number }; result?: unknown }> }).Generate({ prompt: 'kente', width: 384, height: 384, steps: 40, seed: '1' });
      const messages: { progress?: { step: number }; result?: unknown }[] = [];
      const stepping = new Promise<void>((resolve) =>
        call.on('data', (m: { progress?: { step: number }; result?: unknown }) => {
          messages.push(m);
          if ((m.progress?.step ?? 0) >= 1) resolve();
        }),
      );
      const ended = new Promise<{ code: number; details: string }>((resolve) => {
        call.on('error', (e: ServiceError) => resolve({ code: e.code, details: e.details }));
        call.on('status', (s: { code: number; details: string }) => s.code === status.OK && resolve(s));
      });
      await stepping;
      await app.close();
      expect(await ended).toEqual({ code: status.UNAVAILABLE, details: 'server shutting down' });
      expect(messages.some((m) => m.result !== undefined)).toBe(false);
    } finally {
      client.close();
    }
  });
});

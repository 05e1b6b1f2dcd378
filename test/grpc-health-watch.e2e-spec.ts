/**
 * grpc.health.v1.Health/Watch against the real app: the status now, then each change as readiness
 * changes (a drain), SERVICE_UNKNOWN for a service not served, and at shutdown NOT_SERVING and the
 * end of the call, without holding the server open for its grace period.
 */
import { credentials, makeGenericClientConstructor, Metadata, status, type Client, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { GrpcServer } from '../src/app/grpc.server';
import { createApp } from '../src/create-app';
import { ReadinessService } from '../src/observability/health/readiness.service';
import { loadProtos } from '../src/transports/grpc/grpc-protos';
import { testAppConfig } from './support/test-app-config';
import { waitUntilReady } from './support/wait-until-ready';

type HealthClient = Client & { Watch(request: { service?: string }): ClientReadableStream<{ status: string }> };

/** A Watch call's messages and its end (the final status code). */
function watch(client: HealthClient, service: string): { statuses: string[]; next(count: number): Promise<void>; ended: Promise<number> } {
  const stream = client.Watch({ service });
  const statuses: string[] = [];
  const waiting: Array<{ count: number; resolve: () => void }> = [];
  stream.on('data', (message: { status: string }) => {
    statuses.push(message.status);
    for (const w of waiting.filter((x) => statuses.length >= x.count)) w.resolve();
  });
  const ended = new Promise<number>((resolve) => {
    stream.on('error', (error: ServiceError) => resolve(error.code));
    stream.on('status', (s: { code: number }) => resolve(s.code));
  });
  return {
    statuses,
    next: (count) => (statuses.length >= count ? Promise.resolve() : new Promise<void>((resolve) => waiting.push({ count, resolve }))),
    ended,
  };
}

async function readyApp(): Promise<{ app: NestExpressApplication; health: HealthClient }> {
  // A long grace period: a Watch call that held the gRPC server open would hold app.close() past the test's timeout.
  const app = await createApp(testAppConfig({ AFD_SHUTDOWN_GRACE_SECONDS: '120' }));
  await app.init();
  await waitUntilReady(app);
  const health = new (loadProtos().health)(`127.0.0.1:${app.get(GrpcServer).port}`, credentials.createInsecure()) as unknown as HealthClient;
  return { app, health };
}

describe('gRPC health Watch', () => {
  it('sends SERVING, then NOT_SERVING when readiness drops; SERVICE_UNKNOWN for a service not served', async () => {
    const { app, health } = await readyApp();
    try {
      const server = watch(health, '');
      const diffusion = watch(health, 'afrofashion.v1.DiffusionService');
      const unknown = watch(health, 'nope.v1.Nothing');
      await Promise.all([server.next(1), diffusion.next(1), unknown.next(1)]);
      expect([server.statuses, diffusion.statuses, unknown.statuses]).toEqual([['SERVING'], ['SERVING'], ['SERVICE_UNKNOWN']]);

      // Readiness drops (as on SIGTERM's first step, before the gRPC server closes).
      app.get(ReadinessService).beginDrain();
      await Promise.all([server.next(2), diffusion.next(2)]);
      expect([server.statuses, diffusion.statuses, unknown.statuses]).toEqual([['SERVING', 'NOT_SERVING'], ['SERVING', 'NOT_SERVING'], ['SERVICE_UNKNOWN']]);
    } finally {
      await app.close();
      health.close();
    }
  }, 60_000);

  it('refuses hostile requests on Watch and Check with INVALID_ARGUMENT naming the request, with or without a key', async () => {
    const { app, health } = await readyApp();
    const identity = (bytes: Buffer): Buffer => bytes;
    const method = (name: string, responseStream: boolean) => ({
      path: `/grpc.health.v1.Health/${name}`,
      requestStream: false,
      responseStream,
      requestSerialize: identity,
      requestDeserialize: identity,
      responseSerialize: identity,
      responseDeserialize: identity,
    });
    const Raw = makeGenericClientConstructor({ Watch: method('Watch', true), Check: method('Check', false) }, 'RawHealth');
    const raw = new Raw(`127.0.0.1:${app.get(GrpcServer).port}`, credentials.createInsecure()) as unknown as Client & {
      Watch(bytes: Buffer, metadata: Metadata): ClientReadableStream<Buffer>;
      Check(bytes: Buffer, metadata: Metadata, callback: (error: ServiceError | null) => void): void;
    };
    const keyed = new Metadata();
    keyed.set('authorization', 'Bearer afd_not-a-key-the-server-knows');
    // Field 1 (service) declared 127 bytes long with one byte left; then a string that is not UTF-8.
    const hostile = [Buffer.from([0x0a, 0x7f, 0x61]), Buffer.from([0x0a, 0x02, 0xff, 0xfe])];
    try {
      for (const bytes of hostile) {
        for (const metadata of [new Metadata(), keyed]) {
          const watched = await new Promise<ServiceError>((resolve) => {
            const stream = raw.Watch(bytes, metadata);
            stream.on('data', () => undefined);
            stream.on('error', resolve);
          });
          const checked = await new Promise<ServiceError | null>((resolve) => raw.Check(bytes, metadata, resolve));
          for (const error of [watched, checked]) {
            expect(error?.code).toBe(status.INVALID_ARGUMENT);
            expect(error?.details).toMatch(/^request: is not a valid grpc\.health\.v1\.HealthCheckRequest message \(field 1 \(service\)/);
            expect(error?.metadata.get('error-field')).toEqual(['request']);
          }
        }
      }
    } finally {
      raw.close();
      health.close();
      await app.close();
    }
  }, 60_000);

  it('at shutdown: NOT_SERVING at once, then the call ends OK and the server closes', async () => {
    const { app, health } = await readyApp();
    const server = watch(health, '');
    await server.next(1);
    expect(server.statuses).toEqual(['SERVING']);
    await app.close();
    expect(server.statuses).toEqual(['SERVING', 'NOT_SERVING']);
    expect(await server.ended).toBe(status.OK);
    health.close();
  }, 60_000);
});

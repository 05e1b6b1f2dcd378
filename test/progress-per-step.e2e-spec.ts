/**
 * A generation of several images sends one progress event per step, not one per image, on every
 * transport: SSE, the GraphQL subscription and gRPC Generate.
 */
import { credentials, Metadata, type Client, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createClient, type Client as WsClient } from 'graphql-ws';
import WebSocket from 'ws';
import { createApp } from '../src/create-app';
import { GrpcServer } from '../src/app/grpc.server';
import { loadProtos } from '../src/transports/grpc/grpc-protos';
import { testAppConfig } from './support/test-app-config';

const STEPS = 40;
/** Four images, and long enough (about a second) that a subscriber opened right after submitting sees most steps. */
const FOUR_IMAGES = { prompt: 'red kente dress', width: 512, height: 512, steps: STEPS, numImages: 4, seed: 11, scheduler: 'euler' };

type Streaming = (request: unknown, metadata: Metadata) => ClientReadableStream<unknown>;

/** The steps a subscriber saw, from its first event: each once, one after the other, up to the last. */
function expectOneEventPerStep(steps: readonly number[]): void {
  const first = steps[0] as number;
  // Enough steps seen that one event per image would have shown.
  expect(steps.length).toBeGreaterThan(STEPS / 4);
  expect(steps).toEqual(Array.from({ length: STEPS - first + 1 }, (_, i) => first + i));
}

describe('progress: one event per step of a generation, whatever its number of images', () => {
  let app: NestExpressApplication;
  let baseUrl: string;
  let diffusion: Client;
  let ws: WsClient;

  const startAsync = async (): Promise<string> => {
    const res = await fetch(`${baseUrl}/v1/generations`, { method: 'POST', headers: { 'content-type': 'application/json', prefer: 'respond-async' }, body: JSON.stringify(FOUR_IMAGES) });
    expect(res.status).toBe(202);
    return ((await res.json()) as { id: string }).id;
  };

  beforeAll(async () => {
    app = await createApp(testAppConfig());
    await app.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    diffusion = new (loadProtos().diffusion)(`127.0.0.1:${app.get(GrpcServer).port}`, credentials.createInsecure());
    ws = createClient({ url: `${baseUrl.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true });
  }, 120_000);
  afterAll(async () => {
    await ws?.dispose();
    diffusion?.close();
    await app?.close();
  });

  it('SSE: numImages 4 gives exactly one progress event per step, then done', async () => {
    const id = await startAsync();
    const res = await fetch(`${baseUrl}/v1/generations/${id}/events`);
    expect(res.status).toBe(200);
    const blocks = (await res.text()).split('\n\n').filter((b) => b.trim() !== '');
    const events = blocks.map((b) => ({ event: /^event: (\w+)/.exec(b)?.[1], data: JSON.parse(b.slice(b.indexOf('data: ') + 6)) as { step: number; status: string } }));
    expect(events.at(-1)).toEqual({ event: 'done', data: { status: 'succeeded', step: STEPS, totalSteps: STEPS } });
    expectOneEventPerStep(events.filter((e) => e.event === 'progress').map((e) => e.data.step));
  });

  it('GraphQL subscription: numImages 4 gives exactly one PROGRESS per step, then DONE', async () => {
    const id = await startAsync();
    const seen: { kind: string; step: number }[] = [];
    for await (const message of ws.iterate<{ generationEvents: { kind: string; step: number } }>({ query: `subscription { generationEvents(id: "${id}") { kind step } }` })) {
      seen.push(message.data!.generationEvents);
    }
    expect(seen.at(-1)).toEqual({ kind: 'DONE', step: STEPS });
    expectOneEventPerStep(seen.filter((e) => e.kind === 'PROGRESS').map((e) => e.step));
  });

  it('gRPC Generate: numImages 4 streams the state at submission and exactly one progress message per step, then the result', async () => {
    const messages = await new Promise<{ progress?: { step: number }; result?: { images: unknown[] } }[]>((resolve, reject) => {
      const call = (diffusion as unknown as Record<string, Streaming>)['Generate']!.call(diffusion, FOUR_IMAGES, new Metadata());
      const received: { progress?: { step: number } }[] = [];
      call.on('data', (m: { progress?: { step: number } }) => received.push(m));
      call.on('error', (error: ServiceError) => reject(error));
      call.on('end', () => resolve(received));
    });
    // Subscribed before the first step: every step, each once.
    const steps = messages.filter((m) => m.progress).map((m) => m.progress!.step);
    expect(steps).toEqual(Array.from({ length: STEPS + 1 }, (_, i) => i));
    expect(messages.at(-1)?.result?.images).toHaveLength(4);
  });
});

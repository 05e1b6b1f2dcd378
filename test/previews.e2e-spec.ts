/**
 * Progress previews on every transport (issue 15): with `preview: true` progress events carry a
 * small WebP of the first image as the model predicts it at that step, every `previewInterval` steps
 * and at the last; it decodes, has the request's aspect ratio and changes as the image forms. Bad
 * preview settings are refused naming the field; without `preview` events are as before.
 */
import { credentials, Metadata, status, type Client, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createClient, type Client as WsClient } from 'graphql-ws';
import sharp from 'sharp';
import WebSocket from 'ws';
import { createApp } from '../src/create-app';
import { GrpcServer } from '../src/app/grpc.server';
import { TINY_PRESET } from '../src/model-generator/config/presets';
import { ensureModelDirectory } from '../src/model-generator/ensure-model-directory';
import { loadProtos } from '../src/transports/grpc/grpc-protos';
import { testAppConfig } from './support/test-app-config';

const STEPS = 30;
/**
 * Portrait 2:3, long enough (about a second) that a subscriber opened after submitting sees previews.
 * On the tiny generated model (random weights) the predicted image keeps changing step after step;
 * the demo release's exact denoiser settles on its swatch within two steps.
 */
const REQUEST = { prompt: 'a woman in a red and gold kente dress', width: 192, height: 288, steps: STEPS, seed: 5, scheduler: 'euler-a', preview: true, previewInterval: 5 };

type Streaming = (request: unknown, metadata: Metadata) => ClientReadableStream<unknown>;
interface Preview {
  readonly step: number;
  readonly bytes: Buffer;
}

/** Every preview decodes as WebP at 2:3, steps are multiples of the interval (or the last), and the picture changes. */
async function expectPreviews(previews: readonly Preview[]): Promise<void> {
  expect(previews.length).toBeGreaterThanOrEqual(2);
  for (const { step, bytes } of previews) {
    expect(step % 5 === 0 || step === STEPS).toBe(true);
    const meta = await sharp(bytes).metadata();
    expect(meta.format).toBe('webp');
    expect(Math.abs((meta.width ?? 0) / (meta.height ?? 1) - 2 / 3)).toBeLessThan(0.05);
    expect(bytes.length).toBeLessThan(16 * 1024);
  }
  const first = await sharp(previews[0]!.bytes).raw().toBuffer();
  const last = await sharp(previews.at(-1)!.bytes).raw().toBuffer();
  expect(first.equals(last)).toBe(false);
}

describe('progress previews on REST (SSE), GraphQL and gRPC', () => {
  let app: NestExpressApplication;
  let baseUrl: string;
  let diffusion: Client;
  let ws: WsClient;
  let dir: string;

  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${baseUrl}/v1/generations`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const startAsync = async (body: unknown): Promise<string> => {
    const res = await post(body, { prefer: 'respond-async' });
    expect(res.status).toBe(202);
    return ((await res.json()) as { id: string }).id;
  };
  const sseEvents = async (id: string) => {
    const blocks = (await (await fetch(`${baseUrl}/v1/generations/${id}/events`)).text()).split('\n\n').filter((b) => b.trim() !== '');
    return blocks.map((b) => ({ event: /^event: (\w+)/.exec(b)?.[1], data: JSON.parse(b.slice(b.indexOf('data: ') + 6)) as Record<string, unknown> }));
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'afd-previews-'));
    writeFileSync(join(dir, 'registry.json'), JSON.stringify({ checkpoints: [{ id: 'tiny', path: ensureModelDirectory(TINY_PRESET), default: true, pinned: true }] }));
    app = await createApp(testAppConfig({ AFD_REGISTRY: join(dir, 'registry.json') }));
    await app.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    diffusion = new (loadProtos().diffusion)(`127.0.0.1:${app.get(GrpcServer).port}`, credentials.createInsecure());
    ws = createClient({ url: `${baseUrl.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0, lazy: false });
  }, 120_000);
  afterAll(async () => {
    await ws?.dispose();
    diffusion?.close();
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('SSE: progress events carry decodable previews at the interval; without preview, none', async () => {
    const events = await sseEvents(await startAsync(REQUEST));
    expect(events.at(-1)?.event).toBe('done');
    const previews = events
      .filter((e) => e.event === 'progress' && e.data['preview'])
      .map((e) => {
        const preview = e.data['preview'] as { mimeType: string; base64: string };
        expect(preview.mimeType).toBe('image/webp');
        return { step: e.data['step'] as number, bytes: Buffer.from(preview.base64, 'base64') };
      });
    await expectPreviews(previews);
    const without = await sseEvents(await startAsync({ ...REQUEST, preview: false, previewInterval: undefined }));
    expect(without.every((e) => e.data['preview'] === undefined)).toBe(true);
    expect(Object.keys(without[0]!.data).sort()).toEqual(['etaMs', 'status', 'step', 'totalSteps']);
  });

  it('GraphQL: the subscription\'s PROGRESS events carry previews', async () => {
    const id = await startAsync(REQUEST);
    const previews: Preview[] = [];
    const query = `subscription { generationEvents(id: "${id}") { kind step preview { mimeType width height base64 } } }`;
    type Event = { kind: string; step: number; preview: { mimeType: string; width: number; height: number; base64: string } | null };
    for await (const message of ws.iterate<{ generationEvents: Event }>({ query })) {
      const event = message.data!.generationEvents;
      if (event.preview) previews.push({ step: event.step, bytes: Buffer.from(event.preview.base64, 'base64') });
    }
    await expectPreviews(previews);
  });

  it('gRPC: Generate\'s progress messages carry previews', async () => {
    const messages = await new Promise<{ progress?: { step: number; preview?: { mimeType: string; data: Buffer } } }[]>((resolve, reject) => {
      const call = (diffusion as unknown as Record<string, Streaming>)['Generate']!.call(diffusion, { ...REQUEST, seed: '5' }, new Metadata());
      const received: { progress?: { step: number; preview?: { mimeType: string; data: Buffer } } }[] = [];
      call.on('data', (m: (typeof received)[number]) => received.push(m));
      call.on('error', (error: ServiceError) => reject(error));
      call.on('end', () => resolve(received));
    });
    const previews = messages.filter((m) => m.progress?.preview).map((m) => ({ step: m.progress!.step, bytes: m.progress!.preview!.data }));
    // Subscribed before the first step: every fifth step and the last.
    expect(previews.map((p) => p.step)).toEqual([5, 10, 15, 20, 25, 30]);
    await expectPreviews(previews);
  });

  it('refuses bad preview settings naming the field, on every transport', async () => {
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ preview: 'yes' }, 'preview', /^preview: must be true or false/],
      [{ preview: true, previewInterval: 0 }, 'previewInterval', /^previewInterval: must be an integer from 1 to the number of steps/],
      [{ preview: true, previewInterval: 31 }, 'previewInterval', /^previewInterval: must be an integer from 1 to the number of steps \(30\)/],
      [{ previewInterval: 2 }, 'previewInterval', /^previewInterval: is for previews/],
    ];
    const base = { prompt: 'red dress', width: 64, height: 64, steps: 30 };
    for (const [fields, field, message] of cases) {
      const res = await post({ ...base, ...fields });
      expect({ fields, status: res.status }).toEqual({ fields, status: 400 });
      expect(await res.json()).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(message), details: { field } });
    }
    // GraphQL types `preview` as Boolean; the interval's rules are the domain's.
    const graphql = await fetch(`${baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'mutation($input: GenerateInput!) { generate(input: $input) { id } }', variables: { input: { ...base, preview: true, previewInterval: 0 } } }),
    });
    const body = (await graphql.json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
    expect(body.errors[0]).toMatchObject({ message: expect.stringMatching(/^previewInterval: must be an integer from 1/), extensions: { code: 'INVALID_ARGUMENT' } });
    const grpcError = await new Promise<ServiceError>((resolve) => {
      const call = (diffusion as unknown as Record<string, Streaming>)['Generate']!.call(diffusion, { ...base, previewInterval: 2 }, new Metadata());
      call.on('data', () => undefined);
      call.on('error', resolve);
    });
    expect({ code: grpcError.code, details: grpcError.details }).toEqual({ code: status.INVALID_ARGUMENT, details: expect.stringMatching(/^previewInterval: is for previews/) });
  });
});

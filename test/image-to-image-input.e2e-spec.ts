/**
 * Image to image's inputs on every transport (issue 16), open and with API keys, on the real
 * application: the demo release's `final` (which has a VAE encoder) and a generated checkpoint
 * without one. Hostile init images and strengths are refused naming the field (the tables in
 * test/bad-input-corpus/init-image-cases.ts); a good one runs, and the generation says it was image
 * to image (its strength, never its pixels) in REST, GraphQL and gRPC and in the PNG's parameters.
 */
import { credentials, Metadata, status, type Client, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { hashApiKey } from '../src/auth/api-keys';
import { GrpcServer } from '../src/app/grpc.server';
import { createApp } from '../src/create-app';
import { readPngTextChunks } from '../src/engine/image/png-text-chunk';
import { TINY_PRESET } from '../src/model-generator/config/presets';
import { ensureDemoRelease, demoCheckpointDir } from '../src/model-generator/demo';
import { ensureModelDirectory } from '../src/model-generator/ensure-model-directory';
import { loadProtos } from '../src/transports/grpc/grpc-protos';
import type { GraphqlCase } from './bad-input-corpus/graphql-cases';
import type { GrpcCase } from './bad-input-corpus/grpc-cases';
import {
  INIT_IMAGES,
  initImageGraphqlCases,
  initImageGrpcCases,
  initImageHugeFileCases,
  initImageRestCases,
  multipart,
  noEncoderGraphqlCases,
  noEncoderGrpcCases,
  noEncoderRestCases,
} from './bad-input-corpus/init-image-cases';
import { sendRaw, type RawResponse } from './bad-input-corpus/raw-http';
import type { RestCase } from './bad-input-corpus/rest-case';
import { testAppConfig } from './support/test-app-config';

const KEY = 'afd_init-image-key-0123456789abcdefghijklmnopq';
const KEYS = JSON.stringify({ keys: [{ name: 'init-image', tier: 'internal', roles: [], sha256: hashApiKey(KEY) }] });
const DEADLINE_MS = 60_000;
const WITH_ENCODER = 'final';
const WITHOUT_ENCODER = 'tiny';

const REST: readonly RestCase[] = [...initImageRestCases(WITH_ENCODER), ...initImageHugeFileCases(WITH_ENCODER), ...noEncoderRestCases(WITHOUT_ENCODER)];
const GRAPHQL: readonly GraphqlCase[] = [...initImageGraphqlCases(WITH_ENCODER), ...noEncoderGraphqlCases(WITHOUT_ENCODER)];
const GRPC: readonly GrpcCase[] = [...initImageGrpcCases(WITH_ENCODER), ...noEncoderGrpcCases(WITHOUT_ENCODER)];

type Unary = (request: unknown, metadata: Metadata, options: { deadline: number }, callback: (error: ServiceError | null, response: unknown) => void) => void;
type Streaming = (request: unknown, metadata: Metadata, options: { deadline: number }) => ClientReadableStream<unknown>;

let dir: string;
let registry: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'afd-init-image-'));
  registry = join(dir, 'registry.json');
  const checkpoints = [
    { id: WITH_ENCODER, path: demoCheckpointDir(ensureDemoRelease(), 'final'), default: true, pinned: true },
    { id: WITHOUT_ENCODER, path: ensureModelDirectory(TINY_PRESET), pinned: false },
  ];
  writeFileSync(registry, JSON.stringify({ checkpoints }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each([
  ['open, no key', {}, undefined],
  ['with API keys', { AFD_ALLOW_OPEN: 'false', AFD_API_KEYS: KEYS }, KEY],
] as const)('image to image inputs (%s)', (_mode, overrides, key) => {
  let app: NestExpressApplication;
  let port: number;
  let diffusion: Client;
  const auth: Record<string, string> = key ? { authorization: `Bearer ${key}` } : {};
  const send = (method: string, path: string, headers: Readonly<Record<string, string>> = {}, body?: Buffer): Promise<RawResponse> => sendRaw(port, { method, path, headers: { ...auth, ...headers }, body });
  const metadata = (): Metadata => {
    const m = new Metadata();
    if (key) m.set('authorization', `Bearer ${key}`);
    return m;
  };

  function grpc(method: string, stream: boolean, request: unknown): Promise<{ messages: unknown[]; error?: ServiceError }> {
    const deadline = Date.now() + DEADLINE_MS;
    const client = diffusion as unknown as Record<string, Unary & Streaming>;
    return new Promise((resolve) => {
      if (!stream) {
        (client[method] as Unary).call(diffusion, request, metadata(), { deadline }, (error, response) => resolve(error ? { messages: [], error } : { messages: [response] }));
        return;
      }
      const messages: unknown[] = [];
      const call = (client[method] as Streaming).call(diffusion, request, metadata(), { deadline });
      call.on('data', (message: unknown) => messages.push(message));
      call.on('error', (error: ServiceError) => resolve({ messages, error }));
      call.on('end', () => resolve({ messages }));
    });
  }

  beforeAll(async () => {
    app = await createApp(testAppConfig({ ...overrides, AFD_REGISTRY: registry }));
    await app.listen(0, '127.0.0.1');
    port = (app.getHttpServer().address() as { port: number }).port;
    diffusion = new (loadProtos().diffusion)(`127.0.0.1:${app.get(GrpcServer).port}`, credentials.createInsecure());
  }, 120_000);

  afterAll(async () => {
    diffusion?.close();
    await app?.close();
  });

  describe(`REST: ${REST.length} cases`, () => {
    it.each(REST.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
      const res = await send(c.method, c.path, c.headers, c.body);
      expect({ status: res.status, body: res.json }).toMatchObject({ status: c.status, body: { code: c.code, message: expect.stringMatching(c.message ?? /\S/), details: expect.objectContaining({ field: c.field }) } });
    });
  });

  describe(`GraphQL: ${GRAPHQL.length} cases`, () => {
    it.each(GRAPHQL.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
      const res = await send('POST', '/graphql', c.headers, c.body);
      if (c.status !== undefined) expect(res.status).toBe(c.status);
      expect(res.status).toBeLessThan(500);
      const error = (res.json as { errors?: Array<{ message: string; extensions: { code: string; details: unknown } }> }).errors?.[0];
      const details = c.field !== undefined ? expect.objectContaining({ field: c.field }) : expect.any(Object);
      expect(error).toMatchObject({ message: expect.stringMatching(c.message), extensions: { code: c.code, details } });
    });
  });

  describe(`gRPC: ${GRPC.length} cases`, () => {
    it.each(GRPC.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
      const { messages, error } = await grpc(c.method, c.stream, c.request);
      expect(messages).toEqual([]);
      expect({ code: error?.code === undefined ? undefined : status[error.code], details: error?.details }).toEqual({ code: status[c.code], details: expect.stringMatching(c.message) });
      expect(error?.metadata.get('error-field')).toEqual([c.field]);
      if (/pixels/.test(c.name)) expect(error?.metadata.get('error-code')).toEqual(['TOO_LARGE']);
    });
  });

  describe('a good init image runs, and the generation says it was image to image', () => {
    const body = { prompt: 'red kente dress', width: 64, height: 64, steps: 4, seed: 3, strength: 0.6 };

    it('REST JSON (a data URL) and multipart: imageToImage.strength in the view, Denoising strength in the PNG', async () => {
      const json = await send('POST', '/v1/generations', { 'content-type': 'application/json' }, Buffer.from(JSON.stringify({ ...body, initImage: `data:image/png;base64,${INIT_IMAGES.png.toString('base64')}` })));
      expect(json.status).toBe(201);
      expect(json.json).toMatchObject({ status: 'succeeded', imageToImage: { strength: 0.6 } });
      const form = multipart(body, { initImage: INIT_IMAGES.png });
      const uploaded = await send('POST', '/v1/generations', form.headers, form.body);
      expect(uploaded.status).toBe(201);
      const view = uploaded.json as { imageToImage?: { strength: number }; images: Array<{ url: string }> };
      expect(view.imageToImage).toEqual({ strength: 0.6 });
      expect(JSON.stringify(view)).not.toMatch(/iVBOR/);
      const png = await fetch(`http://127.0.0.1:${port}${view.images[0]!.url}`, { headers: auth });
      const parameters = readPngTextChunks(Buffer.from(await png.arrayBuffer())).get('parameters');
      expect(parameters).toMatch(/, Denoising strength: 0\.6(,|$)/);
      // Text to image says nothing of the kind.
      const plain = await send('POST', '/v1/generations', { 'content-type': 'application/json' }, Buffer.from(JSON.stringify({ ...body, strength: undefined })));
      expect(plain.json).not.toHaveProperty('imageToImage');
    });

    it('GraphQL: generate with initImage (base64) answers imageToImage { strength }', async () => {
      const query = 'mutation($input: GenerateInput!) { generate(input: $input, wait: true) { status imageToImage { strength } } }';
      const res = await send('POST', '/graphql', { 'content-type': 'application/json' }, Buffer.from(JSON.stringify({ query, variables: { input: { ...body, initImage: INIT_IMAGES.png.toString('base64') } } })));
      expect(res.json).toEqual({ data: { generate: { status: 'SUCCEEDED', imageToImage: { strength: 0.6 } } } });
    });

    it('gRPC: Generate with init_image bytes; GetGeneration says image_to_image.strength', async () => {
      const { messages, error } = await grpc('Generate', true, { ...body, seed: '3', initImage: INIT_IMAGES.png });
      expect(error).toBeUndefined();
      const id = (messages.at(-1) as { result: { id: string } }).result.id;
      const { messages: [generation] } = await grpc('GetGeneration', false, { id });
      expect(generation).toMatchObject({ status: 'GENERATION_STATUS_SUCCEEDED', imageToImage: { strength: 0.6 } });
    });
  });
});

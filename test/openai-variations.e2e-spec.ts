/**
 * OpenAI's createVariation with the official `openai` npm package as the client, against the real
 * application with API keys: the demo release's `final` (which has a VAE encoder) and a generated
 * checkpoint without one. A variation is the native image to image with an empty prompt and
 * strength 0.6 (the same bytes as POST /v1/generations with those fields), answered as base64 or
 * URLs; a non-image, a GIF, a bad size and a checkpoint without an encoder are the SDK's
 * BadRequestError naming the param.
 */
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import OpenAI, { toFile } from 'openai';
import type { ImageCreateVariationParams } from 'openai/resources/images';
import sharp from 'sharp';
import { hashApiKey } from '../src/auth/api-keys';
import { createApp } from '../src/create-app';
import { TINY_PRESET } from '../src/model-generator/config/presets';
import { demoCheckpointDir, ensureDemoRelease } from '../src/model-generator/demo';
import { ensureModelDirectory } from '../src/model-generator/ensure-model-directory';
import { INIT_IMAGES, multipart } from './bad-input-corpus/init-image-cases';
import { testAppConfig } from './support/test-app-config';
import { waitUntilReady } from './support/wait-until-ready';

const KEY = 'afd_openai-variation-key-0123456789abcdefghijklm';
const KEYS = JSON.stringify({ keys: [{ name: 'partner', tier: 'internal', roles: [], sha256: hashApiKey(KEY) }] });
const WITH_ENCODER = 'final';
const WITHOUT_ENCODER = 'tiny';

/** OpenAI's request with this server's sizes and extensions (the SDK sends every body field as a text part). */
type Params = Omit<ImageCreateVariationParams, 'size'> & { size?: string; seed?: number | string; steps?: number; prompt?: string; strength?: number; scheduler?: string };

describe('OpenAI-compatible image variations (official openai SDK)', () => {
  let dir: string;
  let png: string;
  let app: NestExpressApplication;
  let port: number;
  let openai: OpenAI;
  const vary = (params: Params) => openai.images.createVariation(params as unknown as ImageCreateVariationParams);
  const failure = async (call: Promise<unknown>): Promise<unknown> =>
    call.then(
      () => {
        throw new Error('the call succeeded');
      },
      (error: unknown) => error,
    );

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'afd-openai-variations-'));
    png = join(dir, 'dress.png');
    // A picture with a layout (two colours), so the fitted init image is not uniform.
    const half = await sharp({ create: { width: 48, height: 32, channels: 3, background: '#c8202d' } })
      .composite([{ input: { create: { width: 24, height: 32, channels: 3, background: '#f0c020' } }, left: 24, top: 0 }])
      .png()
      .toBuffer();
    writeFileSync(png, half);
    const registry = join(dir, 'registry.json');
    const checkpoints = [
      { id: WITH_ENCODER, path: demoCheckpointDir(ensureDemoRelease(), 'final'), default: true, pinned: true },
      { id: WITHOUT_ENCODER, path: ensureModelDirectory(TINY_PRESET), pinned: false },
    ];
    writeFileSync(registry, JSON.stringify({ checkpoints }));
    app = await createApp(testAppConfig({ AFD_ALLOW_OPEN: 'false', AFD_API_KEYS: KEYS, AFD_REGISTRY: registry }));
    await app.listen(0, '127.0.0.1');
    port = (app.getHttpServer().address() as { port: number }).port;
    await waitUntilReady(app);
    openai = new OpenAI({ apiKey: KEY, baseURL: `http://127.0.0.1:${port}/v1`, maxRetries: 0 });
  }, 180_000);
  afterAll(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('makes variations of a PNG file stream as b64_json: PNGs of the asked size, seeds counted from `seed`', async () => {
    const res = await vary({ image: createReadStream(png), n: 2, size: '64x64', response_format: 'b64_json', seed: 7, steps: 4 });
    expect(res).toMatchObject({ background: 'opaque', output_format: 'png', size: '64x64' });
    expect(res.data?.map((d) => (d as { seed?: string }).seed)).toEqual(['7', '8']);
    for (const image of res.data ?? []) {
      expect(image.url).toBeUndefined();
      const meta = await sharp(Buffer.from(image.b64_json ?? '', 'base64')).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['png', 64, 64]);
    }
    expect(res.data?.[0]?.b64_json).not.toBe(res.data?.[1]?.b64_json);
  });

  it('is the native image to image with an empty prompt and strength 0.6: the same bytes as POST /v1/generations', async () => {
    const res = await vary({ image: createReadStream(png), size: '64x64', response_format: 'b64_json', seed: 11, steps: 5 });
    const { body, headers } = multipart({ prompt: '', strength: 0.6, checkpoint: WITH_ENCODER, width: 64, height: 64, steps: 5, seed: 11 }, { initImage: await sharp(png).toBuffer() });
    const native = await fetch(`http://127.0.0.1:${port}/v1/generations`, { method: 'POST', headers: { ...headers, authorization: `Bearer ${KEY}`, accept: 'image/png' }, body: new Uint8Array(body) });
    expect(native.status).toBe(200);
    expect(Buffer.from(res.data?.[0]?.b64_json ?? '', 'base64').equals(Buffer.from(await native.arrayBuffer()))).toBe(true);
    // The prompt and strength extensions are honoured: another strength paints another image.
    const stronger = await vary({ image: createReadStream(png), size: '64x64', response_format: 'b64_json', seed: 11, steps: 5, strength: 1, prompt: 'gold kente' });
    expect(stronger.data?.[0]?.b64_json).not.toBe(res.data?.[0]?.b64_json);
  });

  it('takes JPEG and WebP through toFile and answers URLs (the default) served with the same key', async () => {
    for (const format of ['jpeg', 'webp'] as const) {
      const bytes = await sharp(png).toFormat(format).toBuffer();
      const res = await vary({ image: await toFile(bytes, `dress.${format}`, { type: `image/${format}` }), size: '64x128', seed: 3, steps: 2 });
      const url = res.data?.[0]?.url ?? '';
      expect(url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${port}/v1/generations/[^/]+/images/0$`));
      const image = await fetch(url, { headers: { authorization: `Bearer ${KEY}` } });
      expect([image.status, image.headers.get('content-type')]).toEqual([200, 'image/png']);
      const meta = await sharp(Buffer.from(await image.arrayBuffer())).metadata();
      expect([meta.width, meta.height]).toEqual([64, 128]);
    }
  });

  it.each([
    ['a text file', () => toFile(INIT_IMAGES.text, 'notes.png'), {}, 'image', /^image: must be a PNG, JPEG or WebP image, got unrecognised data/],
    ['a GIF', () => toFile(INIT_IMAGES.gif, 'dress.gif'), {}, 'image', /^image: must be a PNG, JPEG or WebP image, got GIF/],
    ['a bad size', () => toFile(INIT_IMAGES.png, 'dress.png'), { size: '100x64' }, 'size', /^size: width must be a multiple of 8/],
    ['a size that is not WxH', () => toFile(INIT_IMAGES.png, 'dress.png'), { size: 'large' }, 'size', /^size: must be WIDTHxHEIGHT/],
    [
      'a checkpoint without a VAE encoder',
      () => toFile(INIT_IMAGES.png, 'dress.png'),
      { model: WITHOUT_ENCODER },
      'image',
      /^image: needs a checkpoint with a usable VAE encoder; checkpoint "tiny" cannot start from an image: the checkpoint has no vae_encoder component/,
    ],
  ])('answers %s with openai.BadRequestError naming the param', async (_name, file, patch, param, message) => {
    const error = await failure(vary({ image: await file(), size: '64x64', steps: 2, ...patch }));
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    const { status, param: named, type, error: body } = error as InstanceType<typeof OpenAI.BadRequestError>;
    expect({ status, param: named, type }).toEqual({ status: 400, param, type: 'invalid_request_error' });
    expect((body as { message: string }).message).toMatch(message);
  });

  it('answers a file over 8 MiB with 413 in OpenAI\'s shape naming image', async () => {
    const huge = Buffer.concat([INIT_IMAGES.png, Buffer.alloc(8 * 1024 * 1024)]);
    const error = await failure(vary({ image: await toFile(huge, 'huge.png'), size: '64x64' }));
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(error).toMatchObject({ status: 413, param: 'image', code: 'request_too_large', type: 'invalid_request_error' });
  });

  it('answers a bad key with openai.AuthenticationError', async () => {
    const stranger = new OpenAI({ apiKey: 'afd_not-a-key', baseURL: `http://127.0.0.1:${port}/v1`, maxRetries: 0 });
    const error = await failure(stranger.images.createVariation({ image: createReadStream(png) }));
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
  });
});

/**
 * The OpenAI-compatible images API with the official `openai` npm package as the client, against the
 * real application (engine, pool, demo release) with API keys: generate as base64 and as URLs, list
 * models, and the SDK's own error classes for bad input, a bad key, an unknown model and the rate
 * limit. The images are the native generations' own: the same request gives the same bytes.
 */
import type { NestExpressApplication } from '@nestjs/platform-express';
import { request as httpRequest } from 'node:http';
import OpenAI from 'openai';
import type { ImageGenerateParamsNonStreaming } from 'openai/resources/images';
import sharp from 'sharp';
import { hashApiKey } from '../src/auth/api-keys';
import { createApp } from '../src/create-app';
import type { GenerationRecord } from '../src/generation/generation-store';
import { Generations } from '../src/generation/generations';
import { sendRaw } from './bad-input-corpus/raw-http';
import { testAppConfig } from './support/test-app-config';
import { waitUntilReady } from './support/wait-until-ready';

const KEY = 'afd_openai-compat-key-0123456789abcdefghijklmno';
const TIGHT_KEY = 'afd_openai-compat-tight-0123456789abcdefghijklm';
const KEYS = JSON.stringify({
  tiers: { tight: { generations: 1, reads: 50 } },
  keys: [
    { name: 'partner', tier: 'internal', roles: [], sha256: hashApiKey(KEY) },
    { name: 'tight', tier: 'tight', roles: [], sha256: hashApiKey(TIGHT_KEY) },
  ],
});

/** OpenAI's request with this server's extensions (the SDK passes unknown body fields through). */
type Params = ImageGenerateParamsNonStreaming & { seed?: number | string; steps?: number; scheduler?: string; negative_prompt?: string; guidance_scale?: number };
const SMALL: Params = { prompt: 'red kente dress', size: '128x64', steps: 2, seed: 7 };

describe('OpenAI-compatible images API (official openai SDK)', () => {
  let app: NestExpressApplication;
  let port: number;
  let baseURL: string;
  let openai: OpenAI;
  const generate = (params: Params, client = openai) => client.images.generate(params as ImageGenerateParamsNonStreaming);
  /** The SDK's error for a call that must fail. */
  const failure = async (call: Promise<unknown>): Promise<unknown> => call.then(
      () => {
        throw new Error('the call succeeded');
      },
      (error: unknown) => error,
    );

  beforeAll(async () => {
    app = await createApp(testAppConfig({ AFD_ALLOW_OPEN: 'false', AFD_API_KEYS: KEYS }));
    await app.listen(0, '127.0.0.1');
    port = (app.getHttpServer().address() as { port: number }).port;
    baseURL = `http://127.0.0.1:${port}/v1`;
    await waitUntilReady(app);
    // No retries: each call is one request, so refusals show as they are.
    openai = new OpenAI({ apiKey: KEY, baseURL, maxRetries: 0 });
  }, 120_000);
  afterAll(() => app?.close());

  it('generates with response_format b64_json: PNGs of the asked size, seeds counted from `seed`', async () => {
    const res = await generate({ ...SMALL, n: 2, response_format: 'b64_json' });
    expect(res.created).toBeGreaterThan(Date.now() / 1000 - 600);
    expect(res).toMatchObject({ background: 'opaque', output_format: 'png', size: '128x64' });
    expect(res.data?.map((d) => (d as { seed?: string }).seed)).toEqual(['7', '8']);
    for (const image of res.data ?? []) {
      expect(image.url).toBeUndefined();
      const meta = await sharp(Buffer.from(image.b64_json ?? '', 'base64')).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['png', 128, 64]);
    }
  });

  it('runs the native generation: the same request gives the same bytes as POST /v1/generations', async () => {
    const res = await generate({ ...SMALL, model: 'checkpoint-40000', response_format: 'b64_json', scheduler: 'euler-a', guidance_scale: 5, negative_prompt: 'blurry' });
    const nativeBytes = await new Promise<Buffer>((resolve) => {
      const outgoing = httpRequest(
        { host: '127.0.0.1', port, method: 'POST', path: '/v1/generations', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', accept: 'image/png' } },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => resolve(Buffer.concat(chunks)));
        },
      );
      outgoing.end(JSON.stringify({ prompt: 'red kente dress', checkpoint: 'checkpoint-40000', width: 128, height: 64, steps: 2, seed: 7, scheduler: 'euler-a', guidanceScale: 5, negativePrompt: 'blurry' }));
    });
    expect(Buffer.from(res.data?.[0]?.b64_json ?? '', 'base64').equals(nativeBytes)).toBe(true);
  });

  it('generates with response_format url (the default): an absolute URL on this server that serves the image with the same key', async () => {
    const res = await generate({ ...SMALL, output_format: 'webp', output_compression: 80 });
    expect(res.output_format).toBe('webp');
    const url = res.data?.[0]?.url ?? '';
    expect(url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${port}/v1/generations/[^/]+/images/0$`));
    expect(res.data?.[0]?.b64_json).toBeUndefined();
    const image = await fetch(url, { headers: { authorization: `Bearer ${KEY}` } });
    expect([image.status, image.headers.get('content-type')]).toEqual([200, 'image/webp']);
    const meta = await sharp(Buffer.from(await image.arrayBuffer())).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['webp', 128, 64]);
    // Not without it: the URL is no bearer token.
    expect((await fetch(url)).status).toBe(401);
  });

  it('lists the checkpoints as models and reads one', async () => {
    const ids: string[] = [];
    for await (const model of openai.models.list()) {
      expect(model).toEqual({ id: expect.any(String), object: 'model', created: expect.any(Number), owned_by: 'afro-fashion-diffusion' });
      ids.push(model.id);
    }
    expect(ids).toEqual(['baseline', 'checkpoint-20000', 'checkpoint-40000', 'checkpoint-60000', 'checkpoint-80000', 'final']);
    expect(await openai.models.retrieve('final')).toMatchObject({ id: 'final', object: 'model' });
  });

  it.each([
    ['a size that is not a multiple of 8', { size: '100x64' }, 'size', /^size: width must be a multiple of 8/],
    ['a size past the limit', { size: '128x4096' }, 'size', /^size: height must be/],
    ['a size that is not WxH', { size: 'large' }, 'size', /^size: must be WIDTHxHEIGHT/],
    ['too many images', { n: 11 }, 'n', /^n: /],
    ['an unknown response_format', { response_format: 'jpeg' }, 'response_format', /^response_format: must be one of url, b64_json, got "jpeg"/],
    ['a streamed answer', { stream: true }, 'stream', /^stream: streamed answers are not supported/],
    ['a transparent background', { background: 'transparent' }, 'background', /^background: transparent cannot be honoured/],
    ['gif output', { output_format: 'gif' }, 'output_format', /^output_format: gif cannot be produced here/],
    ['an unknown parameter', { colour: 'red' }, 'colour', /^colour: is not a field of this images API/],
    ['a bad extension', { steps: 0 }, 'steps', /^steps: /],
    ['a bad guidance_scale', { guidance_scale: 'high' }, 'guidance_scale', /^guidance_scale: /],
  ])('answers %s with openai.BadRequestError naming the param', async (_name, patch, param, message) => {
    const error = await failure(generate({ ...SMALL, ...patch } as Params));
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    const { status, param: named, type, error: body } = error as InstanceType<typeof OpenAI.BadRequestError>;
    expect({ status, param: named, type }).toEqual({ status: 400, param, type: 'invalid_request_error' });
    // The SDK's message starts with the status; `error` is the body's error object as the server sent it.
    expect((body as { message: string }).message).toMatch(message);
  });

  it('answers a bad key and a missing one with openai.AuthenticationError', async () => {
    const bad = await failure(generate(SMALL, new OpenAI({ apiKey: 'afd_not-a-key', baseURL, maxRetries: 0 })));
    expect(bad).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(bad).toMatchObject({ status: 401, code: 'invalid_api_key', type: 'invalid_request_error' });
    const listing = await failure(new OpenAI({ apiKey: 'afd_not-a-key', baseURL, maxRetries: 0 }).models.list());
    expect(listing).toBeInstanceOf(OpenAI.AuthenticationError);
    const missing = await sendRaw(port, { method: 'GET', path: '/v1/models' });
    expect([missing.status, missing.json]).toEqual([401, { error: { message: expect.stringMatching(/API key is required/), type: 'invalid_request_error', param: null, code: 'invalid_api_key' } }]);
  });

  it('answers an unknown model with openai.NotFoundError (model_not_found)', async () => {
    const error = await failure(generate({ ...SMALL, model: 'dall-e-3' }));
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect(error).toMatchObject({ status: 404, code: 'model_not_found', param: 'model', error: { message: expect.stringMatching(/^model "dall-e-3" does not exist; known: baseline/) } });
    expect(await failure(openai.models.retrieve('nope'))).toBeInstanceOf(OpenAI.NotFoundError);
  });

  it("counts against the key's rate limit like native calls: openai.RateLimitError with Retry-After", async () => {
    const tight = new OpenAI({ apiKey: TIGHT_KEY, baseURL, maxRetries: 0 });
    await generate(SMALL, tight);
    const error = await failure(generate(SMALL, tight));
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    const { headers, type, code } = error as InstanceType<typeof OpenAI.RateLimitError>;
    expect({ type, code }).toEqual({ type: 'requests', code: 'rate_limit_exceeded' });
    expect(Number(headers?.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // The native route shares the count.
    const native = await sendRaw(port, { method: 'POST', path: '/v1/generations', headers: { authorization: `Bearer ${TIGHT_KEY}`, 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify({ prompt: 'x' })) });
    expect([native.status, (native.json as { code: string }).code]).toEqual([429, 'RESOURCE_EXHAUSTED']);
  });

  it('takes an Idempotency-Key: the same body gives back the same images, another body is openai.ConflictError, not retried', async () => {
    const options = { headers: { 'Idempotency-Key': 'openai-compat-retry-1' } };
    const first = await openai.images.generate({ ...SMALL, response_format: 'b64_json' } as ImageGenerateParamsNonStreaming, options);
    const again = await openai.images.generate({ ...SMALL, response_format: 'b64_json' } as ImageGenerateParamsNonStreaming, options);
    expect(again.data?.[0]?.b64_json).toBe(first.data?.[0]?.b64_json);
    expect(again.created).toBe(first.created);
    // Retries allowed, so the SDK would repeat a 409 unless told not to.
    const retrying = new OpenAI({ apiKey: KEY, baseURL, maxRetries: 2 });
    const conflict = await failure(retrying.images.generate({ ...SMALL, seed: 8 } as ImageGenerateParamsNonStreaming, options));
    expect(conflict).toBeInstanceOf(OpenAI.ConflictError);
    expect(conflict).toMatchObject({ status: 409, code: 'conflict', type: 'invalid_request_error' });
    expect((conflict as InstanceType<typeof OpenAI.ConflictError>).headers?.get('x-should-retry')).toBe('false');
  });

  it("answers malformed JSON and unknown paths under /v1/images in OpenAI's shape, and leaves native routes in the API's own", async () => {
    const headers = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };
    const malformed = await sendRaw(port, { method: 'POST', path: '/v1/images/generations', headers, body: Buffer.from('{"prompt":') });
    expect([malformed.status, malformed.json]).toEqual([400, { error: { message: expect.stringMatching(/^body: is not valid JSON/), type: 'invalid_request_error', param: null, code: 'invalid_value' } }]);
    const unknown = await sendRaw(port, { method: 'POST', path: '/v1/images/edits', headers, body: Buffer.from('{}') });
    expect([unknown.status, (unknown.json as { error: { type: string } }).error.type]).toEqual([404, 'invalid_request_error']);
    const native = await sendRaw(port, { method: 'POST', path: '/v1/generations', headers, body: Buffer.from('{"prompt":') });
    expect(Object.keys(native.json as object).sort()).toEqual(['code', 'details', 'message']);
  });

  it('cancels the generation when the client goes away', async () => {
    const generations = app.get(Generations);
    const start = generations.start.bind(generations);
    let record: GenerationRecord | undefined;
    jest.spyOn(generations, 'start').mockImplementationOnce(async (...args) => {
      const started = await start(...args);
      record = started.record;
      return started;
    });
    // The SDK's own cancellation: an aborted request closes the connection.
    const controller = new AbortController();
    const call = openai.images.generate({ ...SMALL, size: '512x512', steps: 150 } as ImageGenerateParamsNonStreaming, { signal: controller.signal });
    await until(() => record?.status === 'running');
    controller.abort();
    expect(await failure(call)).toBeInstanceOf(OpenAI.APIUserAbortError);
    await until(() => record?.status !== 'running');
    expect(record?.status).toBe('cancelled');
    expect(record?.progress.step).toBeLessThan(150);
  });

  it('counts in the metrics as native calls do: requests by route pattern, images, invalid requests', async () => {
    const scrape = async (): Promise<string> => (await sendRaw(port, { method: 'GET', path: '/metrics' })).text;
    const value = (text: string, series: RegExp): number => Number(series.exec(text)?.[1] ?? 0);
    const INVALID = /afd_generation_failures_total\{reason="invalid"\} (\d+)/;
    const IMAGES = /afd_images_generated_total\{checkpoint="final"\} (\d+)/;
    const before = await scrape();
    await generate({ ...SMALL, n: 2, response_format: 'b64_json' });
    await failure(generate({ ...SMALL, stream: true } as unknown as Params));
    await failure(generate({ ...SMALL, size: '100x64' }));
    const after = await scrape();
    expect(value(after, IMAGES) - value(before, IMAGES)).toBe(2);
    expect(value(after, INVALID) - value(before, INVALID)).toBe(2);
    expect(after).toMatch(/afd_request_duration_seconds_count\{[^}]*route="POST \/v1\/images\/generations"[^}]*status="200"[^}]*\} [1-9]/);
    expect(after).toMatch(/afd_request_duration_seconds_count\{[^}]*route="POST \/v1\/images\/generations"[^}]*status="400"[^}]*\} [1-9]/);
    expect(after).toMatch(/afd_request_duration_seconds_count\{[^}]*route="GET \/v1\/models"[^}]*status="200"[^}]*\} [1-9]/);
  });
});

async function until(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

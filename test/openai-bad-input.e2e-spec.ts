/**
 * The OpenAI-compatible routes' bad-input corpus (test/bad-input-corpus/openai-cases.ts) against one
 * real application, open and with API keys (generations, models and multipart variations): every case answered in OpenAI's error shape with the
 * right status, `param` and `code`, never a 5xx or a leak; with keys, the same cases without a key
 * are refused 401 (but for those answered before the key is read). REST only: this API exists for
 * OpenAI's SDKs, so it has no GraphQL or gRPC face. Afterwards the routes still serve.
 */
import type { NestExpressApplication } from '@nestjs/platform-express';
import { hashApiKey } from '../src/auth/api-keys';
import { createApp } from '../src/create-app';
import { OPENAI_CASES, openAiForm, VALID_OPENAI_GENERATION, VALID_OPENAI_VARIATION, VARIATION_PNG, type OpenAiCase } from './bad-input-corpus/openai-cases';
import { sendRaw, type RawResponse } from './bad-input-corpus/raw-http';
import { json } from './bad-input-corpus/rest-case';
import { testAppConfig } from './support/test-app-config';
import { waitUntilReady } from './support/wait-until-ready';

const KEY = 'afd_openai-corpus-key-0123456789abcdefghijklmno';
const KEYS = JSON.stringify({ keys: [{ name: 'corpus', tier: 'internal', roles: [], sha256: hashApiKey(KEY) }] });
/** A stack frame or a source position in a response would leak internals. */
const LEAK = /stacktrace|\bat [\w.<>]+ \(?\/|\.ts:\d+:\d+/;

describe.each([
  ['open, no key', {}, undefined],
  ['with API keys', { AFD_ALLOW_OPEN: 'false', AFD_API_KEYS: KEYS }, KEY],
] as const)('OpenAI-compatible routes: bad-input corpus (%s)', (_mode, overrides, key) => {
  let app: NestExpressApplication;
  let port: number;
  const send = (c: OpenAiCase, withKey: boolean): Promise<RawResponse> =>
    sendRaw(port, { method: c.method, path: c.path, headers: { ...c.headers, ...(withKey && key ? { authorization: `Bearer ${key}` } : {}) }, body: c.body });

  beforeAll(async () => {
    app = await createApp(testAppConfig({ AFD_BODY_LIMIT_KB: '16', ...overrides }));
    await app.listen(0, '127.0.0.1');
    port = (app.getHttpServer().address() as { port: number }).port;
    await waitUntilReady(app);
  }, 120_000);
  afterAll(() => app?.close());

  const expectOpenAiError = (res: RawResponse, expected: { status: number; type: string; param: string | null; code: string; message: RegExp }): void => {
    expect({ status: res.status, body: res.json }).toEqual({
      status: expected.status,
      body: { error: { message: expect.stringMatching(expected.message), type: expected.type, param: expected.param, code: expected.code } },
    });
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.text).not.toMatch(LEAK);
  };

  describe(`${OPENAI_CASES.length} cases${key ? ', with the key' : ''}`, () => {
    for (const [index, c] of OPENAI_CASES.entries()) {
      it(`#${index + 1} ${c.method} ${c.name} → ${c.status} ${c.code}${c.param !== null ? ` naming ${c.param}` : ''}`, async () => {
        expectOpenAiError(await send(c, true), c);
      });
    }
  });

  if (key) {
    describe('the same cases without a key', () => {
      for (const [index, c] of OPENAI_CASES.entries()) {
        const expected = c.beforeAuth ? c : { status: 401, type: 'invalid_request_error', param: null, code: 'invalid_api_key', message: /^authorization: an API key is required/ };
        it(`#${index + 1} ${c.method} ${c.name} → ${expected.status} ${expected.code}`, async () => {
          const res = await send(c, false);
          expectOpenAiError(res, expected);
          if (expected.status === 401) expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
        });
      }
    });

    it('refuses a wrong key, a malformed Authorization header and an oversized key with 401 invalid_api_key', async () => {
      for (const authorization of ['Bearer afd_wrong', 'Basic dXNlcjpwYXNz', `Bearer ${'k'.repeat(5000)}`, 'Bearer']) {
        const res = await sendRaw(port, { method: 'GET', path: '/v1/models', headers: { authorization } });
        expectOpenAiError(res, { status: 401, type: 'invalid_request_error', param: null, code: 'invalid_api_key', message: /^authorization: / });
      }
    });
  }

  it('still serves afterwards: a generation, a variation and the model list', async () => {
    const auth: Record<string, string> = key ? { authorization: `Bearer ${key}` } : {};
    const generated = await sendRaw(port, { method: 'POST', path: '/v1/images/generations', headers: { ...auth, 'content-type': 'application/json' }, body: json({ ...VALID_OPENAI_GENERATION, response_format: 'b64_json' }) });
    expect(generated.status).toBe(200);
    expect((generated.json as { data: Array<{ b64_json: string }> }).data).toHaveLength(1);
    const form = openAiForm({ ...VALID_OPENAI_VARIATION, response_format: 'b64_json' }, [['image', VARIATION_PNG]]);
    const varied = await sendRaw(port, { method: 'POST', path: '/v1/images/variations', headers: { ...auth, ...form.headers }, body: form.body });
    expect(varied.status).toBe(200);
    expect((varied.json as { data: Array<{ b64_json: string }> }).data).toHaveLength(1);
    const models = await sendRaw(port, { method: 'GET', path: '/v1/models', headers: auth });
    expect((models.json as { data: unknown[] }).data).toHaveLength(6);
  });
});

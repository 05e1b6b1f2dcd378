/**
 * The AUTOMATIC1111-compatible routes' bad-input corpus (test/bad-input-corpus/a1111-cases.ts)
 * against one real application, open and with API keys: every case answered in the web UI's shapes
 * (FastAPI's 422 naming the field's path, or `{error, detail, body, errors}`) with the right
 * status, never a 5xx or a leak; with keys, the same cases without a key are refused 401 (but for
 * those answered before the key is read). REST only: this API exists for the web UI's clients, so
 * it has no GraphQL or gRPC face. Afterwards the routes still serve, unknown fields ignored.
 */
import type { NestExpressApplication } from '@nestjs/platform-express';
import { hashApiKey } from '../src/auth/api-keys';
import { createApp } from '../src/create-app';
import { A1111_CASES, VALID_A1111_IMG2IMG, VALID_A1111_TXT2IMG, type A1111Case } from './bad-input-corpus/a1111-cases';
import { sendRaw, type RawResponse } from './bad-input-corpus/raw-http';
import { json } from './bad-input-corpus/rest-case';
import { testAppConfig } from './support/test-app-config';
import { waitUntilReady } from './support/wait-until-ready';

const KEY = 'afd_a1111-corpus-key-0123456789abcdefghijklmnop';
const KEYS = JSON.stringify({ keys: [{ name: 'corpus', tier: 'internal', roles: [], sha256: hashApiKey(KEY) }] });
/** A stack frame or a source position in a response would leak internals. */
const LEAK = /stacktrace|\bat [\w.<>]+ \(?\/|\.ts:\d+:\d+/;

describe.each([
  ['open, no key', {}, undefined],
  ['with API keys', { AFD_ALLOW_OPEN: 'false', AFD_API_KEYS: KEYS }, KEY],
] as const)('AUTOMATIC1111-compatible routes: bad-input corpus (%s)', (_mode, overrides, key) => {
  let app: NestExpressApplication;
  let port: number;
  const send = (c: Pick<A1111Case, 'method' | 'path' | 'headers' | 'body'>, withKey: boolean): Promise<RawResponse> =>
    sendRaw(port, { method: c.method, path: c.path, headers: { ...c.headers, ...(withKey && key ? { authorization: `Bearer ${key}` } : {}) }, body: c.body });

  beforeAll(async () => {
    app = await createApp(testAppConfig({ AFD_BODY_LIMIT_KB: '16', ...overrides }));
    await app.listen(0, '127.0.0.1');
    port = (app.getHttpServer().address() as { port: number }).port;
    await waitUntilReady(app);
  }, 120_000);
  afterAll(() => app?.close());

  const expectAnswer = (res: RawResponse, c: Pick<A1111Case, 'message'> & ({ shape: 'validation'; loc: readonly (string | number)[] } | { shape: 'exception'; status: number; error: string })): void => {
    if (c.shape === 'validation') {
      expect({ status: res.status, body: res.json }).toEqual({ status: 422, body: { detail: [{ loc: ['body', ...c.loc], msg: expect.stringMatching(c.message), type: 'value_error' }] } });
    } else {
      expect({ status: res.status, body: res.json }).toEqual({ status: c.status, body: { error: c.error, detail: expect.stringMatching(c.message), body: '', errors: expect.any(String) } });
    }
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.text).not.toMatch(LEAK);
  };

  describe(`${A1111_CASES.length} cases${key ? ', with the key' : ''}`, () => {
    for (const [index, c] of A1111_CASES.entries()) {
      const expected = c.shape === 'validation' ? `422 at ${['body', ...c.loc].join('.')}` : `${c.status} ${c.error}`;
      it(`#${index + 1} ${c.method} ${c.path} ${c.name} → ${expected}`, async () => {
        expectAnswer(await send(c, true), c);
      });
    }
  });

  if (key) {
    describe('the same cases without a key', () => {
      for (const [index, c] of A1111_CASES.entries()) {
        it(`#${index + 1} ${c.method} ${c.path} ${c.name} → ${c.beforeAuth ? 'as with a key' : '401 UNAUTHENTICATED'}`, async () => {
          const res = await send(c, false);
          expectAnswer(res, c.beforeAuth ? c : { shape: 'exception', status: 401, error: 'UNAUTHENTICATED', message: /^authorization: an API key is required/ });
          if (!c.beforeAuth) expect(res.headers['www-authenticate']).toMatch(/^Basic/);
        });
      }
    });

    it('refuses a wrong key, a Basic password that is not a key, a Basic header without a colon and an oversized key with 401', async () => {
      const basic = (text: string): string => `Basic ${Buffer.from(text).toString('base64')}`;
      for (const authorization of ['Bearer afd_wrong', basic('user:pass'), basic(KEY), `Bearer ${'k'.repeat(5000)}`, 'Basic', 'Basic !!!']) {
        const res = await sendRaw(port, { method: 'GET', path: '/sdapi/v1/sd-models', headers: { authorization } });
        expectAnswer(res, { shape: 'exception', status: 401, error: 'UNAUTHENTICATED', message: /^authorization: / });
      }
    });
  }

  it('still serves afterwards, ignoring unknown fields (a __proto__ member included) as the web UI does', async () => {
    const auth: Record<string, string> = key ? { authorization: `Bearer ${key}` } : {};
    const body = Buffer.from(`${JSON.stringify({ ...VALID_A1111_TXT2IMG, hr_additional_modules: [], seed_enable_extras: true }).slice(0, -1)},"__proto__":{"restore_faces":true}}`);
    const generated = await sendRaw(port, { method: 'POST', path: '/sdapi/v1/txt2img', headers: { ...auth, 'content-type': 'application/json' }, body });
    expect([generated.status, (generated.json as { images: unknown[] }).images?.length]).toEqual([200, 1]);
    // img2img reads past AFD_BODY_LIMIT_KB (16 KiB here): its photo comes as base64 JSON.
    const padded = { ...VALID_A1111_IMG2IMG, comments: { padding: 'x'.repeat(40_000) } };
    const img2img = await sendRaw(port, { method: 'POST', path: '/sdapi/v1/img2img', headers: { ...auth, 'content-type': 'application/json' }, body: json(padded) });
    expect(img2img.status).toBe(200);
    const models = await sendRaw(port, { method: 'GET', path: '/sdapi/v1/sd-models', headers: auth });
    expect(models.json as unknown[]).toHaveLength(6);
  });
});

/** REST /v1/prompts end to end: the real application, with a registry giving one checkpoint its own template. */
import type { NestExpressApplication } from '@nestjs/platform-express';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { embeddedRegistry } from '../src/checkpoints/checkpoint-registry';
import { testAppConfig } from './support/test-app-config';
import { createApp } from '../src/create-app';
import { ClipTokenizer } from '../src/engine/tokenizer';
import { FASHION_VOCABULARY } from '../src/prompt-language';

describe('REST /v1/prompts', () => {
  let app: NestExpressApplication;
  let dir: string;
  const http = () => request(app.getHttpServer());
  const registry = embeddedRegistry();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'afd-prompts-'));
    const file = join(dir, 'registry.json');
    const checkpoints = registry.map((c) => ({
      id: c.id,
      path: c.path,
      trainingStep: c.trainingStep,
      default: c.default,
      ...(c.id === 'final' ? { promptTemplate: 'studio photo of {a} {colours} {fabrics} {garment}' } : {}),
    }));
    writeFileSync(file, JSON.stringify({ checkpoints }));
    app = await createApp(testAppConfig({ AFD_REGISTRY: file }));
    await app.init();
  }, 120_000);
  afterAll(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the vocabulary by category', async () => {
    const res = await http().get('/v1/prompts/vocabulary').expect(200);
    expect(Object.keys(res.body.vocabulary)).toEqual(Object.keys(FASHION_VOCABULARY));
    expect(res.body.vocabulary.garment.map((t: { id: string }) => t.id)).toContain('dress');
    expect(res.body.vocabulary.fabric.map((t: { id: string }) => t.id)).toContain('kente');
  });

  it("builds a prompt through the checkpoint's template, or the default one", async () => {
    const attributes = { garment: 'dress', fabrics: ['kente'], colours: ['red', 'gold'] };
    const own = await http().post('/v1/prompts/build').send({ attributes, checkpoint: 'final' }).expect(200);
    expect(own.body.prompt).toBe('studio photo of a red and gold kente dress');
    expect(own.body.attributes).toMatchObject({ garment: 'dress', fabrics: ['kente'], colours: ['red', 'gold'] });
    const standard = await http().post('/v1/prompts/build').send({ attributes, checkpoint: 'baseline' }).expect(200);
    expect(standard.body.prompt).toMatch(/red and gold kente dress, african fashion$/);
    // No checkpoint: the default one (final).
    expect((await http().post('/v1/prompts/build').send({ attributes }).expect(200)).body.prompt).toBe(own.body.prompt);
  });

  it('parses free text into attributes, a prompt, the unplaced words and the language', async () => {
    const res = await http().post('/v1/prompts/parse').send({ text: 'Robe en kente pour femme', checkpoint: 'baseline' }).expect(200);
    expect(res.body).toMatchObject({ language: 'fr', attributes: { garment: 'dress', fabrics: ['kente'], gender: 'woman' } });
    expect(typeof res.body.prompt).toBe('string');
    expect(Array.isArray(res.body.unplaced)).toBe(true);
    expect(Object.keys(res.body).sort()).toEqual(['attributes', 'language', 'prompt', 'unplaced']);
  });

  it("tokenizes with the checkpoint's tokenizer, reporting what a long prompt loses", async () => {
    const tokenizer = ClipTokenizer.fromDirectory(join(registry[0]?.path as string, 'tokenizer'));
    const res = await http().post('/v1/prompts/tokenize').send({ text: 'a red kente dress', checkpoint: 'baseline' }).expect(200);
    const encoded = tokenizer.encode('a red kente dress');
    expect(res.body.ids).toEqual(encoded.ids.slice(0, encoded.tokenCount));
    expect(res.body.count).toBe(encoded.tokenCount);
    expect(res.body.tokens).toHaveLength(res.body.count);
    expect(res.body.tokens[0]).toBe('<|startoftext|>');
    expect(res.body.tokens.at(-1)).toBe('<|endoftext|>');
    expect(res.body.tokens.slice(1, -1).join(' ')).toBe('a red kente dress');
    expect(res.body).toMatchObject({ truncated: false, chunks: 1, maxChunks: 3, dropped: { count: 0, text: '' }, fragments: [{ text: 'a red kente dress', weight: 1 }] });
    expect(res.body.weights).toEqual([1, 1, 1, 1, 1, 1]);

    const long = await http().post('/v1/prompts/tokenize').send({ text: 'red '.repeat(100) + 'zebra' }).expect(200);
    expect(long.body).toMatchObject({ truncated: false, count: tokenizer.tokenize('red '.repeat(100) + 'zebra').length + 2, chunks: 2 });
    const cut = await http().post('/v1/prompts/tokenize').send({ text: 'red '.repeat(230) + 'zebra' }).expect(200);
    expect(cut.body).toMatchObject({ truncated: true, count: 227, chunks: 3, dropped: { count: tokenizer.tokenize('red '.repeat(230) + 'zebra').length - 225 } });
    expect(cut.body.dropped.text).toMatch(/zebra$/);
  });

  it('tokenizes the attention syntax as a generation does: brackets are weights, not tokens', async () => {
    const res = await http().post('/v1/prompts/tokenize').send({ text: 'a ((red)) (kente:1.4) [dress] \\(x\\)' }).expect(200);
    expect(res.body.tokens.slice(1, -1).join(' ')).toBe('a red kente dress ( x )');
    expect(res.body.weights).toEqual([1, 1, 1.2100000000000002, 1.4, 1 / 1.1, 1, 1, 1, 1]);
    expect(res.body.fragments).toEqual([
      { text: 'a ', weight: 1 },
      { text: 'red', weight: 1.2100000000000002 },
      { text: ' ', weight: 1 },
      { text: 'kente', weight: 1.4 },
      { text: ' ', weight: 1 },
      { text: 'dress', weight: 1 / 1.1 },
      { text: ' (x)', weight: 1 },
    ]);
  });

  it.each([
    ['build', { attributes: { colours: ['ultraviolet'] } }, 400, 'colours'],
    ['build', { attributes: { garment: 'dress' }, checkpoint: 'v9' }, 404, 'checkpoint'],
    ['parse', { text: '   ' }, 400, 'text'],
    ['parse', { text: 42 }, 400, 'text'],
    ['tokenize', { text: ['a'] }, 400, 'text'],
    ['tokenize', { text: 'a', checkpoint: 7 }, 400, 'checkpoint'],
    ['tokenize', [1, 2], 400, 'body'],
  ])('POST /v1/prompts/%s with %j answers %i naming %s', async (route, body, status, field) => {
    const res = await http().post(`/v1/prompts/${route}`).send(body).expect(status);
    expect(res.body.details).toMatchObject({ field });
  });
});

/**
 * Long, weighted prompts through the REST API on the reference export: the `no-norm` cases of
 * shared/data/diffusers-reference/cases-lpw with 2 and 3 chunks (l08: a 160-token prompt, Euler a;
 * l09: a weighted 2-chunk negative prompt, DDIM) posted to POST /v1/generations as a client would,
 * their PNGs within one grey level of diffusers' LPW pipeline. Both run in the same pool, so the
 * 231- and 154-position contexts are batched by context length. Skipped, saying so, without the folder.
 */
import type { NestExpressApplication } from '@nestjs/platform-express';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import request from 'supertest';
import { createApp } from '../src/create-app';
import { maxAbsDiff } from './support/npy';
import { testAppConfig } from './support/test-app-config';

const CANDIDATES = [process.env['DIFFUSERS_REFERENCE_DIR'], resolve(__dirname, '../../shared/data/diffusers-reference'), '/work/shared/data/diffusers-reference'];
const ROOT = CANDIDATES.find((d): d is string => d !== undefined && existsSync(join(d, 'cases-lpw')));
const CASES = ['l08-no-norm-long-160-tokens-3-chunks-euler-a', 'l09-no-norm-weighted-negative-2-chunks-ddim'];

interface Parameters {
  readonly prompt: string;
  readonly negative_prompt: string;
  readonly scheduler: string;
  readonly seed: number;
  readonly width: number;
  readonly height: number;
  readonly num_inference_steps: number;
  readonly guidance_scale: number;
}

async function raw(png: Buffer | string): Promise<Buffer> {
  return (await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true })).data;
}

describe('REST reproduces diffusers LPW images for long and weighted prompts (emphasis no-norm)', () => {
  if (!ROOT) {
    it('is skipped: no diffusers reference folder', () => {
      console.warn('SKIPPED: cases-lpw over REST — shared/data/diffusers-reference is absent (set DIFFUSERS_REFERENCE_DIR)');
    });
    return;
  }
  let app: NestExpressApplication;
  const dir = mkdtempSync(join(tmpdir(), 'afd-lpw-rest-'));
  beforeAll(async () => {
    writeFileSync(join(dir, 'registry.json'), JSON.stringify({ checkpoints: [{ id: 'reference', path: join(ROOT, 'model'), default: true }] }));
    app = await createApp(testAppConfig({ AFD_REGISTRY: join(dir, 'registry.json') }));
    await app.init();
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('generates both cases, sent together, within one grey level', async () => {
    const results = await Promise.all(
      CASES.map(async (id) => {
        const p = (JSON.parse(readFileSync(join(ROOT, 'cases-lpw', id, 'case.json'), 'utf8')) as { parameters: Parameters }).parameters;
        const body = { prompt: p.prompt, negativePrompt: p.negative_prompt, scheduler: p.scheduler, seed: p.seed, width: p.width, height: p.height };
        const res = await request(app.getHttpServer())
          .post('/v1/generations')
          .set('Accept', 'image/png')
          .send({ ...body, steps: p.num_inference_steps, guidanceScale: p.guidance_scale, emphasis: 'no-norm' })
          .expect(200);
        return maxAbsDiff(await raw(res.body as Buffer), await raw(join(ROOT, 'cases-lpw', id, 'image_0.png')));
      }),
    );
    for (const difference of results) expect(difference).toBeLessThanOrEqual(1);
  });
});

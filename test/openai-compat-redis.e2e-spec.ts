/**
 * The OpenAI-compatible images API in distributed mode (AFD_JOBS=redis): the official SDK calls an
 * API-only replica while another replica runs the job; the answer carries the images (b64_json read
 * from Redis) or URLs any replica serves. Skipped, with the reason, where no Redis answers.
 */
import type { NestExpressApplication } from '@nestjs/platform-express';
import { randomUUID } from 'node:crypto';
import OpenAI from 'openai';
import sharp from 'sharp';
import { createApp } from '../src/create-app';
import { redisAvailable } from './support/redis-available';
import { testAppConfig } from './support/test-app-config';
import { waitUntilReady } from './support/wait-until-ready';

describe('OpenAI-compatible images API, distributed (Redis + BullMQ)', () => {
  let available = false;
  const prefix = `afdtest-${randomUUID().slice(0, 8)}`;
  const apps: NestExpressApplication[] = [];
  let openai: OpenAI;
  let workerPort: number;
  const request = { prompt: 'red kente dress', size: '64x128', steps: 2, seed: 5 } as OpenAI.ImageGenerateParamsNonStreaming;

  const replica = async (runsJobs: boolean, name: string): Promise<number> => {
    const app = await createApp(testAppConfig({ AFD_JOBS: 'redis', AFD_REDIS_URL: 'redis://127.0.0.1:6379', AFD_REDIS_PREFIX: prefix, AFD_RUNS_JOBS: String(runsJobs), AFD_REPLICA_ID: name, AFD_AFFINITY_WAIT_MS: '0' }));
    apps.push(app);
    await app.listen(0, '127.0.0.1');
    if (runsJobs) await waitUntilReady(app);
    return (app.getHttpServer().address() as { port: number }).port;
  };

  beforeAll(async () => {
    available = await redisAvailable();
    if (!available) {
      console.warn('SKIPPED: OpenAI-compatible API in distributed mode — no Redis server on 127.0.0.1:6379');
      return;
    }
    const frontPort = await replica(false, 'openai-front');
    workerPort = await replica(true, 'openai-worker');
    openai = new OpenAI({ apiKey: 'unused-the-replicas-run-open', baseURL: `http://127.0.0.1:${frontPort}/v1`, maxRetries: 0 });
  }, 120_000);
  afterAll(async () => {
    for (const app of apps) await app.close();
  });

  it('answers b64_json from an API-only replica, the job run by another', async () => {
    if (!available) return;
    const res = await openai.images.generate({ ...request, response_format: 'b64_json' });
    const meta = await sharp(Buffer.from(res.data?.[0]?.b64_json ?? '', 'base64')).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 64, 128]);
  });

  it('answers URLs that every replica serves', async () => {
    if (!available) return;
    const res = await openai.images.generate({ ...request, n: 2 });
    expect(res.data).toHaveLength(2);
    for (const image of res.data ?? []) {
      const path = new URL(image.url ?? '').pathname;
      const fromWorker = await fetch(`http://127.0.0.1:${workerPort}${path}`);
      expect([fromWorker.status, fromWorker.headers.get('content-type')]).toEqual([200, 'image/png']);
    }
  });
});

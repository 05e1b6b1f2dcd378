/**
 * Previews through the domain: GenerationService's internal `preview` option reaches the pool, and
 * the generation's progress events carry `preview: { mimeType, width, height, base64 }`. (The
 * request field and the transports come with the transport wiring.)
 */
import type { NestExpressApplication } from '@nestjs/platform-express';
import sharp from 'sharp';
import { CheckpointsService } from '../src/checkpoints/checkpoints.service';
import { createApp } from '../src/create-app';
import { GenerationStore } from '../src/generation/generation-store';
import { GenerationService, type GenerationEvent, type LaunchOptions } from '../src/generation/generation.service';
import type { PublishedEvent } from '../src/generation/progress-fanout';
import { InferencePool } from '../src/pool';
import { PromptsService } from '../src/prompts/prompts.service';
import { testAppConfig } from './support/test-app-config';

describe('generation progress previews (domain)', () => {
  let app: NestExpressApplication;
  let service: GenerationService;

  beforeAll(async () => {
    app = await createApp(testAppConfig());
    await app.init();
    service = new GenerationService(app.get(InferencePool), app.get(CheckpointsService), new GenerationStore(3_600_000), app.get(PromptsService));
  }, 120_000);
  afterAll(() => app.close());

  async function progressOf(options: LaunchOptions): Promise<Extract<GenerationEvent, { event: 'progress' }>['data'][]> {
    const body = { prompt: 'red kente dress', width: 64, height: 96, steps: 4, seed: 3, numImages: 2, scheduler: 'euler' };
    const events: GenerationEvent[] = [];
    const { record, done } = await service.start(body, 'client-p', undefined, options);
    service.subscribe(record.id, { send: (e: PublishedEvent) => (events.push(e.event), true) });
    const ended = await done;
    expect(ended.status).toBe('succeeded');
    return events.flatMap((e) => (e.event === 'progress' && e.data.step > 0 ? [e.data] : []));
  }

  it('carries a decodable WebP preview of the request aspect ratio every intervalSteps steps, one event per step', async () => {
    const progress = await progressOf({ preview: { intervalSteps: 2 } });
    expect(progress.map((p) => p.step)).toEqual([1, 2, 3, 4]);
    expect(progress.map((p) => p.preview !== undefined)).toEqual([false, true, false, true]);
    const previews = progress.flatMap((p) => (p.preview ? [p.preview] : []));
    for (const preview of previews) {
      expect([preview.mimeType, preview.width, preview.height]).toEqual(['image/webp', 8, 12]);
      const meta = await sharp(Buffer.from(preview.base64, 'base64')).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['webp', 8, 12]);
    }
    // (Previews changing across steps is shown on the tiny random model in inference-pool.previews.spec.ts:
    // the demo UNet's x0 is a posterior mixture of swatches that settles within a step or two here.)
    expect(previews).toHaveLength(2);
  });

  it('without the option, progress events are as before (no preview field)', async () => {
    const progress = await progressOf({});
    expect(progress.map((p) => p.step)).toEqual([1, 2, 3, 4]);
    for (const p of progress) expect(Object.keys(p).sort()).toEqual(['etaMs', 'status', 'step', 'totalSteps']);
  });
});

/**
 * Memory held for results in local mode, on the real pool and demo models: everything that holds
 * image bytes counts against the one result budget. Many generations with unique Idempotency-Keys
 * through a store with a tiny budget: what the service still reaches (store and idempotency
 * entries) stays within the budget, and the keys of evicted generations are forgotten with them.
 */
import type { NestExpressApplication } from '@nestjs/platform-express';
import { CheckpointsService } from '../src/checkpoints/checkpoints.service';
import { createApp } from '../src/create-app';
import { GenerationStore } from '../src/generation/generation-store';
import { GenerationService } from '../src/generation/generation.service';
import { InferencePool } from '../src/pool';
import { PromptsService } from '../src/prompts/prompts.service';
import { testAppConfig } from './support/test-app-config';

/** Bytes of every Buffer reachable from `root` through properties, arrays, Maps and Sets (closures are not followed). */
function reachableBufferBytes(root: object, skip: readonly object[]): number {
  const seen = new Set<unknown>(skip);
  const stack: unknown[] = [root];
  let bytes = 0;
  while (stack.length > 0) {
    const value = stack.pop();
    if (value === null || typeof value !== 'object' || seen.has(value)) continue;
    seen.add(value);
    if (ArrayBuffer.isView(value)) {
      bytes += value.byteLength;
      continue;
    }
    if (value instanceof Map) {
      for (const [k, v] of value) stack.push(k, v);
    } else if (value instanceof Set) {
      for (const v of value) stack.push(v);
    }
    for (const key of Object.keys(value)) stack.push((value as Record<string, unknown>)[key]);
  }
  return bytes;
}

describe('result memory in local mode', () => {
  let app: NestExpressApplication;

  beforeAll(async () => {
    app = await createApp(testAppConfig());
    await app.init();
  }, 120_000);
  afterAll(() => app.close());

  it('keeps no image bytes for idempotency keys beyond the store budget, and forgets the keys of evicted generations', async () => {
    const pool = app.get(InferencePool);
    const checkpoints = app.get(CheckpointsService);
    const prompts = app.get(PromptsService);
    const body = (seed: number) => ({ prompt: 'red kente dress', width: 64, height: 64, steps: 2, seed });

    // The size of one result, to set a budget of a few.
    const probe = new GenerationService(pool, checkpoints, new GenerationStore(3_600_000), prompts);
    const sample = await (await probe.start(body(0), 'probe')).done;
    const imageBytes = sample.images[0]!.bytes.length;
    expect(imageBytes).toBeGreaterThan(0);

    const budget = imageBytes * 2;
    const store = new GenerationStore(3_600_000, { budget });
    const service = new GenerationService(pool, checkpoints, store, prompts);
    const ids: string[] = [];
    let generatedBytes = 0;
    for (let i = 0; i < 24; i++) {
      const { record, done } = await service.start(body(i), 'client-a', `key-${i}`);
      generatedBytes += (await done).images.reduce((n, image) => n + image.bytes.length, 0);
      ids.push(record.id);
    }
    expect(generatedBytes).toBeGreaterThan(2 * budget);
    const kept = ids.filter((id) => store.has(id));
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThan(ids.length);

    // Store and idempotency entries together: within the budget (before the fix, every entry held its record's images).
    expect(reachableBufferBytes(service, [pool, checkpoints, prompts])).toBeLessThanOrEqual(budget);
    // One idempotency entry per generation still kept: the evicted generations' keys went with them.
    expect((service as unknown as { idempotency: { size: number } }).idempotency.size).toBe(kept.length);

    // A kept key answers its generation; an evicted one starts afresh.
    const last = ids.length - 1;
    expect((await service.start(body(last), 'client-a', `key-${last}`)).record.id).toBe(ids[last]);
    const again = await service.start(body(0), 'client-a', 'key-0');
    expect(again.record.id).not.toBe(ids[0]);
    await again.done;
  });
});

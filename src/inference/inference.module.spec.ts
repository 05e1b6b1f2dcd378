import 'reflect-metadata';
import { Test } from '@nestjs/testing';
import { parseGenerationRequest } from '../engine/pipeline/generation-request';
import { TINY_PRESET } from '../model-generator/config/presets';
import { ensureModelDirectory } from '../model-generator/ensure-model-directory';
import { InferencePool, PoolError, type PoolEvent } from '../pool';
import { InferenceModule } from './inference.module';
import { PoolEventBus } from './pool-event-bus';

describe('InferenceModule', () => {
  it('starts the pool with the application, generates through it, and closes it on shutdown', async () => {
    const dir = ensureModelDirectory(TINY_PRESET);
    const moduleRef = await Test.createTestingModule({
      imports: [InferenceModule.forRoot({ checkpoints: [{ id: 'tiny', dir }], devices: [{ device: 'cpu', intraOpThreads: 1 }] })],
    }).compile();
    const app = await moduleRef.init();
    const pool = app.get(InferencePool);
    // The pool's events reach PoolEventBus listeners: component loads (on demand here) and UNet calls.
    const events: PoolEvent[] = [];
    app.get(PoolEventBus).subscribe((e) => events.push(e));
    const request = parseGenerationRequest({ prompt: 'a red kente dress', width: 64, height: 64, steps: 3, seed: 1 });
    const { images } = await pool.submit({ checkpointId: 'tiny', request }).result;
    expect(images.map((i) => [i.image.width, i.image.height])).toEqual([[64, 64]]);
    expect(events.filter((e) => e.type === 'component-loaded')).toHaveLength(3);
    const unetCalls = events.filter((e) => e.type === 'unet-call').map((e) => e.type === 'unet-call' && e.checkpointId);
    expect(unetCalls.length).toBeGreaterThanOrEqual(3); // PNDM, the default, runs its first step twice
    expect(new Set(unetCalls)).toEqual(new Set(['tiny']));

    await app.close();
    let error: unknown;
    try {
      pool.submit({ checkpointId: 'tiny', request });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PoolError);
    expect((error as PoolError).code).toBe('SHUTTING_DOWN');
  });
});

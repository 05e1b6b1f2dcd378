import 'reflect-metadata';
import { Test } from '@nestjs/testing';
import { parseGenerationRequest } from '../engine/pipeline/generation-request';
import { TINY_PRESET } from '../model-generator/config/presets';
import { ensureModelDirectory } from '../model-generator/ensure-model-directory';
import { InferencePool, PoolError } from '../pool';
import { InferenceModule } from './inference.module';

describe('InferenceModule', () => {
  it('starts the pool with the application, generates through it, and closes it on shutdown', async () => {
    const dir = ensureModelDirectory(TINY_PRESET);
    const moduleRef = await Test.createTestingModule({
      imports: [InferenceModule.forRoot({ checkpoints: [{ id: 'tiny', dir }], devices: [{ device: 'cpu', intraOpThreads: 1 }] })],
    }).compile();
    const app = await moduleRef.init();
    const pool = app.get(InferencePool);
    const request = parseGenerationRequest({ prompt: 'a red kente dress', width: 64, height: 64, steps: 3, seed: 1 });
    const { images } = await pool.submit({ checkpointId: 'tiny', request }).result;
    expect(images.map((i) => [i.image.width, i.image.height])).toEqual([[64, 64]]);

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

import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelFailedError } from '../../engine/errors';
import { parseGenerationRequest, type GenerationInput } from '../../engine/pipeline/generation-request';
import { TINY_PRESET } from '../../model-generator/config/presets';
import { ensureModelDirectory } from '../../model-generator/ensure-model-directory';
import { copyWithNaNUnetWeights, type CorruptCopy } from '../../model-generator/testing/corrupt-weights.fixture';
import { InferencePool } from './inference-pool';
import type { PoolError } from '../protocol/pool-errors';

const BASE: GenerationInput = { prompt: 'a red kente dress', negativePrompt: 'blurry', width: 64, height: 64, steps: 4, guidanceScale: 5, seed: 1, scheduler: 'euler' };
const request = (overrides: GenerationInput = {}) => parseGenerationRequest({ ...BASE, ...overrides });

describe('InferencePool: a corrupt UNet (NaN weights)', () => {
  let corrupt: CorruptCopy;
  let healthyRoot: string;
  beforeAll(() => {
    const source = ensureModelDirectory({ ...TINY_PRESET, unetExternalData: true });
    corrupt = copyWithNaNUnetWeights(source);
    healthyRoot = mkdtempSync(join(tmpdir(), 'afd-healthy-'));
    cpSync(source, join(healthyRoot, 'checkpoint'), { recursive: true });
  });
  afterAll(() => {
    corrupt?.remove();
    rmSync(healthyRoot, { recursive: true, force: true });
  });

  it('fails its jobs with MODEL_FAILED naming the checkpoint and step; a healthy job in flight beside it gets the same bytes as alone', async () => {
    const pool = await InferencePool.start({
      devices: [{ intraOpThreads: 1 }],
      checkpoints: [
        { id: 'healthy', dir: join(healthyRoot, 'checkpoint'), pinned: true },
        { id: 'corrupt', dir: corrupt.dir, pinned: true },
      ],
    });
    try {
      const alone = await pool.submit({ checkpointId: 'healthy', request: request({ numImages: 2 }) }).result;

      // Submitted in one turn: encoded in one text-encoder call, stepped in alternating UNet calls, decoded by the shared VAE.
      const broken = pool.submit({ checkpointId: 'corrupt', request: request({ seed: 7 }) });
      const healthy = pool.submit({ checkpointId: 'healthy', request: request({ numImages: 2 }) });
      const brokenUnguided = pool.submit({ checkpointId: 'corrupt', request: request({ guidanceScale: 1 }) });
      const [b, h, u] = await Promise.allSettled([broken.result, healthy.result, brokenUnguided.result]);

      for (const [outcome, handle] of [[b, broken], [u, brokenUnguided]] as const) {
        expect(outcome.status).toBe('rejected');
        const error = (outcome as PromiseRejectedResult).reason as PoolError;
        expect(error).toMatchObject({ code: 'MODEL_FAILED', checkpointId: 'corrupt', jobId: handle.jobId });
        expect(error.message).toBe('checkpoint "corrupt" on cpu: unet produced non-finite values (NaN) at step 1 of 4');
        expect(error.cause).toBeInstanceOf(ModelFailedError);
      }
      expect(h.status).toBe('fulfilled');
      const images = (h as PromiseFulfilledResult<typeof alone>).value.images;
      expect(images.map((i) => Buffer.from(i.image.data))).toEqual(alone.images.map((i) => Buffer.from(i.image.data)));
      const stats = await pool.stats();
      expect(stats.devices[0]!.activeSequences).toBe(0);
      expect(stats.totals).toMatchObject({ succeeded: 2, failed: 2 });
    } finally {
      await pool.close();
    }
  });
});

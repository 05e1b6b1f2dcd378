import { readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseGenerationRequest, type GenerationInput } from '../../engine/pipeline/generation-request';
import { InferencePool } from './inference-pool';
import type { PoolEvent } from './pool-types';
import { makeCheckpointFamily, type CheckpointFamily } from '../testing/checkpoint-family.fixture';

const BASE: GenerationInput = { prompt: 'a red kente dress', negativePrompt: 'blurry', width: 64, height: 64, steps: 2, guidanceScale: 5, seed: 1, scheduler: 'euler' };
const request = (overrides: GenerationInput = {}) => parseGenerationRequest({ ...BASE, ...overrides });

/** One byte of the file inverted, size kept: what a bad copy or a disk fault leaves. */
function flipByte(file: string, at: number): void {
  const bytes = readFileSync(file);
  bytes[at] = (bytes[at] as number) ^ 0xff;
  writeFileSync(file, bytes);
}

describe('InferencePool: broken checkpoints', () => {
  let family: CheckpointFamily;
  beforeAll(() => {
    family = makeCheckpointFamily(4, { overrides: { unetExternalData: true } });
  });
  afterAll(() => family?.remove());

  it('starts with a garbage tokenizer/vocab.json and a pinned unloadable UNet: both listed unavailable with the file, refused, the others serve', async () => {
    const [healthy, badVocab, badGraph] = family.dirs as [string, string, string];
    writeFileSync(join(badVocab, 'tokenizer', 'vocab.json'), '\u0000garbage{');
    const graph = join(badGraph, 'unet', 'model.onnx');
    const saved = readFileSync(graph);
    writeFileSync(graph, 'not an onnx graph');
    const events: PoolEvent[] = [];
    try {
      const pool = await InferencePool.start({
        devices: [{ intraOpThreads: 1 }],
        checkpoints: [
          { id: 'healthy', dir: healthy, pinned: true },
          { id: 'bad-vocab', dir: badVocab },
          { id: 'bad-graph', dir: badGraph, pinned: true },
        ],
        onEvent: (e) => events.push(e),
      });
      try {
        const listed = pool.checkpoints().map((c) => [c.id, c.status, c.error]);
        expect(listed).toEqual([
          ['healthy', 'available', undefined],
          ['bad-vocab', 'unavailable', expect.stringMatching(/^tokenizer\/vocab\.json: /)],
          ['bad-graph', 'unavailable', expect.stringMatching(/^unet\/model\.onnx: onnxruntime cannot load it/)],
        ]);
        // Reasons name files relative to the checkpoint, never the server's directories.
        expect(JSON.stringify(listed)).not.toContain(family.root);
        expect(events.filter((e) => e.type === 'checkpoint-unavailable').map((e) => (e as { checkpointId: string }).checkpointId).sort()).toEqual(['bad-graph', 'bad-vocab']);
        expect(() => pool.submit({ checkpointId: 'bad-vocab', request: request() })).toThrow(
          expect.objectContaining({ code: 'CHECKPOINT_UNAVAILABLE', checkpointId: 'bad-vocab', message: expect.stringMatching(/^checkpoint "bad-vocab" is unavailable: tokenizer\/vocab\.json: /) }),
        );
        expect(() => pool.submit({ checkpointId: 'bad-graph', request: request() })).toThrow(/^checkpoint "bad-graph" is unavailable: unet\/model\.onnx: onnxruntime cannot load it/);
        expect((await pool.submit({ checkpointId: 'healthy', request: request() }).result).images).toHaveLength(1);
      } finally {
        await pool.close();
      }
    } finally {
      writeFileSync(graph, saved);
    }
  });

  it('a weights file changed after registration fails the load naming it; the checkpoint turns unavailable; a file only touched still loads', async () => {
    const [healthy, , , changed] = family.dirs as [string, string, string, string];
    const pool = await InferencePool.start({
      devices: [{ intraOpThreads: 1 }],
      checkpoints: [
        { id: 'healthy', dir: healthy, pinned: true },
        { id: 'changed', dir: changed },
      ],
    });
    try {
      const weights = join(changed, 'unet', 'weights.pb');
      flipByte(weights, 1000);
      const registered = /\(sha256 [0-9a-f]{12}… ≠ [0-9a-f]{12}… registered\)$/;

      const job = pool.submit({ checkpointId: 'changed', request: request() });
      const error = await job.result.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ code: 'CHECKPOINT_UNAVAILABLE', checkpointId: 'changed', jobId: job.jobId });
      expect((error as Error).message).toMatch(/^checkpoint "changed" is unavailable: unet\/weights\.pb: changed since registration /);
      expect((error as Error).message).toMatch(registered);
      expect((error as Error).message).not.toContain(changed);

      const listed = pool.checkpoints().find((c) => c.id === 'changed');
      expect(listed).toMatchObject({ status: 'unavailable', error: expect.stringMatching(/^unet\/weights\.pb: changed since registration/) });
      await expect(pool.load('changed')).rejects.toMatchObject({ code: 'CHECKPOINT_UNAVAILABLE' });
      expect((await pool.submit({ checkpointId: 'healthy', request: request() }).result).images).toHaveLength(1);
    } finally {
      await pool.close();
    }

    // Same bytes, new modification time: re-hashed at load and accepted.
    const touchedPool = await InferencePool.start({ devices: [{ intraOpThreads: 1 }], checkpoints: [{ id: 'touched', dir: healthy }] });
    try {
      const later = new Date(Date.now() + 60_000);
      utimesSync(join(healthy, 'unet', 'weights.pb'), later, later);
      expect((await touchedPool.submit({ checkpointId: 'touched', request: request() }).result).images).toHaveLength(1);
      expect(touchedPool.checkpoints()[0]!.status).toBe('available');
    } finally {
      await touchedPool.close();
    }
  });

  it('refuses to start when no checkpoint can be registered', async () => {
    const [, badVocab] = family.dirs as [string, string];
    await expect(InferencePool.start({ devices: [{ intraOpThreads: 1 }], checkpoints: [{ id: 'only', dir: badVocab }] })).rejects.toMatchObject({
      code: 'MODEL_DIRECTORY_INVALID',
      message: expect.stringMatching(/^checkpoint "only": .*tokenizer\/vocab\.json/),
    });
  });
});

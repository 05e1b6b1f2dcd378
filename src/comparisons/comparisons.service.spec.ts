import { ApiError, ErrorCode } from '../common/error-code';
import type { CheckpointEntry } from '../checkpoints/checkpoint-registry';
import type { CheckpointsService } from '../checkpoints/checkpoints.service';
import type { InferencePool } from '../pool';
import type { ComparisonStore } from './comparison-store';
import { StreamSlots } from '../generation/stream-slots';
import { ComparisonsService } from './comparisons.service';

const entry = (id: string): CheckpointEntry => ({ id, label: id, baseModel: 'sd14', trainingStep: 0, path: `/models/${id}`, default: id === 'final', pinned: false });
const registry = [entry('baseline'), entry('final')];
const checkpoints = { resolve: (id: string) => registry.find((c) => c.id === id) } as unknown as CheckpointsService;

/** Validation runs before anything is queued: the pool stops each request that got through, and records it. */
function service(): { comparisons: ComparisonsService; submitted: Array<{ checkpointIds: string[]; request: { prompt: string } }> } {
  const submitted: Array<{ checkpointIds: string[]; request: { prompt: string } }> = [];
  const pool = {
    submitComparison: (options: { checkpointIds: string[]; request: { prompt: string } }) => {
      submitted.push(options);
      throw new ApiError(ErrorCode.RESOURCE_EXHAUSTED, 'stopped by the test');
    },
  } as unknown as InferencePool;
  return { comparisons: new ComparisonsService(pool, checkpoints, registry, {} as ComparisonStore, new StreamSlots(4)), submitted };
}

const settings = { width: 64, height: 64, steps: 1, seed: 1 };

describe('ComparisonsService: null means "not given"', () => {
  it('takes prompt when prompts is null', async () => {
    const { comparisons, submitted } = service();
    await expect(comparisons.create({ ...settings, prompts: null, prompt: 'red dress', checkpoints: ['final'] }, 'client')).rejects.toThrow('stopped by the test');
    expect(submitted.map((s) => [s.request.prompt, s.checkpointIds])).toEqual([['red dress', ['final']]]);
  });

  it('takes prompts when prompt is null, and every checkpoint when checkpoints is null', async () => {
    const { comparisons, submitted } = service();
    await expect(comparisons.create({ ...settings, prompt: null, prompts: ['a'], checkpoints: null }, 'client')).rejects.toThrow('stopped by the test');
    expect(submitted.map((s) => [s.request.prompt, s.checkpointIds])).toEqual([['a', ['baseline', 'final']]]);
  });

  it('still refuses both given, or neither', async () => {
    const { comparisons } = service();
    await expect(comparisons.create({ ...settings, prompt: 'a', prompts: ['b'] }, 'client')).rejects.toMatchObject({ details: { field: 'prompts' }, message: 'prompts: give either prompts or prompt, not both' });
    await expect(comparisons.create({ ...settings, prompt: null, prompts: null }, 'client')).rejects.toMatchObject({ details: { field: 'prompts' }, message: expect.stringMatching(/^prompts: is required/) });
  });
});

describe('ComparisonsService: per-cell progress and previews (internal options)', () => {
  it('passes preview to the pool and reports each cell by row and column, with its preview as base64', async () => {
    const submitted: Array<{ preview?: unknown }> = [];
    const webp = Uint8Array.from([82, 73, 70, 70]);
    const pool = {
      submitComparison: (options: { checkpointIds: string[]; preview?: unknown; onProgress?: (e: object) => void }) => {
        submitted.push(options);
        options.onProgress?.({ checkpointId: 'final', imageIndex: 0, step: 2, jobStep: 2, totalSteps: 4, etaMs: 10, preview: { mimeType: 'image/webp', width: 8, height: 8, bytes: webp } });
        options.onProgress?.({ checkpointId: 'baseline', imageIndex: 0, step: 1, jobStep: 1, totalSteps: 4, etaMs: 30 });
        throw new ApiError(ErrorCode.RESOURCE_EXHAUSTED, 'stopped by the test');
      },
    } as unknown as InferencePool;
    const comparisons = new ComparisonsService(pool, checkpoints, registry, {} as ComparisonStore, new StreamSlots(4));
    const seen: object[] = [];
    await expect(
      comparisons.create({ ...settings, prompt: 'red dress', checkpoints: ['baseline', 'final'] }, 'client', { preview: { intervalSteps: 2 }, onCellProgress: (e) => seen.push(e) }),
    ).rejects.toThrow('stopped by the test');
    expect(submitted.map((s) => s.preview)).toEqual([{ intervalSteps: 2 }]);
    expect(seen).toEqual([
      { row: 0, column: 1, checkpointId: 'final', step: 2, totalSteps: 4, etaMs: 10, preview: { mimeType: 'image/webp', width: 8, height: 8, base64: Buffer.from(webp).toString('base64') } },
      { row: 0, column: 0, checkpointId: 'baseline', step: 1, totalSteps: 4, etaMs: 30 },
    ]);
  });

  it('without preview, the pool gets no preview (only the progress listener that feeds the event stream)', async () => {
    const { comparisons, submitted } = service();
    await expect(comparisons.create({ ...settings, prompt: 'red dress', checkpoints: ['final'] }, 'client')).rejects.toThrow('stopped by the test');
    expect(Object.keys(submitted[0] as object).sort()).toEqual(['checkpointIds', 'clientId', 'onProgress', 'request']);
  });

  it("takes the request's preview and previewInterval, refused by the generation's rules", async () => {
    const { comparisons, submitted } = service();
    await expect(comparisons.create({ ...settings, steps: 4, prompt: 'red dress', checkpoints: ['final'], preview: true, previewInterval: 2 }, 'client')).rejects.toThrow('stopped by the test');
    expect((submitted[0] as { preview?: unknown }).preview).toEqual({ intervalSteps: 2 });
    await expect(comparisons.create({ ...settings, steps: 4, prompt: 'red dress', preview: true, previewInterval: 5 }, 'client')).rejects.toMatchObject({
      message: 'previewInterval: must be an integer from 1 to the number of steps (4)',
    });
    await expect(comparisons.create({ ...settings, prompt: 'red dress', previewInterval: 1 }, 'client')).rejects.toMatchObject({ message: 'previewInterval: is for previews: send it with preview: true' });
    expect(submitted).toHaveLength(1);
  });
});

describe('ComparisonsService: a started comparison', () => {
  /** A pool whose one row (one cell) reports a step of cell 0, then fails it. */
  function failingService(): { comparisons: ComparisonsService; fail: () => void } {
    let fail = (): void => undefined;
    const pool = {
      submitComparison: (options: { onProgress?: (e: object) => void }) => {
        let reject = (_error: unknown): void => undefined;
        const result = new Promise((_resolve, rejectCell) => (reject = rejectCell));
        fail = () => {
          options.onProgress?.({ checkpointId: 'final', imageIndex: 0, step: 1, jobStep: 1, totalSteps: 2, etaMs: 5 });
          reject(new ApiError(ErrorCode.UNAVAILABLE, 'the worker died'));
        };
        const cell = { checkpointId: 'final', jobId: 'j', result, cancel: () => true };
        return { comparisonId: 'c', cells: [cell], cancel: () => undefined, result: result.catch((error: unknown) => ({ comparisonId: 'c', cells: [{ ok: false, error }] })) };
      },
    } as unknown as InferencePool;
    return { comparisons: new ComparisonsService(pool, checkpoints, registry, {} as ComparisonStore, new StreamSlots(4)), fail: () => fail() };
  }

  it('is readable while it runs (its owner only), and a failure reaches its state, its subscribers and done', async () => {
    const { comparisons, fail } = failingService();
    const { id, done } = await comparisons.start({ ...settings, prompt: 'red dress', checkpoints: ['final'] }, 'alice');
    expect(comparisons.state(id, { clientId: 'alice', admin: false })).toMatchObject({ id, status: 'queued', cells: [{ row: 0, column: 0, checkpoint: 'final', status: 'queued' }] });
    expect(() => comparisons.state(id, { clientId: 'bob', admin: false })).toThrow(/does not exist/);
    expect(() => comparisons.subscribe(id, { send: () => true }, { clientId: 'bob', admin: false })).toThrow(/does not exist/);
    const events: unknown[] = [];
    comparisons.subscribe(id, { send: (published) => events.push(published.event) > 0 }, { clientId: 'alice', admin: false });
    fail();
    await expect(done).rejects.toMatchObject({ code: ErrorCode.UNAVAILABLE, message: 'the worker died' });
    expect(events).toEqual([
      { event: 'cell', data: { row: 0, column: 0, checkpoint: 'final', step: 1, totalSteps: 2, etaMs: 5 } },
      { event: 'done', data: { status: 'failed', error: { code: ErrorCode.UNAVAILABLE, message: 'the worker died' } } },
    ]);
    expect(comparisons.state(id, { clientId: 'alice', admin: false })).toMatchObject({ status: 'failed', error: { code: ErrorCode.UNAVAILABLE }, cells: [{ status: 'failed' }] });
    // A late subscriber gets the done at once.
    const late: unknown[] = [];
    comparisons.subscribe(id, { send: (published) => late.push(published.event.event) > 0 }, { clientId: 'alice', admin: false });
    expect(late).toEqual(['done']);
  });
});

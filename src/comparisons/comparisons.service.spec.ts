import { ApiError, ErrorCode } from '../common/error-code';
import type { CheckpointEntry } from '../checkpoints/checkpoint-registry';
import type { CheckpointsService } from '../checkpoints/checkpoints.service';
import type { InferencePool } from '../pool';
import type { ComparisonStore } from './comparison-store';
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
  return { comparisons: new ComparisonsService(pool, checkpoints, registry, {} as ComparisonStore), submitted };
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

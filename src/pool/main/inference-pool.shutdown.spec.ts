import { Worker } from 'node:worker_threads';
import { parseGenerationRequest, type GenerationInput } from '../../engine/pipeline/generation-request';
import { InferencePool } from './inference-pool';
import { PoolError } from '../protocol/pool-errors';
import type { JobHandle, ProgressEvent } from './pool-types';
import { makeCheckpointFamily, type CheckpointFamily } from '../testing/checkpoint-family.fixture';

const BASE: GenerationInput = { prompt: 'a red kente dress', width: 64, height: 64, steps: 3, guidanceScale: 5, seed: 1, scheduler: 'euler' };
const request = (overrides: GenerationInput = {}) => parseGenerationRequest({ ...BASE, ...overrides });

async function rejection(promise: Promise<unknown>): Promise<PoolError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof PoolError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

/** Collects a job's progress; resolves `firstStep` at its first step and `ended` when the stream ends. */
function watch(handle: JobHandle): { events: ProgressEvent[]; firstStep: Promise<void>; ended: Promise<void> } {
  const events: ProgressEvent[] = [];
  let started!: () => void;
  const firstStep = new Promise<void>((resolve) => (started = resolve));
  const ended = (async () => {
    for await (const event of handle.progress()) {
      events.push(event);
      started();
    }
  })();
  return { events, firstStep, ended };
}

describe('InferencePool: shutdown', () => {
  let family: CheckpointFamily;
  beforeAll(() => {
    family = makeCheckpointFamily(1);
  });
  afterAll(() => family?.remove());
  afterEach(() => jest.restoreAllMocks());

  it('cancelAll(): fails running and queued jobs with SHUTTING_DOWN and the message, ends their streams, refuses new jobs', async () => {
    const pool = await InferencePool.start({
      devices: [{ device: 'cpu', maxInFlightRows: 2, intraOpThreads: 1 }],
      checkpoints: [{ id: 'base', dir: family.dirs[0] as string, pinned: true }],
    });
    try {
      const running = pool.submit({ checkpointId: 'base', request: request({ steps: 150 }) });
      const queued = pool.submit({ checkpointId: 'base', request: request({ steps: 150, seed: 2 }) });
      const progress = watch(running);
      await progress.firstStep;

      expect(pool.cancelAll('server shutting down')).toBe(2);
      for (const job of [running, queued]) {
        await expect(rejection(job.result)).resolves.toMatchObject({ code: 'SHUTTING_DOWN', message: 'server shutting down', jobId: job.jobId, checkpointId: 'base' });
      }
      await progress.ended;
      expect(progress.events.length).toBeLessThan(150);
      expect(() => pool.submit({ checkpointId: 'base', request: request() })).toThrow(expect.objectContaining({ code: 'SHUTTING_DOWN' }));
      const stats = await pool.stats();
      expect([stats.queued, stats.running]).toEqual([0, 0]);
    } finally {
      await pool.close();
    }
  });

  it('close() mid-generation: the worker finishes its current call and ends its own thread; it is never terminated', async () => {
    const terminate = jest.spyOn(Worker.prototype, 'terminate');
    const pool = await InferencePool.start({
      devices: [{ device: 'cpu', intraOpThreads: 1 }],
      checkpoints: [{ id: 'base', dir: family.dirs[0] as string, pinned: true }],
    });
    const running = pool.submit({ checkpointId: 'base', request: request({ steps: 150 }) });
    await watch(running).firstStep;
    pool.cancelAll('server shutting down');
    const closing = pool.close();
    expect(pool.close()).toBe(closing);
    await closing;
    await expect(rejection(running.result)).resolves.toMatchObject({ code: 'SHUTTING_DOWN' });
    expect(terminate).not.toHaveBeenCalled();
    expect((await pool.stats()).devices[0]!.state).toBe('closed');
  });
});

import { parseGenerationRequest } from '../../engine/pipeline/generation-request';
import { FairQueue } from './fair-queue';
import { estimateRetryAfterMs } from './pool-admission';
import type { Device, PoolJob } from './pool-state';

/** The fields of a job the estimate reads. */
function job(steps: number, numImages: number, stepsDone: number[] = [], state: PoolJob['state'] = 'queued'): PoolJob {
  const request = parseGenerationRequest({ prompt: 'x', steps, numImages, guidanceScale: 7.5, seed: 1 });
  return { id: `j${Math.random()}`, clientId: 'c', priority: 'normal', request, rows: 2 * numImages, stepsDone, state } as unknown as PoolJob;
}

function device(msPerRowStep: number, queued: PoolJob[], running: PoolJob[] = [], state = 'ready'): Device {
  const queue = new FairQueue<PoolJob>();
  for (const j of queued) queue.push(j);
  return { queue, running: new Map(running.map((j) => [j.id, j])), msPerRowStep, worker: { state } } as unknown as Device;
}

describe('estimateRetryAfterMs: when a client refused with QUEUE_FULL should come back', () => {
  it('counts the queued work, not just the running job closest to done', () => {
    // A job one step from done, and 4 queued jobs of 25 guided steps: 4 × 2 rows × 25 steps × 62.5 ms = 12.5 s.
    const almostDone = job(25, 1, [24], 'running');
    const queued = [job(25, 1), job(25, 1), job(25, 1), job(25, 1)];
    expect(estimateRetryAfterMs({ devices: [device(62.5, queued, [almostDone])] })).toBe(12_500 + 2 * 62.5);
  });

  it('counts each running image by the steps it has left', () => {
    // 3 images (6 rows): 10 + 4 + 0 steps left, 2 rows each, 10 ms a row-step.
    expect(estimateRetryAfterMs({ devices: [device(10, [], [job(10, 3, [0, 6, 10], 'running')])] })).toBe((10 + 4 + 0) * 2 * 10);
  });

  it('shares the work among the devices that can run, and ignores failed ones', () => {
    const work = (): PoolJob[] => [job(50, 1), job(50, 1)];
    const one = estimateRetryAfterMs({ devices: [device(20, work())] });
    const two = estimateRetryAfterMs({ devices: [device(20, work()), device(20, work())] });
    expect(one).toBe(2 * 2 * 50 * 20);
    expect(two).toBe(one);
    expect(estimateRetryAfterMs({ devices: [device(20, work()), device(20, work(), [], 'failed')] })).toBe(one);
  });

  it('stays within 50 ms and 5 minutes', () => {
    expect(estimateRetryAfterMs({ devices: [device(1, [])] })).toBe(50);
    expect(estimateRetryAfterMs({ devices: [device(1000, [job(150, 8), job(150, 8)])] })).toBe(300_000);
  });
});

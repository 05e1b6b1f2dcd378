import { ModelFailedError } from '../../engine/errors';
import { parseGenerationRequest, type GenerationInput } from '../../engine/pipeline/generation-request';
import { InferencePool } from './inference-pool';
import { PoolError } from '../protocol/pool-errors';
import type { JobHandle, JobResult, PoolEvent } from './pool-types';
import { makeCheckpointFamily, type CheckpointFamily } from '../testing/checkpoint-family.fixture';

const BASE: GenerationInput = { prompt: 'a red kente dress', negativePrompt: 'blurry', width: 64, height: 64, steps: 4, guidanceScale: 5, seed: 1, scheduler: 'euler' };
const request = (overrides: GenerationInput = {}) => parseGenerationRequest({ ...BASE, ...overrides });

type Settled = { ok: true; result: JobResult } | { ok: false; error: PoolError };
function settle(handle: JobHandle): Promise<Settled> {
  return handle.result.then(
    (result) => ({ ok: true, result }),
    (error: PoolError) => ({ ok: false, error }),
  );
}

function firstStep(handle: JobHandle): Promise<void> {
  return (async () => {
    for await (const event of handle.progress()) if (event.step >= 1) return;
  })();
}

describe('InferencePool: faults', () => {
  let family: CheckpointFamily;
  beforeAll(() => {
    family = makeCheckpointFamily(2);
  });
  afterAll(() => family?.remove());
  const checkpoints = () => family.dirs.map((dir, i) => ({ id: `ft-${i}`, dir, pinned: true }));

  it('refuses to inject faults unless the pool was started for testing', async () => {
    const pool = await InferencePool.start({ devices: [{ intraOpThreads: 1 }], checkpoints: checkpoints().slice(0, 1) });
    try {
      await expect(pool.injectFault({ type: 'crash-worker', when: 'now' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    } finally {
      await pool.close();
    }
  });

  it('a failing UNet call fails only the sequences in it, naming the checkpoint; the UNet keeps serving', async () => {
    const pool = await InferencePool.start({ devices: [{ intraOpThreads: 1 }], checkpoints: checkpoints(), faultInjection: true });
    try {
      await pool.injectFault({ type: 'fail-unet-call', checkpointId: 'ft-1' });
      // Submitted together: b and c share ft-1's first UNet call; a runs on ft-0's UNet.
      const a = pool.submit({ checkpointId: 'ft-0', request: request() });
      const b = pool.submit({ checkpointId: 'ft-1', request: request() });
      const c = pool.submit({ checkpointId: 'ft-1', request: request({ seed: 2, guidanceScale: 1 }) });
      const [ra, rb, rc] = await Promise.all([settle(a), settle(b), settle(c)]);
      expect(ra.ok).toBe(true);
      for (const [r, handle] of [[rb, b], [rc, c]] as const) {
        if (r.ok) throw new Error('expected a failure');
        expect(r.error).toMatchObject({ code: 'MODEL_FAILED', checkpointId: 'ft-1', jobId: handle.jobId, device: 'cpu' });
        expect(r.error.message).toMatch(/checkpoint "ft-1" on cpu: unet failed: injected fault/);
        expect(r.error.cause).toBeInstanceOf(ModelFailedError);
        expect((r.error.cause as ModelFailedError).component).toBe('unet');
      }
      expect((await pool.submit({ checkpointId: 'ft-1', request: request() }).result).images).toHaveLength(1);
      const stats = await pool.stats();
      expect(stats.devices[0]!.counters!.failedUnetCalls).toBe(1);
      expect(stats.devices[0]!.activeSequences).toBe(0);
    } finally {
      await pool.close();
    }
  });

  it('a worker that dies is restarted: its in-flight jobs fail with WORKER_CRASHED, the other device and queued work carry on', async () => {
    const events: PoolEvent[] = [];
    const waiters: { match: (e: PoolEvent) => boolean; resolve: () => void }[] = [];
    const nextEvent = (match: (e: PoolEvent) => boolean): Promise<void> => new Promise((resolve) => waiters.push({ match, resolve }));
    const leftRestarted = nextEvent((e) => e.type === 'worker-ready' && e.device === 'left' && e.restarts === 1);
    const pool = await InferencePool.start({
      devices: [
        { device: 'cpu', name: 'left', maxInFlightRows: 2, intraOpThreads: 1 },
        { device: 'cpu', name: 'right', maxInFlightRows: 2, intraOpThreads: 1 },
      ],
      checkpoints: checkpoints(),
      faultInjection: true,
      onEvent: (e) => {
        events.push(e);
        for (const w of waiters) if (w.match(e)) w.resolve();
      },
    });
    try {
      // One long job per device (each device takes one guided image at a time), then one queued.
      const onLeft = pool.submit({ checkpointId: 'ft-0', request: request({ steps: 150 }) });
      const onRight = pool.submit({ checkpointId: 'ft-0', request: request({ steps: 150 }) });
      await Promise.all([firstStep(onLeft), firstStep(onRight)]);
      const queued = pool.submit({ checkpointId: 'ft-1', request: request() });
      expect((await pool.stats()).queued).toBe(1);

      await pool.injectFault({ type: 'crash-worker', when: 'next-unet-call' }, 'left');
      const [left, right, later] = await Promise.all([settle(onLeft), settle(onRight), settle(queued)]);
      if (left.ok) throw new Error('the left job should have failed');
      expect(left.error).toMatchObject({ code: 'WORKER_CRASHED', device: 'left', jobId: onLeft.jobId });
      expect(left.error.message).toMatch(/worker of device left stopped \(exit code 70\)/);
      expect(right.ok).toBe(true);
      expect(later.ok).toBe(true);

      await leftRestarted;
      const after = await pool.submit({ checkpointId: 'ft-1', request: request() }).result;
      expect(after.images).toHaveLength(1);
      const stats = await pool.stats();
      expect(stats.devices.map((d) => [d.device, d.state, d.restarts])).toEqual([
        ['left', 'ready', 1],
        ['right', 'ready', 0],
      ]);
      expect(events.filter((e) => e.type === 'worker-exited')).toEqual([{ type: 'worker-exited', device: 'left', exitCode: 70, failedJobs: 1 }]);
      // The restarted worker loaded its pinned checkpoints again.
      const residency = await pool.residency();
      expect(residency[0]!.residentCheckpointIds).toEqual(['ft-0', 'ft-1']);

      // A crash at once (not inside a UNet call) is handled the same way.
      const rightRestarted = nextEvent((e) => e.type === 'worker-ready' && e.device === 'right' && e.restarts === 1);
      await pool.injectFault({ type: 'crash-worker', when: 'now' }, 'right');
      await rightRestarted;
      expect(events.filter((e) => e.type === 'worker-exited').map((e) => e.device)).toEqual(['left', 'right']);
      const afterSecondCrash = await pool.submit({ checkpointId: 'ft-0', request: request() }).result;
      expect(afterSecondCrash.images).toHaveLength(1);
    } finally {
      await pool.close();
    }
  });

  it('closes cleanly while a crashed worker is restarting (it is let finish starting, never terminated mid-load)', async () => {
    const exited: string[] = [];
    const pool = await InferencePool.start({
      devices: [{ intraOpThreads: 1 }],
      checkpoints: checkpoints(),
      faultInjection: true,
      onEvent: (e) => {
        if (e.type === 'worker-exited') exited.push(e.device);
      },
    });
    const running = pool.submit({ checkpointId: 'ft-0', request: request({ steps: 150 }) });
    await firstStep(running);
    await pool.injectFault({ type: 'crash-worker', when: 'next-unet-call' });
    await expect(running.result).rejects.toMatchObject({ code: 'WORKER_CRASHED' });
    await pool.close();
    expect(exited).toEqual(['cpu']);
    expect((await pool.stats()).devices[0]!.state).toBe('closed');
  });
});

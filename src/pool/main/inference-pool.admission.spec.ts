import { parseGenerationRequest, ValidGenerationRequest, type GenerationInput } from '../../engine/pipeline/generation-request';
import { InferencePool } from './inference-pool';
import { PoolError } from '../protocol/pool-errors';
import type { JobHandle, SubmitOptions } from './pool-types';
import { makeCheckpointFamily, type CheckpointFamily } from '../testing/checkpoint-family.fixture';

const BASE: GenerationInput = { prompt: 'a red kente dress', negativePrompt: 'blurry', width: 64, height: 64, steps: 3, guidanceScale: 5, seed: 1, scheduler: 'euler' };
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

function thrown(run: () => unknown): PoolError {
  try {
    run();
  } catch (error) {
    if (error instanceof PoolError) return error;
    throw error;
  }
  throw new Error('expected a throw');
}

/** Resolves when the job reports step `step`. */
function atStep(handle: JobHandle, step: number): Promise<void> {
  return (async () => {
    for await (const event of handle.progress()) if (event.step >= step) return;
    throw new Error(`job ended before step ${step}`);
  })();
}

describe('InferencePool: admission, fairness, cancellation, deadlines', () => {
  let family: CheckpointFamily;
  let pool: InferencePool;
  /** One guided image (2 rows) at a time in the worker, so jobs run one after the other. */
  const oneAtATime = { device: 'cpu', maxBatch: 8, maxInFlightRows: 2, intraOpThreads: 1 } as const;

  beforeAll(async () => {
    family = makeCheckpointFamily(1);
    pool = await InferencePool.start({
      devices: [oneAtATime],
      checkpoints: [{ id: 'base', dir: family.dirs[0] as string, pinned: true }],
      maxQueuedPerDevice: 16,
      maxQueuedTotal: 16,
    });
  });
  afterAll(async () => {
    await pool?.close();
    family?.remove();
  });

  function run(order: string[], name: string, options: Partial<SubmitOptions> = {}): JobHandle {
    const handle = pool.submit({ checkpointId: 'base', request: request(), ...options });
    void handle.result.then(() => order.push(name));
    return handle;
  }

  it('takes turns between clients instead of serving one client’s backlog first', async () => {
    const order: string[] = [];
    const handles = [
      ...['a1', 'a2', 'a3', 'a4'].map((n) => run(order, n, { clientId: 'alice' })),
      ...['b1', 'b2'].map((n) => run(order, n, { clientId: 'bob' })),
    ];
    await Promise.all(handles.map((h) => h.result));
    // a1 starts at once; a2 queued before bob arrived; then the clients alternate.
    expect(order).toEqual(['a1', 'a2', 'b1', 'a3', 'b2', 'a4']);
  });

  it('serves high priority before normal', async () => {
    const order: string[] = [];
    const handles = [
      run(order, 'n1', { clientId: 'x' }),
      run(order, 'n2', { clientId: 'x' }),
      run(order, 'n3', { clientId: 'y' }),
      run(order, 'h1', { clientId: 'z', priority: 'high' }),
    ];
    await Promise.all(handles.map((h) => h.result));
    expect(order).toEqual(['n1', 'h1', 'n2', 'n3']);
  });

  it('cancels a running job within a step: CANCELLED, rows freed, the next job runs', async () => {
    const before = (await pool.stats()).devices[0]!.counters!.unetCalls;
    const long = pool.submit({ checkpointId: 'base', request: request({ steps: 150 }) });
    const next = pool.submit({ checkpointId: 'base', request: request() });
    const afterCancel: number[] = [];
    let cancelled = false;
    const watcher = (async () => {
      for await (const e of long.progress()) {
        if (cancelled) afterCancel.push(e.step);
        if (e.step === 3) cancelled = pool.cancel(long.jobId);
      }
    })();
    const error = await rejection(long.result);
    expect(error).toMatchObject({ code: 'CANCELLED', jobId: long.jobId, checkpointId: 'base' });
    await watcher;
    expect(afterCancel).toEqual([]);
    expect((await next.result).images).toHaveLength(1);
    const stats = await pool.stats();
    const device = stats.devices[0]!;
    expect([device.runningJobs, device.inFlightRows, device.activeSequences, stats.queued]).toEqual([0, 0, 0, 0]);
    // The 150-step job stopped soon after the cancel (the worker drops it at its next tick; see
    // device-runtime.spec.ts for the exact bound), not at step 150.
    expect(device.counters!.unetCalls - before).toBeLessThan(150);
    expect(pool.cancel(long.jobId)).toBe(false);
  });

  it('cancels through an AbortSignal, running or still queued', async () => {
    const running = new AbortController();
    const queued = new AbortController();
    const a = pool.submit({ checkpointId: 'base', request: request({ steps: 150 }), signal: running.signal });
    const b = pool.submit({ checkpointId: 'base', request: request({ steps: 150 }), signal: queued.signal });
    expect((await pool.stats()).queued).toBe(1);
    queued.abort();
    await expect(rejection(b.result)).resolves.toMatchObject({ code: 'CANCELLED' });
    await atStep(a, 2);
    running.abort(new Error('client went away'));
    const error = await rejection(a.result);
    expect(error.code).toBe('CANCELLED');
    expect(error.message).toMatch(/AbortSignal/);
    const already = new AbortController();
    already.abort();
    await expect(rejection(pool.submit({ checkpointId: 'base', request: request(), signal: already.signal }).result)).resolves.toMatchObject({ code: 'CANCELLED' });
    const stats = await pool.stats();
    expect([stats.devices[0]!.runningJobs, stats.devices[0]!.activeSequences, stats.queued]).toEqual([0, 0, 0]);
  });

  it('fails jobs past their deadline with DEADLINE_EXCEEDED, running or queued, and frees their rows', async () => {
    // Far more work than the deadline allows: 150 steps of two 128×128 guided images.
    const running = pool.submit({ checkpointId: 'base', request: request({ steps: 150, width: 128, height: 128, numImages: 2 }), deadlineMs: 300 });
    const queued = pool.submit({ checkpointId: 'base', request: request(), deadlineMs: 100 });
    const [a, b] = await Promise.all([rejection(running.result), rejection(queued.result)]);
    expect(a).toMatchObject({ code: 'DEADLINE_EXCEEDED', jobId: running.jobId });
    expect(a.message).toMatch(/deadline of 300 ms/);
    expect(b).toMatchObject({ code: 'DEADLINE_EXCEEDED', jobId: queued.jobId });
    const stats = await pool.stats();
    expect([stats.devices[0]!.runningJobs, stats.devices[0]!.inFlightRows, stats.devices[0]!.activeSequences]).toEqual([0, 0, 0]);
    expect(stats.totals.deadlineExceeded).toBeGreaterThanOrEqual(2);
    // The device is free for the next job.
    expect((await pool.submit({ checkpointId: 'base', request: request(), deadlineMs: 60000 }).result).images).toHaveLength(1);
  });

  it('rejects unknown checkpoints and bad job options at submit', () => {
    expect(thrown(() => pool.submit({ checkpointId: 'nope', request: request() }))).toMatchObject({ code: 'UNKNOWN_CHECKPOINT' });
    expect(thrown(() => pool.submit({ checkpointId: 'base', request: request(), deadlineMs: -1 })).message).toMatch(/deadlineMs/);
  });

  it('takes only requests parseGenerationRequest validated (the type proves it; the pool does not check again)', () => {
    const malformed = (): SubmitOptions => ({
      checkpointId: 'base',
      // @ts-expect-error -- a copy with a field changed is not a ValidGenerationRequest, so it cannot reach the pool
      request: { ...request(), width: 65 },
    });
    expect(malformed().request).not.toBeInstanceOf(ValidGenerationRequest);
    expect(request()).toBeInstanceOf(ValidGenerationRequest);
  });
});

describe('InferencePool: bounded queues and shutdown', () => {
  let family: CheckpointFamily;
  beforeAll(() => {
    family = makeCheckpointFamily(1);
  });
  afterAll(() => family?.remove());

  it('rejects with QUEUE_FULL and a retryAfterMs estimate when a device queue or the pool queue is full', async () => {
    const pool = await InferencePool.start({
      devices: [{ device: 'cpu', maxInFlightRows: 2, intraOpThreads: 1 }],
      checkpoints: [{ id: 'base', dir: family.dirs[0] as string, pinned: true }],
      maxQueuedPerDevice: 2,
      maxQueuedTotal: 3,
    });
    try {
      const handles = [0, 1, 2].map(() => pool.submit({ checkpointId: 'base', request: request({ steps: 150 }) }));
      expect((await pool.stats()).queued).toBe(2);
      const full = thrown(() => pool.submit({ checkpointId: 'base', request: request() }));
      expect(full.code).toBe('QUEUE_FULL');
      expect(full.retryAfterMs).toBeGreaterThan(0);
      expect(full.message).toMatch(/queue is full/);
      // A comparison is admitted whole or not at all.
      expect(thrown(() => pool.submitComparison({ checkpointIds: ['base'], request: request() })).code).toBe('QUEUE_FULL');
      expect((await pool.stats()).totals.rejected).toBe(2);
      handles.forEach((h) => h.cancel());
      await Promise.all(handles.map((h) => rejection(h.result)));
    } finally {
      await pool.close();
    }
  });

  it('applies the pool-wide bound across devices', async () => {
    const pool = await InferencePool.start({
      devices: [{ device: 'cpu', maxInFlightRows: 2, intraOpThreads: 1 }],
      checkpoints: [{ id: 'base', dir: family.dirs[0] as string }],
      maxQueuedPerDevice: 10,
      maxQueuedTotal: 1,
    });
    try {
      const a = pool.submit({ checkpointId: 'base', request: request({ steps: 150 }) });
      const b = pool.submit({ checkpointId: 'base', request: request() });
      const full = thrown(() => pool.submit({ checkpointId: 'base', request: request() }));
      expect(full.code).toBe('QUEUE_FULL');
      expect(full.message).toMatch(/pool's queue is full \(1 of 1/);
      a.cancel();
      expect((await b.result).images).toHaveLength(1);
    } finally {
      await pool.close();
    }
  });

  it('close(): refuses new jobs, fails queued ones, lets running ones finish', async () => {
    const pool = await InferencePool.start({
      devices: [{ device: 'cpu', maxInFlightRows: 2, intraOpThreads: 1 }],
      checkpoints: [{ id: 'base', dir: family.dirs[0] as string, pinned: true }],
    });
    const running = pool.submit({ checkpointId: 'base', request: request({ steps: 6 }) });
    const queued = pool.submit({ checkpointId: 'base', request: request() });
    const closed = pool.close();
    expect(thrown(() => pool.submit({ checkpointId: 'base', request: request() })).code).toBe('SHUTTING_DOWN');
    await expect(rejection(queued.result)).resolves.toMatchObject({ code: 'SHUTTING_DOWN' });
    expect((await running.result).images).toHaveLength(1);
    await closed;
    expect((await pool.stats()).devices[0]!.state).toBe('closed');
  });
});

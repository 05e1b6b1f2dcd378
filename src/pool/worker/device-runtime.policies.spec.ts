/**
 * The three batching policies driven in-process (no thread), on the same scenario: jobs `a` (6 steps)
 * and `b` (4 steps) arrive together, and `c` (3 steps) arrives once `a` has finished its second step.
 * Only the order of the ticks is checked, never durations.
 */
import { parseGenerationRequest, type GenerationInput } from '../../engine/pipeline/generation-request';
import { describeCheckpoint } from '../main/checkpoint-catalog';
import { DeviceRuntime } from './device-runtime';
import type { BatchingPolicy } from '../protocol/protocol';
import type { CheckpointSpec, FromWorker, ToWorker, WorkerJobSpec } from '../protocol/protocol';
import { makeCheckpointFamily, type CheckpointFamily } from '../testing/checkpoint-family.fixture';

const BASE: GenerationInput = { prompt: 'a red kente dress', negativePrompt: 'blurry', width: 64, height: 64, guidanceScale: 5, scheduler: 'euler' };

type Tick = Extract<FromWorker, { type: 'tick' }>;

interface Scenario {
  readonly batching: BatchingPolicy;
  readonly batchWindowMs: number;
  readonly maxBatchRows: number;
  /** Jobs as [id, steps]: the first message at once, each later one after a tick showing `afterTick` or after `afterMs`. */
  readonly messages: readonly { readonly jobs: readonly [string, number][]; readonly afterTick?: string; readonly afterMs?: number }[];
}

describe('DeviceRuntime batching policies (in-process)', () => {
  let family: CheckpointFamily;
  let spec: CheckpointSpec;
  beforeAll(async () => {
    family = makeCheckpointFamily(1);
    spec = await describeCheckpoint({ id: 'base', dir: family.dirs[0] as string, pinned: true });
  });
  afterAll(() => family?.remove());

  /**
   * Runs a scenario to the end; returns every tick as "a3 b3" (job and step of each image), and
   * the same with the jobs' ends ("end a") in the order they came.
   */
  async function run(scenario: Scenario): Promise<{ steps: string[]; events: string[]; ticks: Tick[]; runtime: DeviceRuntime }> {
    const ticks: Tick[] = [];
    const events: string[] = [];
    const expected = new Set(scenario.messages.flatMap((m) => m.jobs.map(([id]) => id)));
    const pending = [...scenario.messages];
    let runtime: DeviceRuntime | undefined;
    const jobSpec = ([jobId, steps]: [string, number], i: number): WorkerJobSpec => ({
      jobId,
      checkpointId: 'base',
      request: parseGenerationRequest({ ...BASE, steps, seed: i + 1 }),
      previewIntervalSteps: null,
      maxBatchRows: scenario.maxBatchRows,
    });
    let shutDown: () => void = () => undefined;
    const sendNext = (): void => {
      const next = pending.shift();
      if (next) runtime?.handle({ type: 'submit', jobs: next.jobs.map(jobSpec) } satisfies ToWorker);
      if (pending[0]?.afterMs !== undefined) setTimeout(sendNext, pending[0].afterMs);
    };
    const finished = new Promise<void>((resolve, reject) => {
      runtime = new DeviceRuntime(
        {
          deviceName: `in-process ${scenario.batching}`,
          runtime: { device: 'cpu', intraOpThreads: 1 },
          memoryBudgetBytes: Number.POSITIVE_INFINITY,
          residentCost: 'measured',
          maxDecodeBatch: 4,
          vaeTileAbovePixels: 512 * 512,
          maxEncodePrompts: 16,
          embeddingCacheSize: 8,
          batching: scenario.batching,
          batchWindowMs: scenario.batchWindowMs,
          checkpoints: [spec],
          faultInjection: false,
        },
        (m) => {
          if (m.type === 'ready') setImmediate(sendNext);
          if (m.type === 'reply') shutDown();
          if (m.type === 'tick') {
            ticks.push(m);
            events.push(m.progress.map((p) => `${p.jobId}${p.step}`).join(' '));
            const afterTick = pending[0]?.afterTick;
            if (afterTick !== undefined && m.progress.some((p) => `${p.jobId}${p.step}` === afterTick)) sendNext();
          }
          if (m.type === 'job-ended') {
            events.push(`end ${m.jobId}`);
            if (m.outcome.kind !== 'done') reject(new Error(`${m.jobId} ended ${m.outcome.kind}`));
            expected.delete(m.jobId);
            if (expected.size === 0) resolve();
          }
        },
      );
      void runtime.start();
    });
    const rt = runtime as DeviceRuntime;
    try {
      await finished;
    } finally {
      await new Promise<void>((resolve) => {
        shutDown = resolve;
        rt.handle({ type: 'request', requestId: 1, request: { type: 'shutdown' } });
      });
    }
    return { steps: ticks.map((t) => t.progress.map((p) => `${p.jobId}${p.step}`).join(' ')), events, ticks, runtime: rt };
  }

  const lateJob = (batching: BatchingPolicy, maxBatchRows = 8, batchWindowMs = 30): Scenario => ({
    batching,
    batchWindowMs,
    maxBatchRows,
    messages: [
      { jobs: [['a', 6], ['b', 4]] },
      { jobs: [['c', 3]], afterTick: 'a2' },
    ],
  });

  it('continuous: a job arriving mid-generation joins the next UNet call; each job returns when done', async () => {
    const { steps, events, runtime } = await run(lateJob('continuous'));
    expect(steps).toEqual(['a1 b1', 'a2 b2', 'a3 b3 c1', 'a4 b4 c2', 'a5 c3', 'a6']);
    expect(events).toEqual(['a1 b1', 'a2 b2', 'a3 b3 c1', 'a4 b4 c2', 'end b', 'a5 c3', 'end c', 'a6', 'end a']);
    expect(runtime.counters).toMatchObject({ unetCalls: 6, maxUnetJobs: 3, maxUnetRows: 6 });
  });

  it('request-level: the batch runs to completion; a job arriving mid-batch waits for it to finish', async () => {
    // a and b fill the batch (2 guided images = 4 rows = maxBatchRows), so it starts without waiting.
    const { steps, events, runtime } = await run(lateJob('request-level', 4));
    expect(steps).toEqual(['a1 b1', 'a2 b2', 'a3 b3', 'a4 b4', 'a5', 'a6', 'c1', 'c2', 'c3']);
    // The batch completes together: b, done denoising after 4 steps, returns with a.
    expect(events.slice(0, 8)).toEqual(['a1 b1', 'a2 b2', 'a3 b3', 'a4 b4', 'a5', 'a6', 'end b', 'end a']);
    expect(runtime.counters).toMatchObject({ unetCalls: 9, maxUnetJobs: 2, maxUnetRows: 4 });
  });

  it('request-level: jobs arriving within the batch window start together', async () => {
    const { steps } = await run({
      batching: 'request-level',
      batchWindowMs: 60_000,
      maxBatchRows: 4,
      // b comes in a later message while a, encoded, waits: the window keeps the batch open until b fills it.
      messages: [{ jobs: [['a', 3]] }, { jobs: [['b', 2]], afterMs: 50 }],
    });
    expect(steps).toEqual(['a1 b1', 'a2 b2', 'a3']);
  });

  it('sequential: one request at a time, in arrival order; no call holds more than one job', async () => {
    const { steps, events, ticks, runtime } = await run(lateJob('sequential'));
    expect(steps).toEqual(['a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'b1', 'b2', 'b3', 'b4', 'c1', 'c2', 'c3']);
    expect(events.filter((e) => e.startsWith('end'))).toEqual(['end a', 'end b', 'end c']);
    expect(ticks.every((t) => t.rows === 2 && t.sequences === 1)).toBe(true);
    expect(runtime.counters).toMatchObject({ unetCalls: 13, unetRows: 26, maxUnetJobs: 1, maxUnetRows: 2 });
  });
});

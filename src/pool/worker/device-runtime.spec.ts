/**
 * The worker's scheduler driven in-process (no thread), so the exact order of its messages can be
 * checked: a job arriving between ticks joins the very next UNet call, and a cancel received
 * between ticks drops the job before the next one.
 */
import { parseGenerationRequest, type GenerationInput } from '../../engine/pipeline/generation-request';
import { describeCheckpoint } from '../main/checkpoint-catalog';
import { DeviceRuntime } from './device-runtime';
import type { FromWorker, ToWorker, WorkerInit, WorkerJobSpec } from '../protocol/protocol';
import { makeCheckpointFamily, type CheckpointFamily } from '../testing/checkpoint-family.fixture';

const BASE: GenerationInput = { prompt: 'a red kente dress', negativePrompt: 'blurry', width: 64, height: 64, steps: 20, guidanceScale: 5, seed: 1, scheduler: 'euler' };
const job = (jobId: string, overrides: GenerationInput = {}): WorkerJobSpec => ({
  jobId,
  checkpointId: 'base',
  request: parseGenerationRequest({ ...BASE, ...overrides }),
  previewIntervalSteps: null,
  maxBatchRows: 8,
});

type Tick = Extract<FromWorker, { type: 'tick' }>;
type Ended = Extract<FromWorker, { type: 'job-ended' }>;

describe('DeviceRuntime (in-process)', () => {
  let family: CheckpointFamily;
  let runtime: DeviceRuntime;
  let listener: (message: FromWorker) => void = () => undefined;
  let ready: Promise<void>;
  let requestId = 1;
  const replies = new Map<number, (value: unknown) => void>();

  const send = (message: ToWorker): void => runtime.handle(message);
  const request = (body: Extract<ToWorker, { type: 'request' }>['request']): Promise<unknown> =>
    new Promise((resolve) => {
      const id = requestId++;
      replies.set(id, resolve);
      send({ type: 'request', requestId: id, request: body });
    });
  /** Resolves with the job-ended message of `jobId`. */
  const ended = (jobId: string): Promise<Ended> =>
    new Promise((resolve) => {
      const previous = listener;
      listener = (m) => {
        previous(m);
        if (m.type === 'job-ended' && m.jobId === jobId) resolve(m);
      };
    });

  beforeAll(async () => {
    family = makeCheckpointFamily(1);
    const spec = await describeCheckpoint({ id: 'base', dir: family.dirs[0] as string, pinned: true });
    const init: WorkerInit = {
      deviceName: 'in-process',
      runtime: { device: 'cpu', intraOpThreads: 1 },
      memoryBudgetBytes: Number.POSITIVE_INFINITY,
      residentCost: 'measured',
      maxDecodeBatch: 4,
      vaeTileAbovePixels: 512 * 512,
      maxEncodePrompts: 16,
      embeddingCacheSize: 8,
      batching: 'continuous',
      batchWindowMs: 0,
      checkpoints: [spec],
      faultInjection: false,
    };
    ready = new Promise<void>((resolve) => {
      runtime = new DeviceRuntime(init, (message) => {
        if (message.type === 'ready') resolve();
        if (message.type === 'reply') replies.get(message.requestId)?.(message.ok ? message.value : message.error);
        listener(message);
      });
    });
    await runtime.start();
    await ready;
  });
  afterAll(async () => {
    if (runtime) await request({ type: 'shutdown' });
    family?.remove();
  });

  it('a job arriving between ticks joins the next UNet call', async () => {
    const ticks: Tick[] = [];
    listener = (m) => {
      if (m.type !== 'tick') return;
      ticks.push(m);
      const a = m.progress.find((p) => p.jobId === 'a');
      if (a?.step === 2 && !m.progress.some((p) => p.jobId === 'b')) send({ type: 'submit', jobs: [job('b', { seed: 2, steps: 5 })] });
    };
    const done = Promise.all([ended('a'), ended('b')]);
    send({ type: 'submit', jobs: [job('a')] });
    const [a, b] = await done;
    expect([a.outcome.kind, b.outcome.kind]).toEqual(['done', 'done']);
    const steps = ticks.map((t) => t.progress.map((p) => `${p.jobId}${p.step}`).join(' '));
    expect(steps.slice(0, 4)).toEqual(['a1', 'a2', 'a3 b1', 'a4 b2']);
    expect(ticks[2]!.rows).toBe(4);
    expect(ticks.every((t) => t.checkpointId === 'base')).toBe(true);
  });

  it('a burst of more new prompts than the embedding cache holds still finds the cached negative prompt', async () => {
    // 'blurry' is cached by the jobs before; nine new prompts (the cache keeps eight) are encoded in one call.
    const burst = Array.from({ length: 9 }, (_, i) => job(`burst-${i}`, { prompt: `an ankara print number ${i}`, steps: 2 }));
    const outcomes = Promise.all(burst.map((j) => ended(j.jobId)));
    send({ type: 'submit', jobs: burst });
    expect((await outcomes).map((e) => e.outcome.kind)).toEqual(burst.map(() => 'done'));
  });

  it('a cancel received between ticks drops the job before the next call; other jobs carry on', async () => {
    const ticks: Tick[] = [];
    listener = (m) => {
      if (m.type !== 'tick') return;
      ticks.push(m);
      if (m.progress.some((p) => p.jobId === 'c' && p.step === 3)) send({ type: 'cancel', jobId: 'c' });
    };
    const outcomes = Promise.all([ended('c'), ended('d')]);
    send({ type: 'submit', jobs: [job('c', { steps: 20 }), job('d', { seed: 9, steps: 6 })] });
    const [c, d] = await outcomes;
    expect(c.outcome).toEqual({ kind: 'released', stepsDone: 3 });
    expect(d.outcome.kind).toBe('done');
    const cSteps = ticks.flatMap((t) => t.progress.filter((p) => p.jobId === 'c').map((p) => p.step));
    expect(cSteps).toEqual([1, 2, 3]);
    expect(ticks.filter((t) => t.progress.some((p) => p.jobId === 'd'))).toHaveLength(6);
    expect(runtime.liveStats()).toMatchObject({ activeJobs: 0, activeSequences: 0, activeRows: 0 });
  });

  it('decodes an image above vaeTileAbovePixels (512 × 512) tile by tile, and small images several per VAE call', async () => {
    const images: Extract<FromWorker, { type: 'image' }>[] = [];
    listener = (m) => {
      if (m.type === 'image') images.push(m);
    };
    const before = runtime.liveStats().counters;
    // 576 × 512: two 512 × 512 tiles.
    await Promise.all([ended('large'), send({ type: 'submit', jobs: [job('large', { width: 576, height: 512, steps: 1, guidanceScale: 1 })] })]);
    const afterLarge = runtime.liveStats().counters;
    expect([afterLarge.vaeCalls - before.vaeCalls, afterLarge.vaeImages - before.vaeImages]).toEqual([2, 1]);
    expect(images.map((i) => [i.width, i.height, i.data.length])).toEqual([[576, 512, 576 * 512 * 3]]);
    await Promise.all([ended('small'), send({ type: 'submit', jobs: [job('small', { numImages: 3, steps: 1 })] })]);
    const afterSmall = runtime.liveStats().counters;
    expect([afterSmall.vaeCalls - afterLarge.vaeCalls, afterSmall.vaeImages - afterLarge.vaeImages]).toEqual([1, 3]);
  });
});

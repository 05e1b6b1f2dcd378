import { join } from 'node:path';
import { parseGenerationRequest, type GenerationInput } from '../../engine/pipeline/generation-request';
import { MAX_PROMPT_CHUNKS, sharedChunkCount, tokenizeWeighted } from '../../engine/prompt-weighting';
import { ClipTokenizer } from '../../engine/tokenizer';
import { StableDiffusionPipeline } from '../../engine/pipeline/stable-diffusion-pipeline';
import { InferencePool } from './inference-pool';
import type { DeviceConfig } from './pool-config';
import type { JobResult, PoolEvent, PoolStats, ProgressEvent, WorkerCounters } from './pool-types';
import { makeCheckpointFamily, type CheckpointFamily } from '../testing/checkpoint-family.fixture';
import { TINY_PRESET } from '../../model-generator/config/presets';
import { ensureModelDirectory } from '../../model-generator/ensure-model-directory';

const BASE: GenerationInput = { prompt: 'a red kente dress', negativePrompt: 'blurry', width: 64, height: 64, steps: 8, guidanceScale: 5, seed: 42 };
const request = (overrides: GenerationInput = {}) => parseGenerationRequest({ ...BASE, ...overrides });

function bytes(result: JobResult, index = 0): Buffer {
  const image = result.images[index];
  if (!image) throw new Error(`no image ${index}`);
  return Buffer.from(image.image.data);
}

async function counters(pool: InferencePool): Promise<WorkerCounters> {
  const stats: PoolStats = await pool.stats();
  const device = stats.devices[0];
  if (!device?.counters) throw new Error('no live counters');
  return device.counters;
}

function unetCallsIn(events: readonly PoolEvent[]): Array<Extract<PoolEvent, { type: 'unet-call' }>> {
  return events.filter((e): e is Extract<PoolEvent, { type: 'unet-call' }> => e.type === 'unet-call');
}

describe('InferencePool: continuous batching', () => {
  let family: CheckpointFamily;
  let pool: InferencePool;
  let alone: JobResult;
  const events: PoolEvent[] = [];

  beforeAll(async () => {
    family = makeCheckpointFamily(3);
    pool = await InferencePool.start({
      devices: [{ device: 'cpu', maxBatch: 16, maxInFlightRows: 64, intraOpThreads: 1 }],
      checkpoints: family.dirs.map((dir, i) => ({ id: `ft-${i}`, dir, pinned: i === 0 })),
      onEvent: (e) => events.push(e),
    });
    alone = await pool.submit({ checkpointId: 'ft-0', request: request() }).result;
  });
  afterAll(async () => {
    await pool?.close();
    family?.remove();
  });

  it('gives the same image as the engine pipeline run on its own', async () => {
    const pipeline = await StableDiffusionPipeline.load(family.dirs[0] as string, { device: 'cpu', intraOpThreads: 1 });
    try {
      const reference = await pipeline.generate(request());
      expect(Buffer.from(reference.images[0]!.image.data).equals(bytes(alone))).toBe(true);
    } finally {
      await pipeline.release();
    }
    expect(alone.images.map((i) => [i.index, i.seed, i.image.width, i.image.height])).toEqual([[0, 42n, 64, 64]]);
  });

  it('batch invariance: the image is bit-for-bit the same while other requests share its UNet calls', async () => {
    const before = await counters(pool);
    const others = [
      request({ seed: 7, prompt: 'indigo adire wrap', guidanceScale: 1, steps: 6, scheduler: 'euler' }),
      request({ seed: 9, prompt: 'ankara print jumpsuit', guidanceScale: 9, steps: 10, scheduler: 'dpm++2m' }),
      request({ seed: 100, numImages: 2, scheduler: 'ddim', steps: 8 }),
      request({ seed: 5, negativePrompt: 'low quality', scheduler: 'euler-a', steps: 5 }),
      request({ seed: 11, scheduler: 'lms', steps: 12, noiseMode: 'numpy' }),
    ];
    const handles = [pool.submit({ checkpointId: 'ft-0', request: request() }), ...others.map((r) => pool.submit({ checkpointId: 'ft-0', request: r }))];
    const results = await Promise.all(handles.map((h) => h.result));
    expect(bytes(results[0] as JobResult).equals(bytes(alone))).toBe(true);

    const after = await counters(pool);
    // Six jobs (seven images, twelve rows) went through shared calls, not one job per call.
    expect(after.maxUnetJobs).toBeGreaterThanOrEqual(4);
    expect(after.maxUnetRows).toBeGreaterThan(2);
    expect(after.unetCalls - before.unetCalls).toBeLessThan(8 + 6 + 10 + 8 + 5 + 12);
    // Requests sent together were encoded together, each new prompt once (the first request's came from the cache).
    expect(after.textEncoderCalls - before.textEncoderCalls).toBe(1);
    expect(after.textEncoderPrompts - before.textEncoderPrompts).toBe(3);
    // The other requests still match their own solo runs.
    const soloDdim = await pool.submit({ checkpointId: 'ft-0', request: others[2]! }).result;
    expect(bytes(results[3] as JobResult, 1).equals(bytes(soloDdim, 1))).toBe(true);
  });

  it('long and weighted prompts: 1-, 2- and 3-chunk contexts share the pool, each batched by its context length, bit for bit as alone', async () => {
    const tokenizer = ClipTokenizer.fromDirectory(join(family.dirs[0] as string, 'tokenizer'));
    const chunksOf = (r: ReturnType<typeof request>) =>
      sharedChunkCount([r.prompt, r.negativePrompt].map((t) => tokenizeWeighted(t, tokenizer, 77, MAX_PROMPT_CHUNKS)), 77, MAX_PROMPT_CHUNKS);
    const long = [
      request({ seed: 3, prompt: `(red:1.3) ${'kente dress '.repeat(30)}`, scheduler: 'euler' }),
      request({ seed: 4, prompt: 'adire', negativePrompt: `[blurry] ${'low quality '.repeat(45)}`, scheduler: 'ddim' }),
      request({ seed: 5, prompt: `${'wax print '.repeat(25)}(gold:0.8)`, negativePrompt: 'blurry', emphasis: 'no-norm' }),
    ];
    expect([request(), ...long].map(chunksOf)).toEqual([1, 2, 3, 2]);
    const together = await Promise.all([request(), ...long].map((r) => pool.submit({ checkpointId: 'ft-0', request: r }).result));
    expect(bytes(together[0] as JobResult).equals(bytes(alone))).toBe(true);
    for (const [i, r] of long.entries()) {
      const solo = await pool.submit({ checkpointId: 'ft-0', request: r }).result;
      expect(bytes(together[i + 1] as JobResult).equals(bytes(solo))).toBe(true);
    }
  });

  it('batch invariance with the newer samplers mixed in: second-order (2N − 1 UNet calls), multistep and SDE', async () => {
    const mixed = [
      request({ seed: 21, scheduler: 'heun', steps: 5 }),
      request({ seed: 22, scheduler: 'DPM2 Karras', steps: 4, guidanceScale: 1 }),
      request({ seed: 23, scheduler: 'DPM++ 2M SDE Karras', steps: 6, numImages: 2 }),
      request({ seed: 24, scheduler: 'unipc', steps: 7 }),
      request({ seed: 25, scheduler: 'deis', steps: 6, negativePrompt: 'washed out' }),
      request({ seed: 26, scheduler: 'euler-karras', steps: 5 }),
    ];
    const solo: JobResult[] = [];
    for (const r of mixed) solo.push(await pool.submit({ checkpointId: 'ft-0', request: r }).result);
    const before = await counters(pool);
    const progress: ProgressEvent[][] = mixed.map(() => []);
    const together = await Promise.all(mixed.map((r, i) => pool.submit({ checkpointId: 'ft-0', request: r, onProgress: (e) => progress[i]!.push(e) }).result));
    together.forEach((result, i) => {
      for (const image of result.images) expect({ job: i, image: image.index, same: bytes(result, image.index).equals(bytes(solo[i] as JobResult, image.index)) }).toEqual({ job: i, image: image.index, same: true });
    });
    const after = await counters(pool);
    expect(after.maxUnetJobs).toBeGreaterThanOrEqual(3);
    // Progress counts UNet evaluations: Heun and DPM2 make 2N − 1 of them.
    expect(progress[0]!.at(-1)).toMatchObject({ step: 9, totalSteps: 9 });
    expect(progress[1]!.at(-1)).toMatchObject({ step: 7, totalSteps: 7 });
    expect(progress[3]!.at(-1)).toMatchObject({ step: 7, totalSteps: 7 });
    expect(after.unetCalls - before.unetCalls).toBeLessThan(9 + 7 + 6 + 7 + 6 + 5);
  });

  it('a request arriving mid-generation joins the running UNet calls and still matches its solo image', async () => {
    const timeline: string[] = [];
    let late: Promise<JobResult> | undefined;
    const long = pool.submit({
      checkpointId: 'ft-0',
      request: request({ seed: 3, steps: 150, scheduler: 'euler' }),
      onProgress: (p) => {
        timeline.push('long');
        if (p.step === 3 && !late) late = pool.submit({ checkpointId: 'ft-0', request: request(), onProgress: () => timeline.push('late') }).result;
      },
    });
    const first = await long.result;
    expect(first.images).toHaveLength(1);
    const lateResult = await (late as Promise<JobResult>);
    // PNDM takes steps + 1 UNet steps (its first step runs twice).
    expect(timeline.filter((t) => t === 'late')).toHaveLength(9);
    // The late request stepped alongside the long one (in the same calls), not after it.
    expect(timeline.lastIndexOf('long')).toBeGreaterThan(timeline.lastIndexOf('late'));
    expect(bytes(lateResult).equals(bytes(alone))).toBe(true);
  });

  it('reports every step through the callback and the async iterator, with previews when asked', async () => {
    const seen: ProgressEvent[] = [];
    const handle = pool.submit({
      checkpointId: 'ft-1',
      request: request({ numImages: 2, steps: 4, scheduler: 'euler' }),
      preview: { intervalSteps: 1 },
      onProgress: (e) => seen.push(e),
    });
    const iterated: ProgressEvent[] = [];
    for await (const event of handle.progress()) iterated.push(event);
    const result = await handle.result;
    expect(result.images.map((i) => i.index)).toEqual([0, 1]);
    expect(iterated).toEqual(seen);
    for (const index of [0, 1]) {
      expect(seen.filter((e) => e.imageIndex === index).map((e) => e.step)).toEqual([1, 2, 3, 4]);
    }
    // The job's step grows once per step, not once per image.
    expect(seen.filter((e, i) => e.jobStep > (seen[i - 1]?.jobStep ?? 0)).map((e) => e.jobStep)).toEqual([1, 2, 3, 4]);
    for (const e of seen) {
      expect(e).toMatchObject({ jobId: handle.jobId, checkpointId: 'ft-1', totalSteps: 4 });
      expect(e.elapsedMs).toBeGreaterThanOrEqual(0);
      expect(e.etaMs).toBeGreaterThanOrEqual(0);
      // Previews are of the first image only.
      if (e.imageIndex === 0) expect([e.preview?.mimeType, e.preview?.width, e.preview?.height]).toEqual(['image/webp', 8, 8]);
      else expect(e).not.toHaveProperty('preview');
    }
    expect(seen.filter((e) => e.step === 4).every((e) => e.etaMs === 0)).toBe(true);
  });

  it('emits one unet-call event per UNet call, with its device, checkpoint, rows, sequences, start, duration and the jobs it served', async () => {
    const before = await counters(pool);
    const from = events.length;
    const submittedAt = Date.now();
    const handle = pool.submit({ checkpointId: 'ft-1', request: request({ numImages: 2, steps: 4, scheduler: 'euler' }) });
    const { timings } = await handle.result;
    const endedAt = Date.now();
    // When the worker received the job, on the same clock.
    expect(timings.receivedAt).toBeGreaterThanOrEqual(submittedAt - 1);
    expect(timings.receivedAt).toBeLessThanOrEqual((unetCallsIn(events.slice(from))[0]?.startedAt ?? endedAt) + 1);
    const after = await counters(pool);
    const calls = unetCallsIn(events.slice(from));
    expect(calls).toHaveLength(after.unetCalls - before.unetCalls);
    expect(calls.map((c) => [c.checkpointId, c.rows, c.sequences, c.jobs])).toEqual(Array.from({ length: 4 }, () => ['ft-1', 4, 2, [{ jobId: handle.jobId, sequences: 2 }]]));
    for (const [i, c] of calls.entries()) {
      expect(c.device).toBe(calls[0]?.device);
      expect(c.durationMs).toBeGreaterThan(0);
      // The worker's start times are on the main thread's clock, in call order.
      expect(c.startedAt).toBeGreaterThanOrEqual(submittedAt - 1);
      expect(c.startedAt + c.durationMs).toBeLessThanOrEqual(endedAt + 1);
      if (i > 0) expect(c.startedAt).toBeGreaterThanOrEqual((calls[i - 1] as typeof c).startedAt + (calls[i - 1] as typeof c).durationMs - 1);
    }
  });

  it('comparison fan-out: the same initial latents and embeddings in every cell, one image per checkpoint', async () => {
    const before = await counters(pool);
    const comparison = pool.submitComparison({ checkpointIds: ['ft-0', 'ft-1', 'ft-2'], request: request({ seed: 1234, prompt: 'a kaftan in mud cloth', negativePrompt: 'grainy, washed out' }) });
    const { cells } = await comparison.result;
    const results = cells.map((c) => {
      if (!c.ok) throw c.error;
      return c.result;
    });
    expect(results.map((r) => r.checkpointId)).toEqual(['ft-0', 'ft-1', 'ft-2']);
    const digests = new Set(results.map((r) => r.images[0]!.initialLatentsDigest));
    expect(digests.size).toBe(1);
    // Different UNets, different images.
    expect(bytes(results[0]!).equals(bytes(results[1]!))).toBe(false);
    expect(bytes(results[1]!).equals(bytes(results[2]!))).toBe(false);
    // Prompt and negative prompt were encoded once for the three cells (shared text encoder).
    const after = await counters(pool);
    expect(after.textEncoderPrompts - before.textEncoderPrompts).toBe(2);
    // A cell equals the same request submitted on its own.
    const solo = await pool.submit({ checkpointId: 'ft-2', request: request({ seed: 1234, prompt: 'a kaftan in mud cloth', negativePrompt: 'grainy, washed out' }) }).result;
    expect(bytes(solo).equals(bytes(results[2]!))).toBe(true);
    expect(solo.images[0]!.initialLatentsDigest).toBe(results[0]!.images[0]!.initialLatentsDigest);
  });
});

describe('InferencePool: UNets with a scalar timestep input', () => {
  let family: CheckpointFamily;
  let pool: InferencePool;
  beforeAll(async () => {
    family = makeCheckpointFamily(1, { overrides: { timestep: 'float-scalar' } });
    pool = await InferencePool.start({
      devices: [{ device: 'cpu', maxBatch: 16, intraOpThreads: 1 }],
      checkpoints: [{ id: 'scalar', dir: family.dirs[0] as string, pinned: true }],
    });
  });
  afterAll(async () => {
    await pool?.close();
    family?.remove();
  });

  it('batches only sequences at the same timestep, and images still match their solo runs', async () => {
    const a = request({ scheduler: 'euler', steps: 6 });
    const alone = await pool.submit({ checkpointId: 'scalar', request: a }).result;
    const together = await Promise.all(
      [a, request({ scheduler: 'euler', steps: 6, seed: 2, guidanceScale: 1 }), request({ scheduler: 'ddim', steps: 5, seed: 3 })].map(
        (r) => pool.submit({ checkpointId: 'scalar', request: r }).result,
      ),
    );
    expect(bytes(together[0]!).equals(bytes(alone))).toBe(true);
    const c = await counters(pool);
    // The two euler jobs share timesteps and calls; the DDIM job runs on its own schedule.
    expect(c.maxUnetJobs).toBe(2);
    expect(c.failedUnetCalls).toBe(0);
  });
});

describe('InferencePool: choosing the next UNet call', () => {
  let family: CheckpointFamily;
  let pool: InferencePool;
  beforeAll(async () => {
    family = makeCheckpointFamily(2);
    pool = await InferencePool.start({
      devices: [{ device: 'cpu', maxBatch: (latentPixels) => (latentPixels <= 8 * 8 ? 4 : 2), maxInFlightRows: 64, intraOpThreads: 1 }],
      checkpoints: family.dirs.map((dir, i) => ({ id: `ft-${i}`, dir, pinned: true })),
    });
  });
  afterAll(async () => {
    await pool?.close();
    family?.remove();
  });

  it('takes turns between groups (UNet × latent size): no group waits two calls in a row', async () => {
    const ticks: string[] = [];
    const jobs = [
      ['ft-0 64²', 'ft-0', request({ scheduler: 'euler', steps: 5 })],
      ['ft-1 64²', 'ft-1', request({ scheduler: 'euler', steps: 5 })],
      ['ft-0 96×64', 'ft-0', request({ scheduler: 'euler', steps: 5, width: 96 })],
    ] as const;
    await Promise.all(jobs.map(([name, checkpointId, r]) => pool.submit({ checkpointId, request: r, onProgress: () => ticks.push(name) }).result));
    expect(ticks).toEqual(Array.from({ length: 5 }, () => jobs.map(([name]) => name)).flat());
  });

  it('caps each call at maxBatch rows (by latent size), splitting a large job across calls', async () => {
    const before = await counters(pool);
    // 4 guided 64×64 images = 8 rows; maxBatch is 4 rows at this size: two calls per step.
    const big = await pool.submit({ checkpointId: 'ft-0', request: request({ scheduler: 'euler', steps: 3, numImages: 4 }) }).result;
    const after = await counters(pool);
    expect(big.images.map((i) => i.seed)).toEqual([42n, 43n, 44n, 45n]);
    expect(after.unetCalls - before.unetCalls).toBe(6);
    expect(after.unetRows - before.unetRows).toBe(24);
    expect(after.maxUnetRows).toBeLessThanOrEqual(4);
    // Batch invariance across the split: image 2 equals seed 44 generated alone.
    const alone = await pool.submit({ checkpointId: 'ft-0', request: request({ scheduler: 'euler', steps: 3, seed: 44 }) }).result;
    expect(bytes(big, 2).equals(bytes(alone))).toBe(true);
  });
});

describe('InferencePool: batching policy per device', () => {
  let family: CheckpointFamily;
  beforeAll(() => {
    family = makeCheckpointFamily(1);
  });
  afterAll(() => family?.remove());

  const burst = [request({ scheduler: 'euler', steps: 4 }), request({ scheduler: 'euler', steps: 3, seed: 2 }), request({ scheduler: 'euler', steps: 2, seed: 3 })];

  async function runBurst(device: DeviceConfig): Promise<{ counters: WorkerCounters; results: JobResult[] }> {
    const pool = await InferencePool.start({ devices: [{ device: 'cpu', intraOpThreads: 1, ...device }], checkpoints: [{ id: 'base', dir: family.dirs[0] as string, pinned: true }] });
    try {
      const results = await Promise.all(burst.map((r) => pool.submit({ checkpointId: 'base', request: r }).result));
      return { counters: await counters(pool), results };
    } finally {
      await pool.close();
    }
  }

  it('sequential: every UNet call holds one job; request-level: the burst shares calls; images are the same', async () => {
    const sequential = await runBurst({ batching: 'sequential', maxBatch: 8 });
    expect(sequential.counters).toMatchObject({ unetCalls: 4 + 3 + 2, unetRows: 2 * (4 + 3 + 2), maxUnetJobs: 1, maxUnetRows: 2 });

    // A window long enough that the batch starts only when full: 3 guided images = 6 rows.
    const requestLevel = await runBurst({ batching: 'request-level', batchWindowMs: 60_000, maxBatch: 6 });
    expect(requestLevel.counters).toMatchObject({ unetCalls: 4, unetRows: 2 * (4 + 3 + 2), maxUnetJobs: 3, maxUnetRows: 6 });

    for (let i = 0; i < burst.length; i++) {
      expect(bytes(sequential.results[i] as JobResult).equals(bytes(requestLevel.results[i] as JobResult))).toBe(true);
    }
  });
});

describe('InferencePool: image to image batched with text to image', () => {
  let family: CheckpointFamily;
  let pool: InferencePool;
  let alone: JobResult;
  const aloneProgress: ProgressEvent[] = [];
  /** A 48 × 80 "photo" (not the request's size: the worker fits it, cover and centre-crop). */
  const photo = {
    width: 48,
    height: 80,
    data: Uint8Array.from({ length: 48 * 80 * 3 }, (_, i) => ((i % 3) * 90 + Math.floor(i / 3 / 48) * 3 + ((i / 3) % 48) * 2) % 256),
  };
  const other = { width: 64, height: 64, data: Uint8Array.from({ length: 64 * 64 * 3 }, (_, i) => (i * 7) % 256) };
  const img2img = (overrides: GenerationInput = {}) => request({ initImage: photo, strength: 0.6, steps: 10, scheduler: 'euler-a', ...overrides });

  beforeAll(async () => {
    family = makeCheckpointFamily(2, { overrides: { withVaeEncoder: true } });
    pool = await InferencePool.start({
      devices: [{ device: 'cpu', maxBatch: 16, maxInFlightRows: 64, intraOpThreads: 1 }],
      checkpoints: [
        ...family.dirs.map((dir, i) => ({ id: `ft-${i}`, dir, pinned: i === 0 })),
        { id: 'no-encoder', dir: ensureModelDirectory(TINY_PRESET) },
      ],
    });
    alone = await pool.submit({ checkpointId: 'ft-0', request: img2img(), preview: { intervalSteps: 2 }, onProgress: (e) => aloneProgress.push(e) }).result;
  });
  afterAll(async () => {
    await pool?.close();
    family?.remove();
  });

  it('gives the engine pipeline’s image, running floor(steps × strength) steps with progress and previews counting those', async () => {
    const pipeline = await StableDiffusionPipeline.load(family.dirs[0] as string, { device: 'cpu', intraOpThreads: 1 });
    try {
      const reference = await pipeline.generate(img2img());
      expect(Buffer.from(reference.images[0]!.image.data).equals(bytes(alone))).toBe(true);
    } finally {
      await pipeline.release();
    }
    expect(aloneProgress.map((e) => [e.step, e.totalSteps])).toEqual([1, 2, 3, 4, 5, 6].map((s) => [s, 6]));
    expect(aloneProgress.filter((e) => e.preview).map((e) => e.step)).toEqual([2, 4, 6]);
  });

  it('batch invariance: the image-to-image request gives its bytes while text-to-image requests share its UNet calls', async () => {
    await pool.load('ft-1'); // resident, so its job is encoded with the others rather than after its load
    const before = await counters(pool);
    const handles = [
      pool.submit({ checkpointId: 'ft-0', request: img2img() }),
      pool.submit({ checkpointId: 'ft-0', request: request({ seed: 7, steps: 12, scheduler: 'euler-a' }) }),
      pool.submit({ checkpointId: 'ft-0', request: request({ seed: 9, steps: 8, scheduler: 'dpm++2m', guidanceScale: 1 }) }),
      pool.submit({ checkpointId: 'ft-0', request: img2img({ seed: 5, initImage: other, strength: 0.9, scheduler: 'ddim', numImages: 2 }) }),
      pool.submit({ checkpointId: 'ft-1', request: img2img({ seed: 3, scheduler: 'pndm', noiseMode: 'numpy' }) }),
    ];
    const results = await Promise.all(handles.map((h) => h.result));
    expect(bytes(results[0] as JobResult).equals(bytes(alone))).toBe(true);
    const after = await counters(pool);
    expect(after.maxUnetJobs).toBeGreaterThanOrEqual(3);
    // The photos of requests sent together were encoded together: one encoder call (ft-0 and ft-1 share
    // their VAE encoder), each distinct fitted photo once.
    expect(after.vaeEncoderCalls - before.vaeEncoderCalls).toBe(1);
    expect(after.vaeEncoderImages - before.vaeEncoderImages).toBe(3);
    // The others match their own solo runs too.
    const soloDdim = await pool.submit({ checkpointId: 'ft-0', request: img2img({ seed: 5, initImage: other, strength: 0.9, scheduler: 'ddim', numImages: 2 }) }).result;
    expect(bytes(results[3] as JobResult, 1).equals(bytes(soloDdim, 1))).toBe(true);
    const soloNumpy = await pool.submit({ checkpointId: 'ft-1', request: img2img({ seed: 3, scheduler: 'pndm', noiseMode: 'numpy' }) }).result;
    expect(bytes(results[4] as JobResult).equals(bytes(soloNumpy))).toBe(true);
  });

  it('loads one VAE encoder for checkpoints that share it, budgeted like the other components', async () => {
    const [device] = await pool.residency();
    const encoders = device!.components.filter((c) => c.kind === 'vae_encoder');
    expect(encoders).toHaveLength(1);
    expect(encoders[0]!.checkpointIds).toEqual(['ft-0', 'ft-1']);
  });

  it('refuses image to image on a checkpoint without a VAE encoder, naming initImage', () => {
    expect(pool.checkpoints().map((c) => [c.id, c.imageToImageProblem])).toEqual([
      ['ft-0', null],
      ['ft-1', null],
      ['no-encoder', 'the checkpoint has no vae_encoder component'],
    ]);
    let thrown: unknown;
    try {
      pool.submit({ checkpointId: 'no-encoder', request: img2img() });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: 'INVALID_INPUT', cause: { field: 'initImage' } });
    expect(String((thrown as Error).message)).toMatch(/initImage: checkpoint "no-encoder" cannot do image to image: the checkpoint has no vae_encoder component/);
  });
});

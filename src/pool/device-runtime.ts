/**
 * What runs inside one device worker: step-level continuous batching over every image (sequence)
 * the worker holds, on sessions from the content-addressed ComponentStore.
 *
 * The loop, one pass at a time, each part optional:
 * 1. encode: jobs whose checkpoint became resident wait here; the oldest one and every other
 *    waiting job with the same text encoder and tokenizer are encoded in ONE text-encoder call
 *    (identical prompts once; recent prompts come from a small cache);
 * 2. denoise: ONE UNet call over a group of sequences sharing a UNet and a latent size (and the
 *    timestep, for UNets with a scalar timestep input), up to the job's `maxBatchRows` rows
 *    (guided sequences count two). The group is the one whose longest-waiting sequence has waited
 *    longest, and inside it the longest-waiting sequences go first: round robin by oldest waiting;
 * 3. decode: finished sequences sharing a VAE and latent size, several per VAE call.
 * Every ORT call yields to the event loop (onnxruntime-node runs it inside setImmediate), so new
 * jobs, cancellations and component loads are handled between calls; a new job joins the very
 * next UNet call after its prompts are encoded.
 *
 * That is the `continuous` batching policy. With `request-level` and `sequential`, encoded jobs wait
 * in `ready` instead, and only the sequences of the current batch are stepped: a batch is formed
 * when none is running (one job for `sequential`; for `request-level`, the oldest job and the
 * compatible ones after it up to its maxBatchRows, once the window since the oldest arrived has
 * passed or the batch is full) and runs until all its jobs have ended. A `request-level` batch
 * completes together: its images are decoded and returned once its last sequence is denoised.
 */
import { createHash } from 'node:crypto';
import { readSignature, type ModelSignature } from '../engine/model/component-signatures';
import { readModelDirectory, type ModelDirectory } from '../engine/model/model-directory';
import { decodeLatents } from '../engine/pipeline/decode-latents';
import { denoiseStep } from '../engine/pipeline/denoise-step';
import type { DenoisingSequence, PromptEmbeddings } from '../engine/pipeline/denoising-sequence';
import { encodePrompts } from '../engine/pipeline/encode-prompts';
import { StableDiffusionPipeline } from '../engine/pipeline/stable-diffusion-pipeline';
import { seedForImage } from '../engine/noise';
import type { TensorRunner } from '../engine/runtime/onnx-runtime';
import { ComponentStore } from './component-store';
import { latentPreview } from './latent-preview';
import { PoolError, toWireError } from './pool-errors';
import type {
  CheckpointSpec,
  ComponentEvent,
  FromWorker,
  InjectedFault,
  JobOutcome,
  ProgressEntry,
  ToWorker,
  WorkerCounters,
  WorkerInit,
  WorkerJobSpec,
  WorkerLiveStats,
  WorkerRequest,
} from './protocol';

export type PostMessage = (message: FromWorker, transfer?: ArrayBuffer[]) => void;

/** Per checkpoint: its directory (tokenizer, scheduler config) and, once loaded, its signature. */
interface CheckpointRuntime {
  readonly spec: CheckpointSpec;
  directory?: ModelDirectory;
  signature?: ModelSignature;
}

interface JobRuntime {
  readonly spec: WorkerJobSpec;
  readonly checkpoint: CheckpointRuntime;
  readonly receivedAt: number;
  state: 'waiting' | 'encoding' | 'running' | 'ended';
  /** Holds its checkpoint's components in the store. */
  holds: boolean;
  admittedAt: number;
  encodedAt: number;
  /** When the last of its sequences finished its last step. */
  denoisedAt: number;
  sequences: SequenceRuntime[];
  imagesLeft: number;
  model?: { directory: ModelDirectory; signature: ModelSignature };
}

interface SequenceRuntime {
  readonly job: JobRuntime;
  readonly imageIndex: number;
  readonly seq: DenoisingSequence;
  readonly initialLatentsDigest: string;
  /** Lower = has waited longer for its next step. */
  waitingSince: number;
}

const FAULT_EXIT_CODE = 70;

export class DeviceRuntime {
  readonly counters: WorkerCounters = {
    unetCalls: 0,
    unetRows: 0,
    maxUnetRows: 0,
    maxUnetSequences: 0,
    maxUnetJobs: 0,
    textEncoderCalls: 0,
    textEncoderPrompts: 0,
    embeddingCacheHits: 0,
    vaeCalls: 0,
    vaeImages: 0,
    sessionsCreated: 0,
    sessionsReleased: 0,
    evictions: 0,
    failedUnetCalls: 0,
  };
  private readonly store: ComponentStore;
  private readonly checkpoints = new Map<string, CheckpointRuntime>();
  private readonly jobs = new Map<string, JobRuntime>();
  private readonly waiting = new Map<string, JobRuntime[]>();
  private encodeQueue: JobRuntime[] = [];
  private readonly active = new Set<SequenceRuntime>();
  /** `request-level` / `sequential`: encoded jobs waiting for the next batch, oldest first. */
  private ready: JobRuntime[] = [];
  /** `request-level` / `sequential`: the jobs of the running batch (their sequences are the active ones). */
  private readonly batch = new Set<JobRuntime>();
  /** `request-level`: denoised sequences of the running batch, decoded when the whole batch is. */
  private batchDenoised: SequenceRuntime[] = [];
  private decodeQueue: SequenceRuntime[] = [];
  private readonly embeddingCache = new Map<string, Float32Array>();
  private waitCounter = 0;
  private wakeLoop?: () => void;
  private stopped = false;
  private loopDone: Promise<void> = Promise.resolve();
  private crashAtNextUnetCall = false;
  private readonly failingUnetCalls = new Map<string, number>();

  constructor(
    private readonly init: WorkerInit,
    private readonly post: PostMessage,
  ) {
    for (const spec of init.checkpoints) this.checkpoints.set(spec.id, { spec });
    this.store = new ComponentStore(
      { memoryBudgetBytes: init.memoryBudgetBytes, runtime: init.runtime, checkpoints: init.checkpoints, deviceName: init.deviceName },
      (event) => this.componentEvent(event),
      this.counters,
    );
    this.store.onResident = (id) => this.admitWaiting(id);
  }

  /** Loads the pinned checkpoints, then says `ready` (or `init-failed`) and starts the loop. */
  async start(): Promise<void> {
    try {
      for (const spec of this.init.checkpoints) if (spec.pinned) await this.store.ensure(spec.id);
    } catch (error) {
      this.post({ type: 'init-failed', error: toWireError(error) });
      return;
    }
    this.post({ type: 'ready', residentUnets: this.store.residentUnets() });
    this.loopDone = this.loop();
  }

  handle(message: ToWorker): void {
    switch (message.type) {
      case 'submit':
        for (const job of message.jobs) this.submit(job);
        break;
      case 'cancel':
        this.cancel(message.jobId);
        break;
      case 'request':
        this.request(message.request).then(
          (value) => this.post({ type: 'reply', requestId: message.requestId, ok: true, value }),
          (error: unknown) => this.post({ type: 'reply', requestId: message.requestId, ok: false, error: toWireError(error) }),
        );
        break;
    }
  }

  liveStats(): WorkerLiveStats {
    let activeSequences = 0;
    let activeRows = 0;
    let waitingForLoad = 0;
    for (const job of this.jobs.values()) {
      if (job.state === 'waiting') waitingForLoad++;
      else activeSequences += job.state === 'encoding' ? job.spec.request.numImages : job.imagesLeft;
    }
    for (const s of this.active) activeRows += s.seq.rows;
    return {
      activeJobs: this.jobs.size - waitingForLoad,
      activeSequences,
      activeRows,
      jobsWaitingForLoad: waitingForLoad,
      loadsInProgress: this.store.loadsInProgress,
      counters: { ...this.counters },
    };
  }

  private async request(request: WorkerRequest): Promise<unknown> {
    switch (request.type) {
      case 'load':
        await this.store.ensure(request.checkpointId);
        return this.store.report();
      case 'unload':
        await this.store.unload(request.checkpointId);
        return this.store.report();
      case 'residency':
        return this.store.report();
      case 'stats':
        return this.liveStats();
      case 'fault':
        this.injectFault(request.fault);
        return true;
      case 'shutdown':
        // Let the current call finish before any session is released under it.
        this.stopped = true;
        this.wake();
        await this.loopDone;
        for (const job of [...this.jobs.values()]) this.end(job, { kind: 'failed', error: toWireError(new PoolError('SHUTTING_DOWN', 'the pool is shutting down')) });
        await this.store.releaseAll();
        return true;
    }
  }

  private injectFault(fault: InjectedFault): void {
    if (!this.init.faultInjection) throw new PoolError('INVALID_INPUT', 'fault injection is off (start the pool with faultInjection: true, in tests only)');
    if (fault.type === 'crash-worker') {
      if (fault.when === 'now') process.exit(FAULT_EXIT_CODE);
      this.crashAtNextUnetCall = true;
    } else {
      this.failingUnetCalls.set(fault.checkpointId, (this.failingUnetCalls.get(fault.checkpointId) ?? 0) + (fault.count ?? 1));
    }
  }

  // ---- jobs ----

  private submit(spec: WorkerJobSpec): void {
    const checkpoint = this.checkpoints.get(spec.checkpointId);
    if (!checkpoint) {
      const error = new PoolError('UNKNOWN_CHECKPOINT', `no checkpoint "${spec.checkpointId}" on ${this.init.deviceName}`);
      this.post({ type: 'job-ended', jobId: spec.jobId, outcome: { kind: 'failed', error: toWireError(error) } });
      return;
    }
    const now = performance.now();
    const job: JobRuntime = {
      spec,
      checkpoint,
      receivedAt: now,
      state: 'waiting',
      holds: false,
      admittedAt: now,
      encodedAt: now,
      denoisedAt: now,
      sequences: [],
      imagesLeft: spec.request.numImages,
    };
    this.jobs.set(spec.jobId, job);
    if (this.store.isResident(spec.checkpointId)) {
      this.admit(job);
      return;
    }
    const list = this.waiting.get(spec.checkpointId) ?? [];
    list.push(job);
    this.waiting.set(spec.checkpointId, list);
    this.store.ensure(spec.checkpointId).catch((error: unknown) => this.failWaiting(spec.checkpointId, error));
  }

  private admitWaiting(checkpointId: string): void {
    const list = this.waiting.get(checkpointId);
    this.waiting.delete(checkpointId);
    for (const job of list ?? []) if (job.state === 'waiting') this.admit(job);
  }

  private failWaiting(checkpointId: string, error: unknown): void {
    const list = this.waiting.get(checkpointId);
    this.waiting.delete(checkpointId);
    for (const job of list ?? []) this.end(job, { kind: 'failed', error: toWireError(error) });
  }

  /** The checkpoint is resident: hold its components and queue the job's prompts. */
  private admit(job: JobRuntime): void {
    try {
      job.model = this.model(job.checkpoint);
    } catch (error) {
      this.end(job, { kind: 'failed', error: toWireError(error) });
      return;
    }
    this.store.acquire(job.spec.checkpointId);
    job.holds = true;
    job.state = 'encoding';
    job.admittedAt = performance.now();
    this.encodeQueue.push(job);
    this.wake();
  }

  private model(checkpoint: CheckpointRuntime): { directory: ModelDirectory; signature: ModelSignature } {
    const id = checkpoint.spec.id;
    checkpoint.directory ??= readModelDirectory(checkpoint.spec.dir);
    checkpoint.signature ??= readSignature(checkpoint.spec.dir, {
      textEncoder: this.store.session(id, 'text_encoder'),
      unet: this.store.session(id, 'unet'),
      vaeDecoder: this.store.session(id, 'vae_decoder'),
    });
    return { directory: checkpoint.directory, signature: checkpoint.signature };
  }

  private cancel(jobId: string): void {
    const job = this.jobs.get(jobId);
    if (!job) return;
    const stepsDone = job.sequences.reduce((n, s) => Math.max(n, s.seq.stepIndex), 0);
    this.end(job, { kind: 'released', stepsDone });
  }

  /** Ends a job once: its sequences leave every queue and its components are released. */
  private end(job: JobRuntime, outcome: JobOutcome): void {
    if (job.state === 'ended') return;
    const wasWaiting = job.state === 'waiting';
    job.state = 'ended';
    this.jobs.delete(job.spec.jobId);
    if (wasWaiting) {
      const list = this.waiting.get(job.spec.checkpointId);
      if (list) this.waiting.set(job.spec.checkpointId, list.filter((j) => j !== job));
    }
    this.encodeQueue = this.encodeQueue.filter((j) => j !== job);
    this.ready = this.ready.filter((j) => j !== job);
    this.batch.delete(job);
    this.batchDenoised = this.batchDenoised.filter((s) => s.job !== job);
    for (const s of job.sequences) this.active.delete(s);
    this.decodeQueue = this.decodeQueue.filter((s) => s.job !== job);
    if (job.holds) {
      job.holds = false;
      this.store.release(job.spec.checkpointId);
    }
    this.post({ type: 'job-ended', jobId: job.spec.jobId, outcome });
  }

  private failJobs(jobs: Iterable<JobRuntime>, error: unknown): void {
    const wire = toWireError(error);
    for (const job of jobs) this.end(job, { kind: 'failed', error: wire });
  }

  // ---- the loop ----

  private async loop(): Promise<void> {
    while (!this.stopped) {
      let worked = false;
      /** `request-level`: the batch window is open for this long yet. */
      let windowMs = 0;
      try {
        if (this.encodeQueue.length > 0) worked = (await this.encodeTick()) || worked;
        if (this.ready.length > 0 && this.batch.size === 0) windowMs = this.startBatch();
        if (this.active.size > 0) worked = (await this.unetTick()) || worked;
        if (this.batchDenoised.length > 0 && this.active.size === 0) {
          this.decodeQueue.push(...this.batchDenoised);
          this.batchDenoised = [];
        }
        if (this.decodeQueue.length > 0) worked = (await this.decodeTick()) || worked;
      } catch (error) {
        // A bug in the loop itself: fail what is in flight rather than stall the worker.
        this.failJobs([...this.jobs.values()].filter((j) => j.state !== 'waiting'), error);
        worked = true;
      }
      if (!worked && !this.stopped) {
        let timer: NodeJS.Timeout | undefined;
        await new Promise<void>((resolve) => {
          this.wakeLoop = resolve;
          if (windowMs > 0) timer = setTimeout(() => this.wake(), windowMs);
        });
        clearTimeout(timer);
        // Woken by the first message of a burst: let the rest of the burst in (messages are handled
        // before immediates), so requests sent together are encoded and start stepping together.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
  }

  private wake(): void {
    const wake = this.wakeLoop;
    this.wakeLoop = undefined;
    wake?.();
  }

  private async encodeTick(): Promise<boolean> {
    const first = this.encodeQueue[0];
    if (!first) return false;
    const key = this.encoderKey(first);
    const batch: JobRuntime[] = [];
    const prompts = new Set<string>();
    for (const job of this.encodeQueue) {
      if (this.encoderKey(job) !== key) continue;
      const own = this.promptsOf(job).filter((p) => !prompts.has(p) && !this.embeddingCache.has(`${key}\0${p}`));
      if (batch.length > 0 && prompts.size + own.length > this.init.maxEncodePrompts) break;
      for (const p of own) prompts.add(p);
      batch.push(job);
    }
    this.encodeQueue = this.encodeQueue.filter((j) => !batch.includes(j));

    const { directory, signature } = first.model as NonNullable<JobRuntime['model']>;
    const fresh = [...prompts];
    const states = new Map<string, Float32Array>();
    if (fresh.length > 0) {
      try {
        const encoded = await this.store.use(first.spec.checkpointId, 'text_encoder', (encoder) => encodePrompts(fresh, directory.tokenizer, encoder, signature));
        encoded.states.forEach((state, i) => states.set(fresh[i] as string, state));
      } catch (error) {
        this.failJobs(batch, error);
        return true;
      }
      this.counters.textEncoderCalls++;
      this.counters.textEncoderPrompts += fresh.length;
    }
    const embeddingOf = (prompt: string): Float32Array => {
      const found = states.get(prompt);
      if (found) return found;
      this.counters.embeddingCacheHits++;
      const cached = this.embeddingCache.get(`${key}\0${prompt}`) as Float32Array;
      this.cacheEmbedding(`${key}\0${prompt}`, cached); // most recently used again
      return cached;
    };

    for (const job of batch) {
      if (job.state !== 'encoding') continue;
      const { request } = job.spec;
      const embeddings: PromptEmbeddings =
        request.guidanceScale > 1 ? { cond: embeddingOf(request.prompt), uncond: embeddingOf(request.negativePrompt) } : { cond: embeddingOf(request.prompt) };
      try {
        const model = job.model as NonNullable<JobRuntime['model']>;
        const pipeline = new StableDiffusionPipeline({
          directory: model.directory,
          signature: model.signature,
          textEncoder: this.store.session(job.spec.checkpointId, 'text_encoder'),
          unet: this.store.session(job.spec.checkpointId, 'unet'),
          vaeDecoder: this.store.session(job.spec.checkpointId, 'vae_decoder'),
          release: () => Promise.resolve(),
        });
        const sequences = pipeline.createSequences(request, embeddings, job.spec.jobId);
        job.sequences = sequences.map((seq, imageIndex) => ({
          job,
          imageIndex,
          seq,
          initialLatentsDigest: digest(seq.latents),
          waitingSince: ++this.waitCounter,
        }));
      } catch (error) {
        this.end(job, { kind: 'failed', error: toWireError(error) });
        continue;
      }
      job.state = 'running';
      job.encodedAt = performance.now();
      if (this.init.batching === 'continuous') for (const s of job.sequences) this.active.add(s);
      else this.ready.push(job);
    }
    // Only now: caching the new prompts may evict entries that this batch's jobs were counting on.
    for (const [prompt, state] of states) this.cacheEmbedding(`${key}\0${prompt}`, state);
    return true;
  }

  /**
   * `request-level` / `sequential`, with no batch running: starts the next batch from `ready`, or
   * returns how long the batch window stays open (0 once a batch started).
   */
  private startBatch(): number {
    const first = this.ready[0] as JobRuntime;
    const key = batchKey(first);
    const cap = first.spec.maxBatchRows;
    const chosen: JobRuntime[] = [];
    let rows = 0;
    let full = this.init.batching === 'sequential';
    for (const job of this.ready) {
      if (batchKey(job) !== key) continue;
      const jobRows = job.sequences.reduce((n, s) => n + s.seq.rows, 0);
      if (chosen.length > 0 && (full || rows + jobRows > cap)) {
        full = true;
        break;
      }
      chosen.push(job);
      rows += jobRows;
    }
    full ||= rows >= cap;
    const windowLeft = first.receivedAt + this.init.batchWindowMs - performance.now();
    if (!full && windowLeft > 0) return windowLeft;
    this.ready = this.ready.filter((j) => !chosen.includes(j));
    for (const job of chosen) {
      this.batch.add(job);
      for (const s of job.sequences) this.active.add(s);
    }
    return 0;
  }

  private promptsOf(job: JobRuntime): string[] {
    const { request } = job.spec;
    return request.guidanceScale > 1 ? [request.prompt, request.negativePrompt] : [request.prompt];
  }

  /** Prompts are encoded together only through the same text encoder and tokenizer. */
  private encoderKey(job: JobRuntime): string {
    const spec = job.checkpoint.spec;
    return `${spec.components.text_encoder.hash}:${spec.tokenizerHash}`;
  }

  private cacheEmbedding(key: string, state: Float32Array): void {
    if (this.init.embeddingCacheSize <= 0) return;
    this.embeddingCache.delete(key);
    this.embeddingCache.set(key, state);
    while (this.embeddingCache.size > this.init.embeddingCacheSize) {
      const oldest = this.embeddingCache.keys().next().value as string;
      this.embeddingCache.delete(oldest);
    }
  }

  /** The group of sequences for the next UNet call. */
  private pickGroup(): SequenceRuntime[] | undefined {
    const groups = new Map<string, SequenceRuntime[]>();
    let bestKey: string | undefined;
    let bestWait = Infinity;
    for (const s of this.active) {
      const signature = (s.job.model as NonNullable<JobRuntime['model']>).signature;
      const [c, h, w] = s.seq.latentShape;
      let key = `${s.job.checkpoint.spec.components.unet.hash}|${c}x${h}x${w}`;
      if (!signature.timestep.batched) key += `|t${s.seq.timestep}`;
      const members = groups.get(key);
      if (members) members.push(s);
      else groups.set(key, [s]);
      if (s.waitingSince < bestWait) {
        bestWait = s.waitingSince;
        bestKey = key;
      }
    }
    if (bestKey === undefined) return undefined;
    const members = (groups.get(bestKey) as SequenceRuntime[]).sort((a, b) => a.waitingSince - b.waitingSince);
    const cap = Math.max(1, Math.min(...members.map((s) => s.job.spec.maxBatchRows)));
    const chosen: SequenceRuntime[] = [];
    let rows = 0;
    for (const s of members) {
      if (chosen.length > 0 && rows + s.seq.rows > cap) continue;
      chosen.push(s);
      rows += s.seq.rows;
    }
    return chosen;
  }

  private async unetTick(): Promise<boolean> {
    const group = this.pickGroup();
    if (!group) return false;
    if (this.crashAtNextUnetCall) process.exit(FAULT_EXIT_CODE);
    const first = group[0] as SequenceRuntime;
    const checkpointId = first.job.spec.checkpointId;
    const signature = (first.job.model as NonNullable<JobRuntime['model']>).signature;
    const jobs = new Set(group.map((s) => s.job));
    const rows = group.reduce((n, s) => n + s.seq.rows, 0);
    const started = performance.now();
    try {
      await this.store.use(checkpointId, 'unet', (unet) =>
        denoiseStep(
          group.map((s) => s.seq),
          this.faultyRunner(group, unet),
          signature,
        ),
      );
    } catch (error) {
      this.counters.failedUnetCalls++;
      this.failJobs(jobs, error);
      return true;
    }
    const durationMs = performance.now() - started;
    this.counters.unetCalls++;
    this.counters.unetRows += rows;
    this.counters.maxUnetRows = Math.max(this.counters.maxUnetRows, rows);
    this.counters.maxUnetSequences = Math.max(this.counters.maxUnetSequences, group.length);
    this.counters.maxUnetJobs = Math.max(this.counters.maxUnetJobs, jobs.size);

    const progress: ProgressEntry[] = [];
    const transfer: ArrayBuffer[] = [];
    for (const s of group) {
      if (s.job.state !== 'running') continue; // cancelled or failed during the call
      s.waitingSince = ++this.waitCounter;
      s.job.denoisedAt = started + durationMs;
      let entry: ProgressEntry = { jobId: s.job.spec.jobId, imageIndex: s.imageIndex, step: s.seq.stepIndex, totalSteps: s.seq.totalSteps };
      if (s.job.spec.preview) {
        const preview = latentPreview(s.seq.latents, s.seq.latentShape);
        transfer.push(preview.data.buffer as ArrayBuffer);
        entry = { ...entry, preview };
      }
      progress.push(entry);
      if (s.seq.done) {
        this.active.delete(s);
        if (this.init.batching === 'request-level') this.batchDenoised.push(s);
        else this.decodeQueue.push(s);
      }
    }
    this.post({ type: 'tick', checkpointId, rows, sequences: group.length, durationMs, progress }, transfer);
    return true;
  }

  /** The UNet session, or a runner that throws for checkpoints with an injected failure. */
  private faultyRunner(group: readonly SequenceRuntime[], session: TensorRunner): TensorRunner {
    if (this.failingUnetCalls.size === 0) return session;
    const target = group.map((s) => s.job.spec.checkpointId).find((id) => (this.failingUnetCalls.get(id) ?? 0) > 0);
    if (target === undefined) return session;
    const left = (this.failingUnetCalls.get(target) as number) - 1;
    if (left > 0) this.failingUnetCalls.set(target, left);
    else this.failingUnetCalls.delete(target);
    return { run: () => Promise.reject(new Error(`injected fault (testing aid): UNet call failed`)) };
  }

  private async decodeTick(): Promise<boolean> {
    const first = this.decodeQueue[0];
    if (!first) return false;
    const shape = first.seq.latentShape;
    const key = `${first.job.checkpoint.spec.components.vae_decoder.hash}|${shape.join('x')}`;
    const batch: SequenceRuntime[] = [];
    for (const s of this.decodeQueue) {
      if (batch.length >= this.init.maxDecodeBatch) break;
      if (`${s.job.checkpoint.spec.components.vae_decoder.hash}|${s.seq.latentShape.join('x')}` === key) batch.push(s);
    }
    this.decodeQueue = this.decodeQueue.filter((s) => !batch.includes(s));
    const checkpointId = first.job.spec.checkpointId;
    const { directory, signature } = first.job.model as NonNullable<JobRuntime['model']>;
    let images;
    try {
      images = await this.store.use(checkpointId, 'vae_decoder', (vae) =>
        decodeLatents(
          batch.map((s) => s.seq.latents),
          shape,
          vae,
          signature,
          directory.vaeScalingFactor,
        ),
      );
    } catch (error) {
      this.failJobs(new Set(batch.map((s) => s.job)), error);
      return true;
    }
    this.counters.vaeCalls++;
    this.counters.vaeImages += batch.length;
    batch.forEach((s, i) => {
      const job = s.job;
      if (job.state !== 'running') return;
      const image = images[i] as (typeof images)[number];
      const { request } = job.spec;
      this.post(
        {
          type: 'image',
          jobId: job.spec.jobId,
          index: s.imageIndex,
          seed: seedForImage(request.seed, s.imageIndex),
          width: image.width,
          height: image.height,
          data: image.data,
          initialLatentsDigest: s.initialLatentsDigest,
        },
        [image.data.buffer as ArrayBuffer],
      );
      job.imagesLeft--;
      if (job.imagesLeft === 0) {
        const end = performance.now();
        this.end(job, {
          kind: 'done',
          timings: {
            loadMs: round(job.admittedAt - job.receivedAt),
            encodeMs: round(job.encodedAt - job.admittedAt),
            denoiseMs: round(job.denoisedAt - job.encodedAt),
            decodeMs: round(end - job.denoisedAt),
          },
        });
      }
    });
    return true;
  }

  private componentEvent(event: ComponentEvent): void {
    this.post({ type: 'component', event, residentUnets: this.store.residentUnets() });
  }
}

/** Jobs batched together by request: the same UNet and image size. */
function batchKey(job: JobRuntime): string {
  const { width, height } = job.spec.request;
  return `${job.checkpoint.spec.components.unet.hash}|${width}x${height}`;
}

function digest(latents: Float32Array): string {
  return createHash('sha256').update(new Uint8Array(latents.buffer, latents.byteOffset, latents.byteLength)).digest('hex');
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

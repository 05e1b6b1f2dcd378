/**
 * InferencePool: the main thread's side of inference. It admits jobs (bounded queues, fairness,
 * priorities, deadlines, cancellation), places them on devices, hands them to one worker thread per
 * device and streams progress and results back. It never runs a model itself: every onnxruntime
 * session lives in a device worker (see device-runtime.ts), so this thread stays free for
 * transports, health checks and metrics.
 *
 * Flow of a job: submit → placed on a device's queue (preferring a device where its UNet is
 * resident) → dispatched to that worker when the worker has room for its rows (a worker with no
 * work takes queued jobs from a busy device) → ticks of progress → images → done. A job is settled
 * exactly once; a cancelled job's rows count against its device until the worker confirms it let
 * the sequences go.
 */
import { randomUUID } from 'node:crypto';
import { InvalidInputError } from '../engine/errors';
import type { GenerationRequest } from '../engine/pipeline/generation-request';
import { NOISE_MODES } from '../engine/noise';
import { SCHEDULER_NAMES } from '../engine/schedulers';
import { describeCheckpoint } from './checkpoint-catalog';
import { DeviceWorker } from './device-worker';
import { FairQueue, PRIORITIES, type Priority } from './fair-queue';
import { maxBatchRows, normalizeConfig, type InferencePoolConfig, type NormalizedConfig, type NormalizedDevice } from './pool-config';
import { PoolError, fromWireError, poolCodeOf, type WireError } from './pool-errors';
import type {
  CheckpointDescriptor,
  ComparisonCell,
  ComparisonHandle,
  ComparisonOptions,
  DeviceResidency,
  DeviceStats,
  JobHandle,
  JobOptions,
  JobResult,
  PoolEvent,
  PoolImage,
  PoolStats,
  ProgressEvent,
  SubmitOptions,
} from './pool-types';
import { ProgressStream } from './progress-stream';
import type { CheckpointSpec, DeviceResidencyReport, FromWorker, InjectedFault, ProgressEntry, WorkerInit, WorkerLiveStats } from './protocol';

interface PoolJob {
  readonly id: string;
  readonly checkpoint: CheckpointSpec;
  readonly request: GenerationRequest;
  readonly clientId: string;
  readonly priority: Priority;
  readonly preview: boolean;
  /** UNet rows of all its images: numImages, doubled with guidance. */
  readonly rows: number;
  readonly latentPixels: number;
  readonly submittedAt: number;
  readonly onProgress?: (event: ProgressEvent) => void;
  readonly streams: Set<ProgressStream<ProgressEvent>>;
  readonly images: PoolImage[];
  /** Steps finished per image (for estimates). */
  readonly stepsDone: number[];
  state: 'queued' | 'running' | 'settled';
  /** The device whose queue holds it, then the device running it. */
  device?: Device;
  dispatchedAt?: number;
  cleanup: (() => void)[];
  /** Settles with the job, never rejects. */
  done: Promise<void>;
  resolve(result: JobResult): void;
  reject(error: PoolError): void;
}

interface Device {
  readonly config: NormalizedDevice;
  readonly worker: DeviceWorker;
  readonly queue: FairQueue<PoolJob>;
  /** Jobs the worker holds, settled or not, until it reports them ended. */
  readonly running: Map<string, PoolJob>;
  inFlightRows: number;
  residentUnets: Set<string>;
  msPerRowStep: number;
}

/** Admission's what-if: jobs of one submission already placed, per device. */
type Plan = Map<Device, { queued: number; rows: number }>;

/** Before any UNet call was measured. */
const DEFAULT_MS_PER_ROW_STEP = 50;
const DEFAULT_CLIENT = 'anonymous';

export class InferencePool {
  private readonly devices: Device[] = [];
  private readonly checkpointsById = new Map<string, CheckpointSpec>();
  /** Jobs not settled yet. */
  private readonly jobs = new Map<string, PoolJob>();
  private closing = false;
  private readonly totals = { submitted: 0, succeeded: 0, failed: 0, cancelled: 0, deadlineExceeded: 0, rejected: 0 };

  private constructor(
    private readonly config: NormalizedConfig,
    checkpoints: readonly CheckpointSpec[],
    private readonly onEvent: ((event: PoolEvent) => void) | undefined,
  ) {
    for (const c of checkpoints) this.checkpointsById.set(c.id, c);
  }

  /**
   * Validates the configuration, hashes every checkpoint's components, starts one worker per
   * device and loads the pinned checkpoints on each. Rejects with a PoolError naming the setting,
   * checkpoint or device at fault.
   */
  static async start(config: InferencePoolConfig): Promise<InferencePool> {
    const normalized = normalizeConfig(config);
    const checkpoints = await Promise.all(
      normalized.checkpoints.map((c) =>
        describeCheckpoint(c).catch((error: unknown) => {
          const code = (error as { code?: string }).code === 'MODEL_DIRECTORY_INVALID' ? 'MODEL_DIRECTORY_INVALID' : 'INVALID_INPUT';
          throw new PoolError(code, `checkpoint "${c.id}": ${(error as Error).message}`, { checkpointId: c.id, cause: error });
        }),
      ),
    );
    const pool = new InferencePool(normalized, checkpoints, config.onEvent);
    try {
      await Promise.all(normalized.devices.map((d) => pool.startDevice(d, checkpoints)));
    } catch (error) {
      await Promise.all(pool.devices.map((d) => d.worker.shutdown()));
      throw error;
    }
    return pool;
  }

  checkpoints(): CheckpointDescriptor[] {
    return [...this.checkpointsById.values()].map((c) => ({
      id: c.id,
      dir: c.dir,
      pinned: c.pinned,
      components: {
        text_encoder: { hash: c.components.text_encoder.hash, bytes: c.components.text_encoder.bytes },
        unet: { hash: c.components.unet.hash, bytes: c.components.unet.bytes },
        vae_decoder: { hash: c.components.vae_decoder.hash, bytes: c.components.vae_decoder.bytes },
      },
    }));
  }

  /**
   * Queues a job. Throws a PoolError at once when it cannot be admitted (SHUTTING_DOWN,
   * UNKNOWN_CHECKPOINT, INVALID_INPUT, QUEUE_FULL with `retryAfterMs`); everything later
   * (failures, cancellation, deadline) rejects `result`.
   */
  submit(options: SubmitOptions): JobHandle {
    const job = this.createJob(options.checkpointId, options.request, options);
    this.admit([job]);
    return this.attach(job, options);
  }

  /**
   * One request fanned out to several checkpoints: the same seed (so the same initial latents),
   * the same prompts (encoded once per text encoder: checkpoints sharing it get the very same
   * embeddings) and the same settings. Admitted all together or not at all.
   */
  submitComparison(options: ComparisonOptions): ComparisonHandle {
    if (!Array.isArray(options.checkpointIds) || options.checkpointIds.length === 0) {
      throw new PoolError('INVALID_INPUT', 'checkpointIds: must list at least one checkpoint');
    }
    if (new Set(options.checkpointIds).size !== options.checkpointIds.length) throw new PoolError('INVALID_INPUT', 'checkpointIds: must not repeat a checkpoint');
    const jobs = options.checkpointIds.map((id) => this.createJob(id, options.request, options));
    this.admit(jobs);
    const cells = jobs.map((job) => this.attach(job, options));
    const comparisonId = `cmp-${randomUUID()}`;
    const result = Promise.all(
      cells.map(
        (cell): Promise<ComparisonCell> =>
          cell.result.then(
            (r) => ({ checkpointId: cell.checkpointId, jobId: cell.jobId, ok: true, result: r }),
            (error: PoolError) => ({ checkpointId: cell.checkpointId, jobId: cell.jobId, ok: false, error }),
          ),
      ),
    ).then((settled) => ({ comparisonId, cells: settled }));
    return { comparisonId, cells, result, cancel: () => cells.forEach((c) => c.cancel()) };
  }

  /** Cancels a queued or running job (CANCELLED); false when it is unknown or already settled. */
  cancel(jobId: string): boolean {
    const job = this.jobs.get(jobId);
    if (!job) return false;
    this.fail(job, new PoolError('CANCELLED', `job ${jobId} was cancelled`, { jobId }));
    return true;
  }

  /** Makes a checkpoint resident on a device (by default: where it is, else the one holding fewest UNets). */
  async load(checkpointId: string, device?: string): Promise<DeviceResidency> {
    const checkpoint = this.checkpoint(checkpointId);
    const target = device !== undefined ? this.device(device) : this.loadTarget(checkpoint);
    const report = await target.worker.request<DeviceResidencyReport>({ type: 'load', checkpointId });
    return this.residencyOf(target, report);
  }

  /**
   * Releases a checkpoint's UNet (and its text encoder / VAE when no other loaded UNet uses them)
   * on one device or on every device holding it, once its running jobs finish. Pinned ones refuse.
   */
  async unload(checkpointId: string, device?: string): Promise<void> {
    const checkpoint = this.checkpoint(checkpointId);
    const targets = device !== undefined ? [this.device(device)] : this.devices.filter((d) => d.residentUnets.has(checkpoint.components.unet.hash));
    await Promise.all(targets.map((d) => d.worker.request({ type: 'unload', checkpointId })));
  }

  async residency(): Promise<DeviceResidency[]> {
    return Promise.all(
      this.devices.map(async (d) => {
        const report = d.worker.state === 'ready' ? await d.worker.request<DeviceResidencyReport>({ type: 'residency' }).catch(() => undefined) : undefined;
        return this.residencyOf(d, report);
      }),
    );
  }

  async stats(): Promise<PoolStats> {
    const devices = await Promise.all(
      this.devices.map(async (d): Promise<DeviceStats> => {
        const live = d.worker.state === 'ready' ? await d.worker.request<WorkerLiveStats>({ type: 'stats' }).catch(() => undefined) : undefined;
        return {
          device: d.config.name,
          state: d.worker.state,
          restarts: d.worker.restarts,
          queued: d.queue.size,
          runningJobs: d.running.size,
          inFlightRows: d.inFlightRows,
          ...(live
            ? { activeSequences: live.activeSequences, activeRows: live.activeRows, jobsWaitingForLoad: live.jobsWaitingForLoad, counters: live.counters }
            : {}),
          msPerRowStep: Math.round(d.msPerRowStep * 100) / 100,
        };
      }),
    );
    return {
      queued: this.devices.reduce((n, d) => n + d.queue.size, 0),
      running: this.devices.reduce((n, d) => n + d.running.size, 0),
      devices,
      totals: { ...this.totals },
    };
  }

  /** TESTING AID: only with `faultInjection: true` in the pool's config. */
  async injectFault(fault: InjectedFault, device?: string): Promise<void> {
    if (!this.config.faultInjection) throw new PoolError('INVALID_INPUT', 'fault injection is off (start the pool with faultInjection: true, in tests only)');
    const target = device !== undefined ? this.device(device) : (this.devices[0] as Device);
    if (fault.type === 'crash-worker' && fault.when === 'now') {
      target.worker.post({ type: 'request', requestId: 0, request: { type: 'fault', fault } });
      return;
    }
    await target.worker.request({ type: 'fault', fault });
  }

  /**
   * Stops accepting jobs, fails queued ones (SHUTTING_DOWN), lets running ones finish for up to
   * `timeoutMs` (default 30 s) and fails what is left, then releases every session and ends the workers.
   */
  async close(options: { timeoutMs?: number } = {}): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    const shutdown = (): PoolError => new PoolError('SHUTTING_DOWN', 'the pool is shutting down');
    for (const job of [...this.jobs.values()]) if (job.state === 'queued') this.fail(job, shutdown());
    const running = [...this.jobs.values()].map((j) => j.done);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(running), new Promise<void>((resolve) => (timer = setTimeout(resolve, options.timeoutMs ?? 30000)))]);
    clearTimeout(timer);
    for (const job of [...this.jobs.values()]) this.fail(job, shutdown());
    await Promise.all(this.devices.map((d) => d.worker.shutdown()));
  }

  // ---- devices ----

  private async startDevice(config: NormalizedDevice, checkpoints: readonly CheckpointSpec[]): Promise<void> {
    const init: WorkerInit = {
      deviceName: config.name,
      runtime: {
        device: config.device,
        ...(config.intraOpThreads !== undefined ? { intraOpThreads: config.intraOpThreads } : {}),
        ...(config.interOpThreads !== undefined ? { interOpThreads: config.interOpThreads } : {}),
        ...(config.graphOptimization !== undefined ? { graphOptimization: config.graphOptimization } : {}),
      },
      memoryBudgetBytes: config.memoryBudgetBytes,
      maxDecodeBatch: config.maxDecodeBatch,
      maxEncodePrompts: config.maxEncodePrompts,
      batching: config.batching,
      batchWindowMs: config.batchWindowMs,
      embeddingCacheSize: this.config.embeddingCacheSize,
      checkpoints,
      faultInjection: this.config.faultInjection,
    };
    const device: Device = {
      config,
      queue: new FairQueue<PoolJob>(),
      running: new Map(),
      inFlightRows: 0,
      residentUnets: new Set(),
      msPerRowStep: DEFAULT_MS_PER_ROW_STEP,
      worker: undefined as unknown as DeviceWorker,
    };
    (device as { worker: DeviceWorker }).worker = new DeviceWorker(config.name, init, this.config.maxRestartAttempts, {
      onMessage: (message) => this.onWorkerMessage(device, message),
      onCrash: (exitCode, error) => this.onWorkerCrash(device, exitCode, error),
      onReady: (residentUnets, restarts) => {
        device.residentUnets = new Set(residentUnets);
        this.emit({ type: 'worker-ready', device: config.name, restarts });
        this.pump();
      },
      onGivenUp: (error) => this.onDeviceGivenUp(device, error),
    });
    this.devices.push(device);
    await device.worker.start();
  }

  private onWorkerMessage(device: Device, message: FromWorker): void {
    switch (message.type) {
      case 'tick': {
        if (message.rows > 0) device.msPerRowStep = device.msPerRowStep * 0.8 + (message.durationMs / message.rows) * 0.2;
        for (const entry of message.progress) this.progress(entry);
        const { checkpointId, rows, sequences, durationMs } = message;
        this.emit({ type: 'unet-call', device: device.config.name, checkpointId, rows, sequences, durationMs });
        return;
      }
      case 'image': {
        const job = this.jobs.get(message.jobId);
        if (!job) return;
        job.images.push({
          index: message.index,
          seed: message.seed,
          image: { width: message.width, height: message.height, data: message.data },
          initialLatentsDigest: message.initialLatentsDigest,
        });
        return;
      }
      case 'job-ended': {
        const job = device.running.get(message.jobId);
        if (job) {
          device.running.delete(message.jobId);
          device.inFlightRows -= job.rows;
        }
        const live = this.jobs.get(message.jobId);
        if (live) {
          const { outcome } = message;
          if (outcome.kind === 'done') this.succeed(live, device, outcome.timings);
          else if (outcome.kind === 'failed') this.fail(live, this.workerError(live, device, outcome.error));
          else this.fail(live, new PoolError('CANCELLED', `job ${live.id} was cancelled`, { jobId: live.id }));
        }
        this.pump();
        return;
      }
      case 'component': {
        device.residentUnets = new Set(message.residentUnets);
        const { type, ...rest } = message.event;
        this.emit({ ...rest, type: `component-${type}`, device: device.config.name });
        if (type === 'evicted' || type === 'unloaded' || type === 'loaded') this.pump();
        return;
      }
      default:
        return;
    }
  }

  private onWorkerCrash(device: Device, exitCode: number, error: Error | undefined): void {
    const jobs = [...device.running.values()];
    device.running.clear();
    device.inFlightRows = 0;
    device.residentUnets = new Set();
    let failed = 0;
    for (const job of jobs) {
      if (job.state === 'settled') continue;
      failed++;
      this.fail(
        job,
        new PoolError(
          'WORKER_CRASHED',
          `the worker of device ${device.config.name} stopped (exit code ${exitCode}${error ? `: ${error.message}` : ''}) while running job ${job.id} ` +
            `on checkpoint "${job.checkpoint.id}"; the worker is restarting and the job was not retried`,
          { jobId: job.id, checkpointId: job.checkpoint.id, device: device.config.name, cause: error },
        ),
      );
    }
    this.emit({ type: 'worker-exited', device: device.config.name, exitCode, failedJobs: failed, ...(error ? { error: error.message } : {}) });
  }

  private onDeviceGivenUp(device: Device, error: Error): void {
    this.emit({ type: 'worker-given-up', device: device.config.name, error: error.message });
    // Its queue moves to devices still in service, or fails.
    for (const job of [...device.queue.items()]) {
      device.queue.remove(job);
      const other = this.place(job, true);
      if (other) {
        job.device = other;
        other.queue.push(job);
      } else {
        this.fail(job, new PoolError('WORKER_CRASHED', `device ${device.config.name} is out of service: ${error.message}`, { jobId: job.id, device: device.config.name }));
      }
    }
    this.pump();
  }

  // ---- admission and placement ----

  private createJob(checkpointId: string, request: GenerationRequest, options: JobOptions): PoolJob {
    if (this.closing) throw new PoolError('SHUTTING_DOWN', 'the pool is shutting down and accepts no new jobs');
    const checkpoint = this.checkpoint(checkpointId);
    checkRequest(request);
    const priority = options.priority ?? 'normal';
    if (!PRIORITIES.includes(priority)) throw new PoolError('INVALID_INPUT', `priority: must be one of ${PRIORITIES.join(', ')}, got ${JSON.stringify(priority)}`);
    if (options.deadlineMs !== undefined && !(options.deadlineMs > 0)) throw new PoolError('INVALID_INPUT', `deadlineMs: must be a positive number, got ${options.deadlineMs}`);
    const job: PoolJob = {
      id: `job-${randomUUID()}`,
      checkpoint,
      request,
      clientId: options.clientId ?? DEFAULT_CLIENT,
      priority,
      preview: options.preview === true,
      rows: request.numImages * (request.guidanceScale > 1 ? 2 : 1),
      latentPixels: (request.width / 8) * (request.height / 8),
      submittedAt: performance.now(),
      onProgress: options.onProgress,
      streams: new Set(),
      images: [],
      stepsDone: new Array<number>(request.numImages).fill(0),
      state: 'queued',
      cleanup: [],
      done: Promise.resolve(),
      resolve: () => undefined,
      reject: () => undefined,
    };
    return job;
  }

  /** Places and queues the jobs, all or none; throws QUEUE_FULL when they do not fit. */
  private admit(jobs: PoolJob[]): void {
    const plan: Plan = new Map();
    let queuedTotal = this.devices.reduce((n, d) => n + d.queue.size, 0);
    for (const job of jobs) {
      const device = this.place(job, false, plan);
      const dispatchable = device !== undefined && this.dispatchableNow(device, job, plan);
      if (!device || (!dispatchable && queuedTotal >= this.config.maxQueuedTotal)) {
        this.totals.rejected += jobs.length;
        const retryAfterMs = this.retryAfterMs();
        const which = device
          ? `the pool's queue is full (${queuedTotal} of ${this.config.maxQueuedTotal} jobs waiting)`
          : `every device's queue is full (${this.config.maxQueuedPerDevice} jobs each)`;
        throw new PoolError('QUEUE_FULL', `${which}; retry in about ${Math.ceil(retryAfterMs / 1000)} s`, { retryAfterMs, checkpointId: job.checkpoint.id });
      }
      job.device = device;
      const planned = plan.get(device) ?? { queued: 0, rows: 0 };
      if (dispatchable) planned.rows += job.rows;
      else {
        planned.queued++;
        queuedTotal++;
      }
      plan.set(device, planned);
    }
    for (const job of jobs) {
      this.totals.submitted++;
      this.jobs.set(job.id, job);
      (job.device as Device).queue.push(job);
    }
    this.pump();
  }

  /**
   * The device for a job: among devices in service whose queue has room (or that would start it
   * right away), those holding its UNet first, then the least backlog.
   */
  private place(job: PoolJob, ignoreLimits: boolean, plan: Plan = new Map()): Device | undefined {
    let best: Device | undefined;
    let bestScore = Infinity;
    for (const d of this.devices) {
      if (d.worker.state === 'failed' || d.worker.state === 'closed') continue;
      const queued = d.queue.size + (plan.get(d)?.queued ?? 0);
      if (!ignoreLimits && queued >= this.config.maxQueuedPerDevice && !this.dispatchableNow(d, job, plan)) continue;
      const resident = d.residentUnets.has(job.checkpoint.components.unet.hash);
      const backlog = d.inFlightRows + (plan.get(d)?.rows ?? 0) + queued * job.rows;
      const score = (resident ? 0 : 1e9) + backlog;
      if (score < bestScore) {
        bestScore = score;
        best = d;
      }
    }
    return best;
  }

  /** True when the job would go straight to the worker (nothing queued before it, room for its rows). */
  private dispatchableNow(device: Device, job: PoolJob, plan: Plan): boolean {
    const planned = plan.get(device);
    return device.worker.state === 'ready' && device.queue.size + (planned?.queued ?? 0) === 0 && this.hasRoom(device, job, planned?.rows ?? 0);
  }

  private hasRoom(device: Device, job: PoolJob, plannedRows = 0): boolean {
    const rows = device.inFlightRows + plannedRows;
    if (rows === 0) return true;
    const limit = device.config.maxInFlightRows ?? 2 * maxBatchRows(device.config, job.latentPixels);
    return rows + job.rows <= limit;
  }

  /** Hands queued jobs to workers with room; an idle worker takes work queued on a busy device. */
  private pump(): void {
    for (const device of this.devices) {
      if (device.worker.state !== 'ready') continue;
      for (;;) {
        const source = device.queue.size > 0 ? device : this.stealSource(device);
        const job = source?.queue.peek();
        if (!source || !job || !this.hasRoom(device, job)) break;
        source.queue.shift();
        this.dispatch(device, job);
      }
    }
  }

  /** A device whose queued head cannot start there now (busy or restarting), with the longest queue. */
  private stealSource(thief: Device): Device | undefined {
    let best: Device | undefined;
    for (const d of this.devices) {
      if (d === thief || d.queue.size === 0) continue;
      const head = d.queue.peek() as PoolJob;
      if (d.worker.state === 'ready' && this.hasRoom(d, head)) continue;
      if (!best || d.queue.size > best.queue.size) best = d;
    }
    return best;
  }

  private dispatch(device: Device, job: PoolJob): void {
    job.state = 'running';
    job.device = device;
    job.dispatchedAt = performance.now();
    device.running.set(job.id, job);
    device.inFlightRows += job.rows;
    device.worker.submit({
      jobId: job.id,
      checkpointId: job.checkpoint.id,
      request: job.request,
      preview: job.preview,
      maxBatchRows: maxBatchRows(device.config, job.latentPixels),
    });
  }

  /** About when a queue slot frees: the running job closest to done, at the measured speed. */
  private retryAfterMs(): number {
    let best = Infinity;
    for (const d of this.devices) {
      if (d.worker.state === 'failed' || d.worker.state === 'closed') continue;
      let soonest = Infinity;
      for (const job of d.running.values()) {
        const left = job.request.steps - Math.min(...job.stepsDone);
        soonest = Math.min(soonest, left);
      }
      const steps = soonest === Infinity ? 1 : soonest + 1;
      best = Math.min(best, steps * Math.max(1, d.inFlightRows) * d.msPerRowStep);
    }
    return Math.min(60000, Math.max(50, Math.ceil(best === Infinity ? 1000 : best)));
  }

  // ---- progress and settlement ----

  private attach(job: PoolJob, options: JobOptions): JobHandle {
    const result = new Promise<JobResult>((resolve, reject) => {
      job.resolve = resolve;
      job.reject = reject;
    });
    // A caller may only watch progress; an unobserved failure must not crash the process.
    job.done = result.then(
      () => undefined,
      () => undefined,
    );
    if (options.deadlineMs !== undefined) {
      const deadlineMs = options.deadlineMs;
      const timer = setTimeout(() => {
        this.fail(job, new PoolError('DEADLINE_EXCEEDED', `job ${job.id} did not finish within its deadline of ${deadlineMs} ms`, { jobId: job.id }));
      }, deadlineMs);
      timer.unref();
      job.cleanup.push(() => clearTimeout(timer));
    }
    const signal = options.signal;
    if (signal) {
      const abort = (): void => {
        this.fail(job, new PoolError('CANCELLED', `job ${job.id} was cancelled by its AbortSignal`, { jobId: job.id, cause: signal.reason }));
      };
      if (signal.aborted) queueMicrotask(abort);
      else {
        signal.addEventListener('abort', abort, { once: true });
        job.cleanup.push(() => signal.removeEventListener('abort', abort));
      }
    }
    return {
      jobId: job.id,
      checkpointId: job.checkpoint.id,
      result,
      progress: () => {
        const stream = new ProgressStream<ProgressEvent>((s) => job.streams.delete(s));
        if (job.state === 'settled') stream.end();
        else job.streams.add(stream);
        return stream;
      },
      cancel: () => this.cancel(job.id),
    };
  }

  private progress(entry: ProgressEntry): void {
    const job = this.jobs.get(entry.jobId);
    if (!job) return;
    job.stepsDone[entry.imageIndex] = entry.step;
    const now = performance.now();
    const since = now - (job.dispatchedAt ?? job.submittedAt);
    const event: ProgressEvent = {
      jobId: job.id,
      checkpointId: job.checkpoint.id,
      imageIndex: entry.imageIndex,
      step: entry.step,
      totalSteps: entry.totalSteps,
      elapsedMs: Math.round(now - job.submittedAt),
      etaMs: Math.round((since / entry.step) * (entry.totalSteps - entry.step)),
      ...(entry.preview ? { preview: entry.preview } : {}),
    };
    try {
      job.onProgress?.(event);
    } catch {
      // A listener's bug must not break the pool.
    }
    for (const stream of job.streams) stream.push(event);
  }

  private succeed(job: PoolJob, device: Device, timings: { loadMs: number; encodeMs: number; denoiseMs: number; decodeMs: number }): void {
    if (!this.settle(job)) return;
    this.totals.succeeded++;
    const now = performance.now();
    job.resolve({
      jobId: job.id,
      checkpointId: job.checkpoint.id,
      device: device.config.name,
      images: [...job.images].sort((a, b) => a.index - b.index),
      timings: {
        queuedMs: Math.round((job.dispatchedAt ?? now) - job.submittedAt),
        ...timings,
        totalMs: Math.round(now - job.submittedAt),
      },
    });
  }

  private fail(job: PoolJob, error: PoolError): void {
    const wasQueued = job.state === 'queued';
    const wasRunning = job.state === 'running';
    if (!this.settle(job)) return;
    if (error.code === 'CANCELLED') this.totals.cancelled++;
    else if (error.code === 'DEADLINE_EXCEEDED') this.totals.deadlineExceeded++;
    else this.totals.failed++;
    const device = job.device;
    if (wasQueued) device?.queue.remove(job);
    // The worker frees the rows at its next tick and confirms with job-ended.
    if (wasRunning && device?.running.has(job.id)) device.worker.post({ type: 'cancel', jobId: job.id });
    job.reject(error.jobId === job.id && error.checkpointId !== undefined ? error : error.withJob(job.id, job.checkpoint.id));
  }

  /** Marks a job settled once; false when it already was. */
  private settle(job: PoolJob): boolean {
    if (job.state === 'settled') return false;
    job.state = 'settled';
    this.jobs.delete(job.id);
    for (const cleanup of job.cleanup) cleanup();
    job.cleanup = [];
    for (const stream of job.streams) stream.end();
    job.streams.clear();
    return true;
  }

  private workerError(job: PoolJob, device: Device, wire: WireError): PoolError {
    const code = poolCodeOf(wire);
    const where = `checkpoint "${job.checkpoint.id}" on ${device.config.name}`;
    return new PoolError(code, code === 'MODEL_FAILED' || code === 'INTERNAL' ? `${where}: ${wire.message}` : wire.message, {
      jobId: job.id,
      checkpointId: job.checkpoint.id,
      device: device.config.name,
      cause: fromWireError(wire),
    });
  }

  // ---- lookups ----

  private checkpoint(id: string): CheckpointSpec {
    const checkpoint = this.checkpointsById.get(id);
    if (!checkpoint) {
      throw new PoolError('UNKNOWN_CHECKPOINT', `no checkpoint "${id}"; known: ${[...this.checkpointsById.keys()].join(', ')}`, { checkpointId: id });
    }
    return checkpoint;
  }

  private device(name: string): Device {
    const device = this.devices.find((d) => d.config.name === name);
    if (!device) throw new PoolError('INVALID_INPUT', `no device "${name}"; devices: ${this.devices.map((d) => d.config.name).join(', ')}`);
    return device;
  }

  private loadTarget(checkpoint: CheckpointSpec): Device {
    const usable = this.devices.filter((d) => d.worker.state === 'ready');
    const resident = usable.find((d) => d.residentUnets.has(checkpoint.components.unet.hash));
    if (resident) return resident;
    const least = usable.sort((a, b) => a.residentUnets.size - b.residentUnets.size)[0];
    if (!least) throw new PoolError('WORKER_CRASHED', 'no device is ready');
    return least;
  }

  private residencyOf(device: Device, report: DeviceResidencyReport | undefined): DeviceResidency {
    return {
      device: device.config.name,
      state: device.worker.state,
      memoryBudgetBytes: device.config.memoryBudgetBytes,
      usedBytes: report?.usedBytes ?? 0,
      components: report?.components ?? [],
      residentCheckpointIds: report?.residentCheckpointIds ?? [],
    };
  }

  private emit(event: PoolEvent): void {
    try {
      this.onEvent?.(event);
    } catch {
      // A listener's bug must not break the pool.
    }
  }
}

/** Structural checks of a parsed request (parseGenerationRequest did the full validation). */
function checkRequest(request: GenerationRequest): void {
  const fail = (field: string, rule: string): never => {
    throw new PoolError('INVALID_INPUT', `${field}: ${rule}`, { cause: new InvalidInputError(field, rule) });
  };
  if (request === null || typeof request !== 'object') fail('request', 'must be a parsed GenerationRequest');
  if (typeof request.prompt !== 'string') fail('prompt', 'must be a string');
  if (typeof request.negativePrompt !== 'string') fail('negativePrompt', 'must be a string');
  for (const field of ['width', 'height'] as const) {
    const v = request[field];
    if (!Number.isInteger(v) || v < 8 || v % 8 !== 0) fail(field, `must be a positive multiple of 8, got ${String(v)}`);
  }
  if (!Number.isInteger(request.steps) || request.steps < 1) fail('steps', `must be a positive integer, got ${String(request.steps)}`);
  if (!Number.isInteger(request.numImages) || request.numImages < 1) fail('numImages', `must be a positive integer, got ${String(request.numImages)}`);
  if (typeof request.guidanceScale !== 'number' || !Number.isFinite(request.guidanceScale)) fail('guidanceScale', 'must be a finite number');
  if (typeof request.seed !== 'bigint') fail('seed', 'must be a bigint (use parseGenerationRequest)');
  if (!SCHEDULER_NAMES.includes(request.scheduler)) fail('scheduler', `must be one of ${SCHEDULER_NAMES.join(', ')}`);
  if (!NOISE_MODES.includes(request.noiseMode)) fail('noiseMode', `must be one of ${NOISE_MODES.join(', ')}`);
}

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
 *
 * This class holds the loop and the worker's messages; the parts live in runtime-jobs.ts (admission
 * and ending of jobs), runtime-prompt-encoding.ts, runtime-tick-planning.ts (who shares a UNet
 * call, per policy), runtime-unet-step.ts and runtime-decoding.ts, over the state in runtime-state.ts.
 */
import { ModelDirectoryError } from '../../engine/errors';
import { loadError } from '../protocol/checkpoint-availability';
import { ComponentStore } from './component-store';
import { Turns } from './turns';
import { measureNothing } from './resident-cost';
import { PoolError, toWireError } from '../protocol/pool-errors';
import { zeroWorkerCounters, type ComponentEvent, type InjectedFault, type ToWorker, type WorkerCounters, type WorkerInit, type WorkerLiveStats, type WorkerRequest } from '../protocol/protocol';
import { decodeTick } from './runtime-decoding';
import { admitWaiting, cancelJob, endJob, failJobs, submitJob } from './runtime-jobs';
import { encodeTick } from './runtime-prompt-encoding';
import { FAULT_EXIT_CODE, type PostMessage, type RuntimeState } from './runtime-state';
import { startBatch } from './runtime-tick-planning';
import { unetTick } from './runtime-unet-step';

export type { PostMessage } from './runtime-state';

export class DeviceRuntime {
  readonly counters: WorkerCounters = zeroWorkerCounters();
  private readonly state: RuntimeState;
  /** The loop's rounds and the store's session creations, one at a time (turns.ts). */
  private readonly turns = new Turns();
  private wakeLoop?: () => void;
  /** A wake while the loop was not waiting (in a round, or queued for its turn): the loop goes round again. */
  private wokenMeanwhile = false;
  private stopped = false;
  private loopDone: Promise<void> = Promise.resolve();

  /**
   * `onStopped`: called once the reply to a `shutdown` request has been posted (every session
   * released, no call in progress); the worker thread ends itself there, so it never has to be
   * terminated from outside.
   */
  constructor(
    private readonly init: WorkerInit,
    post: PostMessage,
    private readonly onStopped?: () => void,
  ) {
    const store = new ComponentStore(
      { memoryBudgetBytes: init.memoryBudgetBytes, runtime: init.runtime, checkpoints: init.checkpoints, deviceName: init.deviceName, turns: this.turns, ...(init.residentCost === 'file-bytes' ? { measureResidentBytes: measureNothing } : {}) },
      (event) => this.componentEvent(event),
      this.counters,
    );
    this.state = {
      init,
      post,
      counters: this.counters,
      store,
      checkpoints: new Map(init.checkpoints.map((spec) => [spec.id, { spec }])),
      jobs: new Map(),
      waiting: new Map(),
      encodeQueue: [],
      active: new Set(),
      ready: [],
      batch: new Set(),
      batchDenoised: [],
      decodeQueue: [],
      embeddingCache: new Map(),
      waitCounter: 0,
      crashAtNextUnetCall: false,
      failingUnetCalls: new Map(),
      wake: () => this.wake(),
    };
    store.onResident = (id) => admitWaiting(this.state, id);
    store.onBroken = (id, error) => this.state.post({ type: 'checkpoint-unavailable', checkpointId: id, error: toWireError(error) });
  }

  /**
   * Loads the pinned checkpoints, then says `ready` (or `init-failed`) and starts the loop. A pinned
   * checkpoint whose files are broken does not stop the device: it was reported unavailable
   * (`onBroken`) and the others are served.
   */
  async start(): Promise<void> {
    for (const spec of this.init.checkpoints) {
      if (!spec.pinned) continue;
      try {
        await this.state.store.ensure(spec.id);
      } catch (error) {
        if (error instanceof ModelDirectoryError) continue;
        this.state.post({ type: 'init-failed', error: toWireError(error) });
        return;
      }
    }
    this.state.post({ type: 'ready', residentUnets: this.state.store.residentUnets() });
    this.loopDone = this.loop();
  }

  handle(message: ToWorker): void {
    switch (message.type) {
      case 'submit':
        for (const job of message.jobs) submitJob(this.state, job);
        break;
      case 'cancel':
        cancelJob(this.state, message.jobId);
        break;
      case 'request':
        this.request(message.request)
          .then(
            (value) => this.state.post({ type: 'reply', requestId: message.requestId, ok: true, value }),
            (error: unknown) => this.state.post({ type: 'reply', requestId: message.requestId, ok: false, error: toWireError(error) }),
          )
          .then(() => {
            if (message.request.type === 'shutdown') this.onStopped?.();
          });
        break;
    }
  }

  liveStats(): WorkerLiveStats {
    let activeSequences = 0;
    let activeRows = 0;
    let waitingForLoad = 0;
    for (const job of this.state.jobs.values()) {
      if (job.state === 'waiting') waitingForLoad++;
      else activeSequences += job.state === 'encoding' ? job.spec.request.numImages : job.imagesLeft;
    }
    for (const s of this.state.active) activeRows += s.seq.rows;
    return {
      activeJobs: this.state.jobs.size - waitingForLoad,
      activeSequences,
      activeRows,
      jobsWaitingForLoad: waitingForLoad,
      loadsInProgress: this.state.store.loadsInProgress,
      counters: { ...this.counters },
    };
  }

  private async request(request: WorkerRequest): Promise<unknown> {
    switch (request.type) {
      case 'load':
        await this.state.store.ensure(request.checkpointId).catch((error: unknown) => {
          throw loadError(request.checkpointId, error);
        });
        return this.state.store.report();
      case 'unload':
        await this.state.store.unload(request.checkpointId);
        return this.state.store.report();
      case 'residency':
        return this.state.store.report();
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
        for (const job of [...this.state.jobs.values()]) endJob(this.state, job, { kind: 'failed', error: toWireError(new PoolError('SHUTTING_DOWN', 'the pool is shutting down')) });
        await this.state.store.releaseAll();
        return true;
    }
  }

  private injectFault(fault: InjectedFault): void {
    if (!this.init.faultInjection) throw new PoolError('INVALID_INPUT', 'fault injection is off (start the pool with faultInjection: true, in tests only)');
    if (fault.type === 'crash-worker') {
      if (fault.when === 'now') process.exit(FAULT_EXIT_CODE);
      this.state.crashAtNextUnetCall = true;
    } else {
      this.state.failingUnetCalls.set(fault.checkpointId, (this.state.failingUnetCalls.get(fault.checkpointId) ?? 0) + (fault.count ?? 1));
    }
  }

  // ---- the loop ----

  private async loop(): Promise<void> {
    while (!this.stopped) {
      this.wokenMeanwhile = false;
      const { worked, windowMs } = await this.turns.run(() => this.round());
      if (!worked && !this.stopped) {
        if (!this.wokenMeanwhile) {
          let timer: NodeJS.Timeout | undefined;
          await new Promise<void>((resolve) => {
            this.wakeLoop = resolve;
            if (windowMs > 0) timer = setTimeout(() => this.wake(), windowMs);
          });
          clearTimeout(timer);
        }
        // Woken by the first message of a burst: let the rest of the burst in (messages are handled
        // before immediates), so requests sent together are encoded and start stepping together.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
  }

  /** One round of ticks: encode what waits, one UNet call, decode what is denoised. */
  private async round(): Promise<{ worked: boolean; windowMs: number }> {
    let worked = false;
    /** `request-level`: the batch window is open for this long yet. */
    let windowMs = 0;
    try {
      if (this.state.encodeQueue.length > 0) worked = (await encodeTick(this.state)) || worked;
      if (this.state.ready.length > 0 && this.state.batch.size === 0) windowMs = startBatch(this.state);
      if (this.state.active.size > 0) worked = (await unetTick(this.state)) || worked;
      if (this.state.batchDenoised.length > 0 && this.state.active.size === 0) {
        this.state.decodeQueue.push(...this.state.batchDenoised);
        this.state.batchDenoised = [];
      }
      if (this.state.decodeQueue.length > 0) worked = (await decodeTick(this.state)) || worked;
    } catch (error) {
      // A bug in the loop itself: fail what is in flight rather than stall the worker.
      failJobs(this.state, [...this.state.jobs.values()].filter((j) => j.state !== 'waiting'), error);
      worked = true;
    }
    return { worked, windowMs };
  }

  private wake(): void {
    const wake = this.wakeLoop;
    this.wakeLoop = undefined;
    if (wake) wake();
    else this.wokenMeanwhile = true;
  }

  private componentEvent(event: ComponentEvent): void {
    this.state.post({ type: 'component', event, residentUnets: this.state.store.residentUnets() });
  }
}

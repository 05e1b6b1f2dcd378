/**
 * The main thread's handle on one device worker: starts it, relays its messages, matches replies
 * to requests, and restarts it when it dies (the pool fails the jobs it was running).
 */
import type { Worker } from 'node:worker_threads';
import { PoolError, fromWireError, poolCodeOf } from '../protocol/pool-errors';
import type { FromWorker, ToWorker, WorkerInit, WorkerJobSpec, WorkerRequest } from '../protocol/protocol';
import type { DeviceState } from './pool-types';
import { spawnDeviceWorker } from './worker-bootstrap';

export interface DeviceWorkerListener {
  onMessage(message: FromWorker): void;
  /** The worker died unexpectedly; it is being restarted. */
  onCrash(exitCode: number, error: Error | undefined): void;
  onReady(residentUnets: readonly string[], restarts: number): void;
  /** Restarting failed `maxRestartAttempts` times in a row: the device is out of service. */
  onGivenUp(error: Error): void;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/** How long close() waits for a worker to finish its current native call (a real UNet step on CPU can take many seconds). */
export const WORKER_SHUTDOWN_GRACE_MS = 120_000;
/** How long a worker that has answered `shutdown` may take to end its own thread before it is terminated. */
const WORKER_EXIT_MS = 5_000;

export class DeviceWorker {
  state: DeviceState = 'starting';
  restarts = 0;
  private worker?: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextRequestId = 1;
  private failedStarts = 0;
  private restartTimer?: NodeJS.Timeout;
  private closing = false;
  private outbox: WorkerJobSpec[] = [];
  /** Resolved when the current start ends (ready or exit). */
  private startWaiters: (() => void)[] = [];

  constructor(
    readonly name: string,
    private readonly init: WorkerInit,
    private readonly maxRestartAttempts: number,
    private readonly listener: DeviceWorkerListener,
  ) {}

  /** Resolves when the worker is ready (pinned checkpoints loaded); rejects with the reason it is not. */
  start(): Promise<void> {
    return new Promise((resolve, reject) => this.spawn(resolve, reject));
  }

  /**
   * Jobs handed over in one main-thread turn go to the worker as one message (flushed in a
   * microtask); any other message flushes them first, so a cancel never overtakes its submit.
   */
  submit(job: WorkerJobSpec): void {
    this.outbox.push(job);
    if (this.outbox.length === 1) queueMicrotask(() => this.flush());
  }

  post(message: ToWorker): void {
    this.flush();
    if (this.state === 'ready') this.worker?.postMessage(message);
  }

  private flush(): void {
    if (this.outbox.length === 0) return;
    const jobs = this.outbox;
    this.outbox = [];
    if (this.state === 'ready') this.worker?.postMessage({ type: 'submit', jobs } satisfies ToWorker);
  }

  request<T>(request: WorkerRequest): Promise<T> {
    const worker = this.worker;
    if (this.state !== 'ready' || !worker) {
      return Promise.reject(new PoolError('WORKER_CRASHED', `device ${this.name} is ${this.state}; try again shortly`, { device: this.name }));
    }
    const requestId = this.nextRequestId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(requestId, { resolve: resolve as (value: unknown) => void, reject });
      this.flush();
      worker.postMessage({ type: 'request', requestId, request } satisfies ToWorker);
    });
  }

  /**
   * Releases the worker's sessions and ends the thread. A worker is never terminated while it may
   * be inside a native onnxruntime call (terminating a thread there aborts the whole process): a
   * starting worker is first let finish starting; a ready one is asked to shut down, finishes the
   * call in progress, releases its sessions, answers and ends its own thread. Only a worker that
   * does not answer within `graceMs`, or does not exit after answering, is terminated.
   */
  async shutdown(graceMs = WORKER_SHUTDOWN_GRACE_MS): Promise<void> {
    this.closing = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    if (this.worker && (this.state === 'starting' || this.state === 'restarting')) {
      await withTimeout(new Promise<void>((resolve) => this.startWaiters.push(resolve)), graceMs);
    }
    const worker = this.worker;
    let exitedByItself = false;
    if (worker && this.state === 'ready') {
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      const answered = await withTimeout(
        new Promise<void>((resolve) => {
          const requestId = this.nextRequestId++;
          this.pending.set(requestId, { resolve: () => resolve(), reject: () => resolve() });
          worker.postMessage({ type: 'request', requestId, request: { type: 'shutdown' } } satisfies ToWorker);
        }),
        graceMs,
      );
      exitedByItself = answered && (await withTimeout(exited, WORKER_EXIT_MS));
    }
    this.state = 'closed';
    this.rejectPending(new PoolError('SHUTTING_DOWN', `device ${this.name} is shutting down`, { device: this.name }));
    this.worker = undefined;
    // The last resort, for a worker that did not answer or did not end its thread.
    if (worker && !exitedByItself) await worker.terminate();
  }

  private spawn(onReady?: () => void, onFailed?: (error: Error) => void): void {
    const worker = spawnDeviceWorker({ init: this.init }, `device ${this.name}`);
    this.worker = worker;
    let ready = false;
    let lastError: Error | undefined;
    worker.on('message', (message: FromWorker) => {
      if (this.worker !== worker) return;
      switch (message.type) {
        case 'ready':
          ready = true;
          this.state = 'ready';
          this.failedStarts = 0;
          this.startEnded();
          onReady?.();
          if (!this.closing) this.listener.onReady(message.residentUnets, this.restarts);
          return;
        case 'init-failed': {
          const error = new PoolError(poolCodeOf(message.error), `device ${this.name} could not start: ${message.error.message}`, {
            device: this.name,
            cause: fromWireError(message.error),
          });
          lastError = error;
          void worker.terminate();
          return;
        }
        case 'reply': {
          const pending = this.pending.get(message.requestId);
          this.pending.delete(message.requestId);
          if (!pending) return;
          if (message.ok) pending.resolve(message.value);
          else {
            const cause = fromWireError(message.error);
            pending.reject(new PoolError(poolCodeOf(message.error), message.error.message, { device: this.name, cause }));
          }
          return;
        }
        default:
          this.listener.onMessage(message);
      }
    });
    worker.on('error', (error) => {
      lastError = error;
    });
    worker.on('exit', (exitCode) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.rejectPending(new PoolError('WORKER_CRASHED', `device ${this.name} stopped (exit code ${exitCode}) before replying`, { device: this.name }));
      this.startEnded();
      if (this.closing) {
        this.state = 'closed';
        return;
      }
      if (!ready) {
        const error = lastError ?? new PoolError('WORKER_CRASHED', `device ${this.name} exited with code ${exitCode} while starting`, { device: this.name });
        if (onFailed) {
          this.state = 'failed';
          onFailed(error);
          return;
        }
        this.failedStarts++;
        if (this.failedStarts > this.maxRestartAttempts) {
          this.state = 'failed';
          this.listener.onGivenUp(error);
          return;
        }
      } else {
        this.listener.onCrash(exitCode, lastError);
      }
      this.state = 'restarting';
      this.restarts++;
      const delay = this.failedStarts === 0 ? 0 : Math.min(5000, 100 * 2 ** (this.failedStarts - 1));
      this.restartTimer = setTimeout(() => this.spawn(), delay);
    });
  }

  private startEnded(): void {
    for (const wake of this.startWaiters.splice(0)) wake();
  }

  private rejectPending(error: Error): void {
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) p.reject(error);
  }
}

/** True when the promise settled within `ms`, false when the time ran out first. */
function withTimeout(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([promise.then(() => true), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)))]).finally(() => clearTimeout(timer));
}

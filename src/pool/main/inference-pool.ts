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
 *
 * This class is the public API; the parts live in pool-job-creation.ts, pool-admission.ts,
 * pool-placement.ts (placement and dispatch), pool-settlement.ts (handles, progress, results),
 * pool-comparison.ts, pool-worker-events.ts and pool-reports.ts, over the state in pool-state.ts.
 */
import { brokenReason } from '../protocol/checkpoint-availability';
import { markUnavailable } from './pool-state';
import { describeCheckpoint } from './checkpoint-catalog';
import { normalizeConfig, type InferencePoolConfig } from './pool-config';
import { PoolError } from '../protocol/pool-errors';
import { admitJobs } from './pool-admission';
import { submitComparison } from './pool-comparison';
import { createJob } from './pool-job-creation';
import { loadTarget } from './pool-placement';
import { describeCheckpoints, poolStats, residencyOf } from './pool-reports';
import { attachJob, cancelJob, failJob } from './pool-settlement';
import { findCheckpoint, findDevice, type Device, type PoolState } from './pool-state';
import type { CheckpointDescriptor, ComparisonHandle, ComparisonOptions, DeviceResidency, JobHandle, PoolEvent, PoolStats, SubmitOptions } from './pool-types';
import { startDevice } from './pool-worker-events';
import type { CheckpointSpec, DeviceResidencyReport, InjectedFault } from '../protocol/protocol';

export class InferencePool {
  private readonly pool: PoolState;
  private closed?: Promise<void>;

  private constructor(config: PoolState['config'], checkpoints: readonly CheckpointSpec[], onEvent: ((event: PoolEvent) => void) | undefined) {
    this.pool = {
      config,
      devices: [],
      checkpointsById: new Map(checkpoints.map((c) => [c.id, c])),
      checkpointIds: config.checkpoints.map((c) => c.id),
      unavailable: new Map(),
      jobs: new Map(),
      totals: { submitted: 0, succeeded: 0, failed: 0, cancelled: 0, deadlineExceeded: 0, rejected: 0 },
      closing: false,
      emit: (event) => {
        try {
          onEvent?.(event);
        } catch {
          // A listener's bug must not break the pool.
        }
      },
    };
  }

  /**
   * Validates the configuration, registers every checkpoint (hashes and fingerprints its files),
   * starts one worker per device and loads the pinned checkpoints on each. A checkpoint that cannot
   * be read, or a pinned one whose load fails, is marked unavailable (listed with its reason, not
   * served) and the others start; only when no checkpoint can be registered does start fail.
   * Rejects with a PoolError naming the setting, checkpoint or device at fault.
   */
  static async start(config: InferencePoolConfig): Promise<InferencePool> {
    const normalized = normalizeConfig(config);
    const described = await Promise.all(
      normalized.checkpoints.map((c) =>
        describeCheckpoint(c).then(
          (spec) => ({ id: c.id, spec }),
          (error: unknown) => {
            const code = (error as { code?: string }).code === 'MODEL_DIRECTORY_INVALID' ? 'MODEL_DIRECTORY_INVALID' : 'INVALID_INPUT';
            return { id: c.id, error: new PoolError(code, `checkpoint "${c.id}": ${(error as Error).message}`, { checkpointId: c.id, cause: error }) };
          },
        ),
      ),
    );
    const checkpoints = described.flatMap((d) => ('spec' in d ? [d.spec] : []));
    const broken = described.flatMap((d) => ('error' in d ? [d.error] : []));
    if (checkpoints.length === 0) throw broken[0] as PoolError;
    const instance = new InferencePool(normalized, checkpoints, config.onEvent);
    const { pool } = instance;
    for (const error of broken) markUnavailable(pool, error.checkpointId as string, brokenReason(error));
    try {
      await Promise.all(normalized.devices.map((d) => startDevice(pool, d, checkpoints)));
    } catch (error) {
      await Promise.all(pool.devices.map((d) => d.worker.shutdown()));
      throw error;
    }
    return instance;
  }

  checkpoints(): CheckpointDescriptor[] {
    return describeCheckpoints(this.pool);
  }

  /**
   * Queues a job. Throws a PoolError at once when it cannot be admitted (SHUTTING_DOWN,
   * UNKNOWN_CHECKPOINT, INVALID_INPUT, QUEUE_FULL with `retryAfterMs`); everything later
   * (failures, cancellation, deadline) rejects `result`.
   */
  submit(options: SubmitOptions): JobHandle {
    const job = createJob(this.pool, options.checkpointId, options.request, options);
    admitJobs(this.pool, [job]);
    return attachJob(this.pool, job, options);
  }

  /**
   * One request fanned out to several checkpoints: the same seed (so the same initial latents),
   * the same prompts (encoded once per text encoder: checkpoints sharing it get the very same
   * embeddings) and the same settings. Admitted all together or not at all.
   */
  submitComparison(options: ComparisonOptions): ComparisonHandle {
    return submitComparison(this.pool, options);
  }

  /** Cancels a queued or running job (CANCELLED); false when it is unknown or already settled. */
  cancel(jobId: string): boolean {
    return cancelJob(this.pool, jobId);
  }

  /** Makes a checkpoint resident on a device (by default: where it is, else the one holding fewest UNets). */
  async load(checkpointId: string, device?: string): Promise<DeviceResidency> {
    const checkpoint = findCheckpoint(this.pool, checkpointId);
    const target = device !== undefined ? findDevice(this.pool, device) : loadTarget(this.pool, checkpoint);
    const report = await target.worker.request<DeviceResidencyReport>({ type: 'load', checkpointId });
    return residencyOf(target, report);
  }

  /**
   * Releases a checkpoint's UNet (and its text encoder / VAE when no other loaded UNet uses them)
   * on one device or on every device holding it, once its running jobs finish. Pinned ones refuse.
   */
  async unload(checkpointId: string, device?: string): Promise<void> {
    const checkpoint = findCheckpoint(this.pool, checkpointId);
    const targets = device !== undefined ? [findDevice(this.pool, device)] : this.pool.devices.filter((d) => d.residentUnets.has(checkpoint.components.unet.hash));
    await Promise.all(targets.map((d) => d.worker.request({ type: 'unload', checkpointId })));
  }

  async residency(): Promise<DeviceResidency[]> {
    return Promise.all(
      this.pool.devices.map(async (d) => {
        const report = d.worker.state === 'ready' ? await d.worker.request<DeviceResidencyReport>({ type: 'residency' }).catch(() => undefined) : undefined;
        return residencyOf(d, report);
      }),
    );
  }

  async stats(): Promise<PoolStats> {
    return poolStats(this.pool);
  }

  /** TESTING AID: only with `faultInjection: true` in the pool's config. */
  async injectFault(fault: InjectedFault, device?: string): Promise<void> {
    if (!this.pool.config.faultInjection) throw new PoolError('INVALID_INPUT', 'fault injection is off (start the pool with faultInjection: true, in tests only)');
    const target = device !== undefined ? findDevice(this.pool, device) : (this.pool.devices[0] as Device);
    if (fault.type === 'crash-worker' && fault.when === 'now') {
      target.worker.post({ type: 'request', requestId: 0, request: { type: 'fault', fault } });
      return;
    }
    await target.worker.request({ type: 'fault', fault });
  }

  /**
   * Stops accepting jobs and fails every queued and running one at once with SHUTTING_DOWN and this
   * message (a server's shutdown at the end of its grace period); returns how many. A running job's
   * worker lets its sequences go after the UNet call in progress: nothing native is interrupted.
   */
  cancelAll(message: string): number {
    const pool = this.pool;
    pool.closing = true;
    const jobs = [...pool.jobs.values()];
    for (const job of jobs) failJob(pool, job, new PoolError('SHUTTING_DOWN', message, { jobId: job.id }));
    return jobs.length;
  }

  /**
   * Stops accepting jobs, fails queued ones (SHUTTING_DOWN), lets running ones finish for up to
   * `timeoutMs` (default 30 s) and fails what is left, then lets every worker finish its current
   * call, release its sessions and end its thread. Calling it again returns the same promise.
   */
  close(options: { timeoutMs?: number } = {}): Promise<void> {
    this.closed ??= this.closeOnce(options.timeoutMs ?? 30_000);
    return this.closed;
  }

  private async closeOnce(timeoutMs: number): Promise<void> {
    const pool = this.pool;
    pool.closing = true;
    const shutdown = (): PoolError => new PoolError('SHUTTING_DOWN', 'the pool is shutting down');
    for (const job of [...pool.jobs.values()]) if (job.state === 'queued') failJob(pool, job, shutdown());
    const running = [...pool.jobs.values()].map((j) => j.done);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(running), new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
    for (const job of [...pool.jobs.values()]) failJob(pool, job, shutdown());
    await Promise.all(pool.devices.map((d) => d.worker.shutdown()));
  }
}

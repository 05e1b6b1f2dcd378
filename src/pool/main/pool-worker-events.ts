/**
 * A device's worker seen from the main thread: starting it, and what its messages and its
 * lifecycle do to the pool (ticks of progress, images, ended jobs, residency changes, a crash, a
 * device given up after too many restarts).
 */
import { DeviceWorker } from './device-worker';
import { FairQueue } from './fair-queue';
import type { NormalizedDevice } from './pool-config';
import { brokenReason } from '../protocol/checkpoint-availability';
import { markUnavailable } from './pool-state';
import { PoolError, fromWireError } from '../protocol/pool-errors';
import { placeJob, pump } from './pool-placement';
import { afterProgress, failJob, reportProgress, succeedJob, workerError } from './pool-settlement';
import type { Device, PoolJob, PoolState } from './pool-state';
import type { CheckpointSpec, FromWorker, WorkerInit } from '../protocol/protocol';

/** Before any UNet call was measured. */
const DEFAULT_MS_PER_ROW_STEP = 50;

/** Adds the device to the pool and starts its worker (which loads the pinned checkpoints). */
export async function startDevice(pool: PoolState, config: NormalizedDevice, checkpoints: readonly CheckpointSpec[]): Promise<void> {
  const init: WorkerInit = {
    deviceName: config.name,
    runtime: {
      device: config.device,
      ...(config.intraOpThreads !== undefined ? { intraOpThreads: config.intraOpThreads } : {}),
      ...(config.interOpThreads !== undefined ? { interOpThreads: config.interOpThreads } : {}),
      ...(config.graphOptimization !== undefined ? { graphOptimization: config.graphOptimization } : {}),
      ...(config.optimizedModelCache !== undefined ? { optimizedModelCache: config.optimizedModelCache } : {}),
    },
    memoryBudgetBytes: config.memoryBudgetBytes,
    residentCost: config.residentCost,
    maxDecodeBatch: config.maxDecodeBatch,
    vaeTileAbovePixels: config.vaeTileAbovePixels,
    maxEncodePrompts: config.maxEncodePrompts,
    batching: config.batching,
    batchWindowMs: config.batchWindowMs,
    embeddingCacheSize: pool.config.embeddingCacheSize,
    checkpoints,
    faultInjection: pool.config.faultInjection,
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
  (device as { worker: DeviceWorker }).worker = new DeviceWorker(config.name, init, pool.config.maxRestartAttempts, {
    onMessage: (message) => onWorkerMessage(pool, device, message),
    onCrash: (exitCode, error) => onWorkerCrash(pool, device, exitCode, error),
    onReady: (residentUnets, restarts) => {
      device.residentUnets = new Set(residentUnets);
      pool.emit({ type: 'worker-ready', device: config.name, restarts });
      pump(pool);
    },
    onGivenUp: (error) => onDeviceGivenUp(pool, device, error),
  });
  pool.devices.push(device);
  await device.worker.start();
}

function onWorkerMessage(pool: PoolState, device: Device, message: FromWorker): void {
  switch (message.type) {
    case 'tick': {
      if (message.rows > 0) device.msPerRowStep = device.msPerRowStep * 0.8 + (message.durationMs / message.rows) * 0.2;
      for (const entry of message.progress) reportProgress(pool, entry);
      const { checkpointId, rows, sequences, startedAt, durationMs, jobs } = message;
      pool.emit({ type: 'unet-call', device: device.config.name, checkpointId, rows, sequences, startedAt, durationMs, jobs });
      return;
    }
    case 'image': {
      const job = pool.jobs.get(message.jobId);
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
      const live = pool.jobs.get(message.jobId);
      if (live) {
        const { outcome } = message;
        if (outcome.kind === 'done') afterProgress(live, () => succeedJob(pool, live, device, outcome.timings));
        else if (outcome.kind === 'failed') failJob(pool, live, workerError(live, device, outcome.error));
        else failJob(pool, live, new PoolError('CANCELLED', `job ${live.id} was cancelled`, { jobId: live.id }));
      }
      pump(pool);
      return;
    }
    case 'checkpoint-unavailable':
      markUnavailable(pool, message.checkpointId, brokenReason(fromWireError(message.error)));
      return;
    case 'component': {
      device.residentUnets = new Set(message.residentUnets);
      const { type, ...rest } = message.event;
      pool.emit({ ...rest, type: `component-${type}`, device: device.config.name });
      if (type === 'evicted' || type === 'unloaded' || type === 'loaded') pump(pool);
      return;
    }
    default:
      return;
  }
}

function onWorkerCrash(pool: PoolState, device: Device, exitCode: number, error: Error | undefined): void {
  const jobs = [...device.running.values()];
  device.running.clear();
  device.inFlightRows = 0;
  device.residentUnets = new Set();
  let failed = 0;
  for (const job of jobs) {
    if (job.state === 'settled') continue;
    failed++;
    failJob(
      pool,
      job,
      new PoolError(
        'WORKER_CRASHED',
        `the worker of device ${device.config.name} stopped (exit code ${exitCode}${error ? `: ${error.message}` : ''}) while running job ${job.id} ` +
          `on checkpoint "${job.checkpoint.id}"; the worker is restarting and the job was not retried`,
        { jobId: job.id, checkpointId: job.checkpoint.id, device: device.config.name, cause: error },
      ),
    );
  }
  pool.emit({ type: 'worker-exited', device: device.config.name, exitCode, failedJobs: failed, ...(error ? { error: error.message } : {}) });
}

function onDeviceGivenUp(pool: PoolState, device: Device, error: Error): void {
  pool.emit({ type: 'worker-given-up', device: device.config.name, error: error.message });
  // Its queue moves to devices still in service, or fails.
  for (const job of [...device.queue.items()]) {
    device.queue.remove(job);
    const other = placeJob(pool, job, true);
    if (other) {
      job.device = other;
      other.queue.push(job);
    } else {
      failJob(pool, job, new PoolError('WORKER_CRASHED', `device ${device.config.name} is out of service: ${error.message}`, { jobId: job.id, device: device.config.name }));
    }
  }
  pump(pool);
}

/**
 * Where jobs run: the device chosen for a job (its UNet resident first, then the least backlog),
 * whether a worker has room for a job's rows, and the pump that hands queued jobs to workers (an
 * idle worker takes work queued on a busy or restarting device).
 */
import { maxBatchRows } from './pool-config';
import { PoolError } from '../protocol/pool-errors';
import type { Device, Plan, PoolJob, PoolState } from './pool-state';
import type { CheckpointSpec } from '../protocol/protocol';

/**
 * The device for a job: among devices in service whose queue has room (or that would start it
 * right away), those holding its UNet first, then the least backlog.
 */
export function placeJob(pool: PoolState, job: PoolJob, ignoreLimits: boolean, plan: Plan = new Map()): Device | undefined {
  let best: Device | undefined;
  let bestScore = Infinity;
  for (const d of pool.devices) {
    if (d.worker.state === 'failed' || d.worker.state === 'closed') continue;
    const queued = d.queue.size + (plan.get(d)?.queued ?? 0);
    if (!ignoreLimits && queued >= pool.config.maxQueuedPerDevice && !dispatchableNow(d, job, plan)) continue;
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
export function dispatchableNow(device: Device, job: PoolJob, plan: Plan): boolean {
  const planned = plan.get(device);
  return device.worker.state === 'ready' && device.queue.size + (planned?.queued ?? 0) === 0 && hasRoom(device, job, planned?.rows ?? 0);
}

function hasRoom(device: Device, job: PoolJob, plannedRows = 0): boolean {
  const rows = device.inFlightRows + plannedRows;
  if (rows === 0) return true;
  const limit = device.config.maxInFlightRows ?? 2 * maxBatchRows(device.config, job.latentPixels);
  return rows + job.rows <= limit;
}

/** Hands queued jobs to workers with room; an idle worker takes work queued on a busy device. */
export function pump(pool: PoolState): void {
  for (const device of pool.devices) {
    if (device.worker.state !== 'ready') continue;
    for (;;) {
      const source = device.queue.size > 0 ? device : stealSource(pool, device);
      const job = source?.queue.peek();
      if (!source || !job || !hasRoom(device, job)) break;
      source.queue.shift();
      dispatch(device, job);
    }
  }
}

/** A device whose queued head cannot start there now (busy or restarting), with the longest queue. */
function stealSource(pool: PoolState, thief: Device): Device | undefined {
  let best: Device | undefined;
  for (const d of pool.devices) {
    if (d === thief || d.queue.size === 0) continue;
    const head = d.queue.peek() as PoolJob;
    if (d.worker.state === 'ready' && hasRoom(d, head)) continue;
    if (!best || d.queue.size > best.queue.size) best = d;
  }
  return best;
}

function dispatch(device: Device, job: PoolJob): void {
  job.state = 'running';
  job.device = device;
  job.dispatchedAt = performance.now();
  device.running.set(job.id, job);
  device.inFlightRows += job.rows;
  device.worker.submit({
    jobId: job.id,
    checkpointId: job.checkpoint.id,
    request: job.request,
    previewIntervalSteps: job.previewIntervalSteps,
    maxBatchRows: maxBatchRows(device.config, job.latentPixels),
  });
}

/** Where `load` puts a checkpoint by default: a ready device holding it, else the one holding fewest UNets. */
export function loadTarget(pool: PoolState, checkpoint: CheckpointSpec): Device {
  const usable = pool.devices.filter((d) => d.worker.state === 'ready');
  const resident = usable.find((d) => d.residentUnets.has(checkpoint.components.unet.hash));
  if (resident) return resident;
  const least = usable.sort((a, b) => a.residentUnets.size - b.residentUnets.size)[0];
  if (!least) throw new PoolError('WORKER_CRASHED', 'no device is ready');
  return least;
}

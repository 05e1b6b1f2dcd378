/**
 * Admission of a submission's jobs, all or none: each is placed on a device (counting the ones of
 * the same submission already placed), or the whole submission is refused with QUEUE_FULL and an
 * estimate of when to retry.
 */
import { denoisingSteps } from '../../engine/pipeline/image-to-image';
import { PoolError } from '../protocol/pool-errors';
import { dispatchableNow, placeJob, pump } from './pool-placement';
import type { Device, Plan, PoolJob, PoolState } from './pool-state';

/** Places and queues the jobs, all or none; throws QUEUE_FULL when they do not fit. */
export function admitJobs(pool: PoolState, jobs: PoolJob[]): void {
  const plan: Plan = new Map();
  let queuedTotal = pool.devices.reduce((n, d) => n + d.queue.size, 0);
  for (const job of jobs) {
    const device = placeJob(pool, job, false, plan);
    const dispatchable = device !== undefined && dispatchableNow(device, job, plan);
    if (!device || (!dispatchable && queuedTotal >= pool.config.maxQueuedTotal)) {
      pool.totals.rejected += jobs.length;
      const retryAfterMs = estimateRetryAfterMs(pool);
      const which = device
        ? `the pool's queue is full (${queuedTotal} of ${pool.config.maxQueuedTotal} jobs waiting)`
        : `every device's queue is full (${pool.config.maxQueuedPerDevice} jobs each)`;
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
    pool.totals.submitted++;
    pool.jobs.set(job.id, job);
    (job.device as Device).queue.push(job);
  }
  pump(pool);
}

/** The longest wait a client is told to take: past it, the estimate says less than "much later". */
const MAX_RETRY_AFTER_MS = 300_000;

/**
 * About when the work ahead will have drained: every queued row-step and every running one still
 * to do, at each device's measured speed, the devices working in parallel. (The soonest running
 * job's end said "1 s" with 25 s of work queued: retrying then meets the same full queue.)
 */
export function estimateRetryAfterMs(pool: Pick<PoolState, 'devices'>): number {
  let workMs = 0;
  let devices = 0;
  for (const d of pool.devices) {
    if (d.worker.state === 'failed' || d.worker.state === 'closed') continue;
    devices++;
    let rowSteps = 0;
    for (const job of d.queue.items()) rowSteps += job.rows * denoisingSteps(job.request);
    for (const job of d.running.values()) if (job.state !== 'settled') rowSteps += remainingRowSteps(job);
    workMs += rowSteps * d.msPerRowStep;
  }
  if (devices === 0) return 1000;
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(50, Math.ceil(workMs / devices)));
}

/** Rows are spread evenly over a job's images (guidance doubles each); each image counts its own steps. */
function remainingRowSteps(job: PoolJob): number {
  const rowsPerImage = job.rows / Math.max(1, job.request.numImages);
  let steps = 0;
  const total = denoisingSteps(job.request);
  for (let i = 0; i < job.request.numImages; i++) steps += total - Math.min(total, job.stepsDone[i] ?? 0);
  return steps * rowsPerImage;
}

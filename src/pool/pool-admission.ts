/**
 * Admission of a submission's jobs, all or none: each is placed on a device (counting the ones of
 * the same submission already placed), or the whole submission is refused with QUEUE_FULL and an
 * estimate of when to retry.
 */
import { PoolError } from './pool-errors';
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

/** About when a queue slot frees: the running job closest to done, at the measured speed. */
function estimateRetryAfterMs(pool: PoolState): number {
  let best = Infinity;
  for (const d of pool.devices) {
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

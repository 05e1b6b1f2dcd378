/**
 * A job's life after admission, seen by its caller: the handle (result, progress streams, cancel),
 * its deadline and AbortSignal, progress events, and settlement, exactly once, as a result or a
 * PoolError.
 */
import { PoolError, fromWireError, poolCodeOf, type WireError } from '../protocol/pool-errors';
import type { Device, PoolJob, PoolState } from './pool-state';
import type { JobHandle, JobOptions, JobResult, ProgressEvent } from './pool-types';
import { encodePreview } from './preview-encoding';
import { ProgressStream } from './progress-stream';
import type { ProgressEntry, WorkerTimings } from '../protocol/protocol';

/** Cancels a queued or running job (CANCELLED); false when it is unknown or already settled. */
export function cancelJob(pool: PoolState, jobId: string): boolean {
  const job = pool.jobs.get(jobId);
  if (!job) return false;
  failJob(pool, job, new PoolError('CANCELLED', `job ${jobId} was cancelled`, { jobId }));
  return true;
}

/** The caller's handle of an admitted job; arms its deadline and AbortSignal. */
export function attachJob(pool: PoolState, job: PoolJob, options: JobOptions): JobHandle {
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
      failJob(pool, job, new PoolError('DEADLINE_EXCEEDED', `job ${job.id} did not finish within its deadline of ${deadlineMs} ms`, { jobId: job.id }));
    }, deadlineMs);
    timer.unref();
    job.cleanup.push(() => clearTimeout(timer));
  }
  const signal = options.signal;
  if (signal) {
    const abort = (): void => {
      failJob(pool, job, new PoolError('CANCELLED', `job ${job.id} was cancelled by its AbortSignal`, { jobId: job.id, cause: signal.reason }));
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
    cancel: () => cancelJob(pool, job.id),
  };
}

/** One image's step, from a worker's tick, to the job's listener and streams (with the job's step: see ProgressEvent.jobStep). */
export function reportProgress(pool: PoolState, entry: ProgressEntry): void {
  const job = pool.jobs.get(entry.jobId);
  if (!job) return;
  job.stepsDone[entry.imageIndex] = entry.step;
  let jobStep = entry.step;
  for (const step of job.stepsDone) jobStep = Math.min(jobStep, step);
  const now = performance.now();
  const since = now - (job.dispatchedAt ?? job.submittedAt);
  const event: ProgressEvent = {
    jobId: job.id,
    checkpointId: job.checkpoint.id,
    imageIndex: entry.imageIndex,
    step: entry.step,
    jobStep,
    totalSteps: entry.totalSteps,
    elapsedMs: Math.round(now - job.submittedAt),
    etaMs: Math.round((since / entry.step) * (entry.totalSteps - entry.step)),
  };
  if (job.previewIntervalSteps === null) {
    emitProgress(job, event);
    return;
  }
  // Encoding starts now (off the event loop, in sharp's threads); events keep their order, and
  // one whose job has meanwhile failed or been cancelled is dropped, as a settled job's would be.
  const raw = entry.preview;
  const encoding = raw ? encodePreview(raw).catch(() => undefined) : undefined;
  job.progressChain = (job.progressChain ?? Promise.resolve()).then(async () => {
    const preview = await encoding;
    if (job.state !== 'settled') emitProgress(job, preview ? { ...event, preview } : event);
  });
}

/** After the events already reported: the job's success waits for its last previews, so none arrives after the result. */
export function afterProgress(job: PoolJob, then: () => void): void {
  if (job.progressChain === null) then();
  else void job.progressChain.then(then);
}

function emitProgress(job: PoolJob, event: ProgressEvent): void {
  try {
    job.onProgress?.(event);
  } catch {
    // A listener's bug must not break the pool.
  }
  for (const stream of job.streams) stream.push(event);
}

export function succeedJob(pool: PoolState, job: PoolJob, device: Device, timings: WorkerTimings): void {
  if (!settle(pool, job)) return;
  pool.totals.succeeded++;
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

export function failJob(pool: PoolState, job: PoolJob, error: PoolError): void {
  const wasQueued = job.state === 'queued';
  const wasRunning = job.state === 'running';
  if (!settle(pool, job)) return;
  if (error.code === 'CANCELLED') pool.totals.cancelled++;
  else if (error.code === 'DEADLINE_EXCEEDED') pool.totals.deadlineExceeded++;
  else pool.totals.failed++;
  const device = job.device;
  if (wasQueued) device?.queue.remove(job);
  // The worker frees the rows at its next tick and confirms with job-ended.
  if (wasRunning && device?.running.has(job.id)) device.worker.post({ type: 'cancel', jobId: job.id });
  job.reject(error.jobId === job.id && error.checkpointId !== undefined ? error : error.withJob(job.id, job.checkpoint.id));
}

/** A job's failure reported by its worker, as a PoolError naming the checkpoint and device. */
export function workerError(job: PoolJob, device: Device, wire: WireError): PoolError {
  const code = poolCodeOf(wire);
  const where = `checkpoint "${job.checkpoint.id}" on ${device.config.name}`;
  return new PoolError(code, code === 'MODEL_FAILED' || code === 'INTERNAL' ? `${where}: ${wire.message}` : wire.message, {
    jobId: job.id,
    checkpointId: job.checkpoint.id,
    device: device.config.name,
    cause: fromWireError(wire),
  });
}

/** Marks a job settled once; false when it already was. */
function settle(pool: PoolState, job: PoolJob): boolean {
  if (job.state === 'settled') return false;
  job.state = 'settled';
  pool.jobs.delete(job.id);
  for (const cleanup of job.cleanup) cleanup();
  job.cleanup = [];
  for (const stream of job.streams) stream.end();
  job.streams.clear();
  return true;
}

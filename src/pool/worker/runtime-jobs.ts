/**
 * A device worker's jobs: a submitted job waits for its checkpoint to be resident, is admitted
 * (holds its components, queues its prompts for encoding), and ends exactly once (done, failed or
 * released after a cancel), leaving every queue and releasing its components.
 */
import { readSignature, type ModelSignature } from '../../engine/model/component-signatures';
import { readModelDirectory, type ModelDirectory } from '../../engine/model/model-directory';
import { loadError } from '../protocol/checkpoint-availability';
import { PoolError, toWireError } from '../protocol/pool-errors';
import type { JobOutcome, WorkerJobSpec } from '../protocol/protocol';
import type { CheckpointRuntime, JobRuntime, RuntimeState } from './runtime-state';

export function submitJob(runtime: RuntimeState, spec: WorkerJobSpec): void {
  const checkpoint = runtime.checkpoints.get(spec.checkpointId);
  if (!checkpoint) {
    const error = new PoolError('UNKNOWN_CHECKPOINT', `no checkpoint "${spec.checkpointId}" on ${runtime.init.deviceName}`);
    runtime.post({ type: 'job-ended', jobId: spec.jobId, outcome: { kind: 'failed', error: toWireError(error) } });
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
  runtime.jobs.set(spec.jobId, job);
  if (runtime.store.isResident(spec.checkpointId)) {
    admitJob(runtime, job);
    return;
  }
  const list = runtime.waiting.get(spec.checkpointId) ?? [];
  list.push(job);
  runtime.waiting.set(spec.checkpointId, list);
  runtime.store.ensure(spec.checkpointId).catch((error: unknown) => failWaiting(runtime, spec.checkpointId, loadError(spec.checkpointId, error)));
}

export function admitWaiting(runtime: RuntimeState, checkpointId: string): void {
  const list = runtime.waiting.get(checkpointId);
  runtime.waiting.delete(checkpointId);
  for (const job of list ?? []) if (job.state === 'waiting') admitJob(runtime, job);
}

function failWaiting(runtime: RuntimeState, checkpointId: string, error: unknown): void {
  const list = runtime.waiting.get(checkpointId);
  runtime.waiting.delete(checkpointId);
  for (const job of list ?? []) endJob(runtime, job, { kind: 'failed', error: toWireError(error) });
}

/** The checkpoint is resident: hold its components and queue the job's prompts. */
function admitJob(runtime: RuntimeState, job: JobRuntime): void {
  try {
    job.model = modelOf(runtime, job.checkpoint);
  } catch (error) {
    endJob(runtime, job, { kind: 'failed', error: toWireError(loadError(job.spec.checkpointId, error)) });
    return;
  }
  runtime.store.acquire(job.spec.checkpointId);
  job.holds = true;
  job.state = 'encoding';
  job.admittedAt = performance.now();
  runtime.encodeQueue.push(job);
  runtime.wake();
}

function modelOf(runtime: RuntimeState, checkpoint: CheckpointRuntime): { directory: ModelDirectory; signature: ModelSignature } {
  const id = checkpoint.spec.id;
  checkpoint.directory ??= readModelDirectory(checkpoint.spec.dir);
  checkpoint.signature ??= readSignature(checkpoint.spec.dir, {
    textEncoder: runtime.store.session(id, 'text_encoder'),
    unet: runtime.store.session(id, 'unet'),
    vaeDecoder: runtime.store.session(id, 'vae_decoder'),
  });
  return { directory: checkpoint.directory, signature: checkpoint.signature };
}

export function cancelJob(runtime: RuntimeState, jobId: string): void {
  const job = runtime.jobs.get(jobId);
  if (!job) return;
  const stepsDone = job.sequences.reduce((n, s) => Math.max(n, s.seq.stepIndex), 0);
  endJob(runtime, job, { kind: 'released', stepsDone });
}

/** Ends a job once: its sequences leave every queue and its components are released. */
export function endJob(runtime: RuntimeState, job: JobRuntime, outcome: JobOutcome): void {
  if (job.state === 'ended') return;
  const wasWaiting = job.state === 'waiting';
  job.state = 'ended';
  runtime.jobs.delete(job.spec.jobId);
  if (wasWaiting) {
    const list = runtime.waiting.get(job.spec.checkpointId);
    if (list) runtime.waiting.set(job.spec.checkpointId, list.filter((j) => j !== job));
  }
  runtime.encodeQueue = runtime.encodeQueue.filter((j) => j !== job);
  runtime.ready = runtime.ready.filter((j) => j !== job);
  runtime.batch.delete(job);
  runtime.batchDenoised = runtime.batchDenoised.filter((s) => s.job !== job);
  for (const s of job.sequences) runtime.active.delete(s);
  runtime.decodeQueue = runtime.decodeQueue.filter((s) => s.job !== job);
  if (job.holds) {
    job.holds = false;
    runtime.store.release(job.spec.checkpointId);
  }
  runtime.post({ type: 'job-ended', jobId: job.spec.jobId, outcome });
}

export function failJobs(runtime: RuntimeState, jobs: Iterable<JobRuntime>, error: unknown): void {
  const wire = toWireError(error);
  for (const job of jobs) endJob(runtime, job, { kind: 'failed', error: wire });
}

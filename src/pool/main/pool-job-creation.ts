/**
 * A job as submitted: the checks that refuse it at once (shutting down, unknown checkpoint,
 * priority, deadline) and its bookkeeping record, not yet placed. The request itself is not checked
 * again: its type, ValidGenerationRequest, is made only by parseGenerationRequest.
 */
import { randomUUID } from 'node:crypto';
import { InvalidInputError } from '../../engine/errors';
import { unetRowsPerImage } from '../../engine/pipeline/classifier-free-guidance';
import type { ValidGenerationRequest } from '../../engine/pipeline/generation-request';
import { PRIORITIES } from './fair-queue';
import { PoolError } from '../protocol/pool-errors';
import { findCheckpoint, type PoolJob, type PoolState } from './pool-state';
import type { JobOptions } from './pool-types';

const DEFAULT_CLIENT = 'anonymous';

export function createJob(pool: PoolState, checkpointId: string, request: ValidGenerationRequest, options: JobOptions): PoolJob {
  if (pool.closing) throw new PoolError('SHUTTING_DOWN', 'the pool is shutting down and accepts no new jobs');
  const checkpoint = findCheckpoint(pool, checkpointId);
  const priority = options.priority ?? 'normal';
  if (!PRIORITIES.includes(priority)) throw new PoolError('INVALID_INPUT', `priority: must be one of ${PRIORITIES.join(', ')}, got ${JSON.stringify(priority)}`);
  if (options.deadlineMs !== undefined && !(options.deadlineMs > 0)) throw new PoolError('INVALID_INPUT', `deadlineMs: must be a positive number, got ${options.deadlineMs}`);
  if (request.initImage !== undefined && checkpoint.imageToImageProblem !== null) {
    const cause = new InvalidInputError('initImage', `checkpoint "${checkpointId}" cannot do image to image: ${checkpoint.imageToImageProblem}`);
    throw new PoolError('INVALID_INPUT', cause.message, { checkpointId, cause });
  }
  const job: PoolJob = {
    id: `job-${randomUUID()}`,
    checkpoint,
    request,
    clientId: options.clientId ?? DEFAULT_CLIENT,
    priority,
    previewIntervalSteps: previewIntervalOf(options),
    progressChain: null,
    rows: request.numImages * unetRowsPerImage(request),
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

/** `preview: { intervalSteps }`, checked: an integer >= 1; null when absent. */
function previewIntervalOf(options: JobOptions): number | null {
  const preview: unknown = options.preview;
  if (preview === undefined) return null;
  const interval: unknown = typeof preview === 'object' && preview !== null ? (preview as { intervalSteps?: unknown }).intervalSteps : undefined;
  if (typeof interval !== 'number' || !Number.isInteger(interval) || interval < 1) {
    throw new PoolError('INVALID_INPUT', `preview.intervalSteps: must be an integer >= 1, got ${JSON.stringify(interval) ?? String(interval)}`);
  }
  return interval;
}

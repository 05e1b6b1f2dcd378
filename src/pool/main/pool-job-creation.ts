/**
 * A job as submitted: the checks that refuse it at once (shutting down, unknown checkpoint, a
 * malformed request, priority, deadline) and its bookkeeping record, not yet placed.
 */
import { randomUUID } from 'node:crypto';
import { InvalidInputError } from '../../engine/errors';
import type { GenerationRequest } from '../../engine/pipeline/generation-request';
import { NOISE_MODES } from '../../engine/noise';
import { SCHEDULER_NAMES } from '../../engine/schedulers';
import { PRIORITIES } from './fair-queue';
import { PoolError } from '../protocol/pool-errors';
import { findCheckpoint, type PoolJob, type PoolState } from './pool-state';
import type { JobOptions } from './pool-types';

const DEFAULT_CLIENT = 'anonymous';

export function createJob(pool: PoolState, checkpointId: string, request: GenerationRequest, options: JobOptions): PoolJob {
  if (pool.closing) throw new PoolError('SHUTTING_DOWN', 'the pool is shutting down and accepts no new jobs');
  const checkpoint = findCheckpoint(pool, checkpointId);
  checkRequest(request);
  const priority = options.priority ?? 'normal';
  if (!PRIORITIES.includes(priority)) throw new PoolError('INVALID_INPUT', `priority: must be one of ${PRIORITIES.join(', ')}, got ${JSON.stringify(priority)}`);
  if (options.deadlineMs !== undefined && !(options.deadlineMs > 0)) throw new PoolError('INVALID_INPUT', `deadlineMs: must be a positive number, got ${options.deadlineMs}`);
  const job: PoolJob = {
    id: `job-${randomUUID()}`,
    checkpoint,
    request,
    clientId: options.clientId ?? DEFAULT_CLIENT,
    priority,
    preview: options.preview === true,
    rows: request.numImages * (request.guidanceScale > 1 ? 2 : 1),
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

/** Structural checks of a parsed request (parseGenerationRequest did the full validation). */
function checkRequest(request: GenerationRequest): void {
  const fail = (field: string, rule: string): never => {
    throw new PoolError('INVALID_INPUT', `${field}: ${rule}`, { cause: new InvalidInputError(field, rule) });
  };
  if (request === null || typeof request !== 'object') fail('request', 'must be a parsed GenerationRequest');
  if (typeof request.prompt !== 'string') fail('prompt', 'must be a string');
  if (typeof request.negativePrompt !== 'string') fail('negativePrompt', 'must be a string');
  for (const field of ['width', 'height'] as const) {
    const v = request[field];
    if (!Number.isInteger(v) || v < 8 || v % 8 !== 0) fail(field, `must be a positive multiple of 8, got ${String(v)}`);
  }
  if (!Number.isInteger(request.steps) || request.steps < 1) fail('steps', `must be a positive integer, got ${String(request.steps)}`);
  if (!Number.isInteger(request.numImages) || request.numImages < 1) fail('numImages', `must be a positive integer, got ${String(request.numImages)}`);
  if (typeof request.guidanceScale !== 'number' || !Number.isFinite(request.guidanceScale)) fail('guidanceScale', 'must be a finite number');
  if (typeof request.seed !== 'bigint') fail('seed', 'must be a bigint (use parseGenerationRequest)');
  if (!SCHEDULER_NAMES.includes(request.scheduler)) fail('scheduler', `must be one of ${SCHEDULER_NAMES.join(', ')}`);
  if (!NOISE_MODES.includes(request.noiseMode)) fail('noiseMode', `must be one of ${NOISE_MODES.join(', ')}`);
}

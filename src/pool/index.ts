/**
 * The inference pool: one worker thread per device running step-level continuous batching (or, per
 * device, request-level or sequential batching), with content-addressed components, residency under
 * a memory budget, fair admission and progress.
 * Plain TypeScript (no NestJS): the API's Nest module wraps it.
 */
export { InferencePool } from './inference-pool';
export { WORKER_SHUTDOWN_GRACE_MS } from './device-worker';
export { PoolError, POOL_ERROR_CODES } from './pool-errors';
export type { PoolErrorCode } from './pool-errors';
export type { BatchingPolicy, CheckpointConfig, DeviceConfig, InferencePoolConfig, MaxBatch } from './pool-config';
export { BATCHING_POLICIES } from './pool-config';
export type {
  CheckpointDescriptor,
  ComparisonCell,
  ComparisonHandle,
  ComparisonOptions,
  ComponentResidency,
  DeviceResidency,
  DeviceState,
  DeviceStats,
  JobHandle,
  JobOptions,
  JobResult,
  JobTimings,
  PoolEvent,
  PoolImage,
  PoolStats,
  PreviewImage,
  Priority,
  ProgressEvent,
  SubmitOptions,
  WorkerCounters,
} from './pool-types';
export type { InjectedFault } from './protocol';
export { latentPreview, SD1_LATENT_RGB } from './latent-preview';

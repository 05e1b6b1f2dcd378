/**
 * The inference pool: one worker thread per device running step-level continuous batching (or, per
 * device, request-level or sequential batching), with content-addressed components, residency under
 * a memory budget, fair admission and progress.
 * Plain TypeScript (no NestJS): the API's Nest module wraps it.
 */
export { InferencePool } from './main/inference-pool';
export { WORKER_SHUTDOWN_GRACE_MS } from './main/device-worker';
export { PoolError, POOL_ERROR_CODES } from './protocol/pool-errors';
export type { PoolErrorCode } from './protocol/pool-errors';
export type { BatchingPolicy, CheckpointConfig, DeviceConfig, InferencePoolConfig, MaxBatch } from './main/pool-config';
export { BATCHING_POLICIES } from './main/pool-config';
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
  JobShare,
  JobTimings,
  PoolEvent,
  PoolImage,
  PoolStats,
  PreviewImage,
  PreviewOptions,
  EncodedPreview,
  Priority,
  ProgressEvent,
  SubmitOptions,
  WorkerCounters,
} from './main/pool-types';
export type { InjectedFault } from './protocol/protocol';
export { latentPreview, SD1_LATENT_RGB } from './protocol/latent-preview';

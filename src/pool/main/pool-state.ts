/**
 * The main thread's bookkeeping, shared by the pool's modules: a job from submit to settlement, a
 * device with its queue and in-flight work, and the pool-wide state they live in.
 */
import type { ValidGenerationRequest } from '../../engine/pipeline/generation-request';
import type { DeviceWorker } from './device-worker';
import type { FairQueue, Priority } from './fair-queue';
import type { NormalizedConfig, NormalizedDevice } from './pool-config';
import { unavailableError } from '../protocol/checkpoint-availability';
import { PoolError } from '../protocol/pool-errors';
import type { JobResult, PoolEvent, PoolImage, PoolStats, ProgressEvent } from './pool-types';
import type { ProgressStream } from './progress-stream';
import type { CheckpointSpec } from '../protocol/protocol';

export interface PoolJob {
  readonly id: string;
  readonly checkpoint: CheckpointSpec;
  readonly request: ValidGenerationRequest;
  readonly clientId: string;
  readonly priority: Priority;
  /** Preview every this many steps; null: no previews. */
  readonly previewIntervalSteps: number | null;
  /** Progress events wait here, in order, while a preview before them is encoded. */
  progressChain: Promise<void> | null;
  /** UNet rows of all its images: numImages, doubled with guidance. */
  readonly rows: number;
  readonly latentPixels: number;
  readonly submittedAt: number;
  readonly onProgress?: (event: ProgressEvent) => void;
  readonly streams: Set<ProgressStream<ProgressEvent>>;
  readonly images: PoolImage[];
  /** Steps finished per image (for estimates). */
  readonly stepsDone: number[];
  state: 'queued' | 'running' | 'settled';
  /** The device whose queue holds it, then the device running it. */
  device?: Device;
  dispatchedAt?: number;
  cleanup: (() => void)[];
  /** Settles with the job, never rejects. */
  done: Promise<void>;
  resolve(result: JobResult): void;
  reject(error: PoolError): void;
}

export interface Device {
  readonly config: NormalizedDevice;
  readonly worker: DeviceWorker;
  readonly queue: FairQueue<PoolJob>;
  /** Jobs the worker holds, settled or not, until it reports them ended. */
  readonly running: Map<string, PoolJob>;
  inFlightRows: number;
  residentUnets: Set<string>;
  msPerRowStep: number;
}

/** Admission's what-if: jobs of one submission already placed, per device. */
export type Plan = Map<Device, { queued: number; rows: number }>;

/** Counts since start (PoolStats.totals). */
export type PoolTotals = { -readonly [K in keyof PoolStats['totals']]: number };

export interface PoolState {
  readonly config: NormalizedConfig;
  readonly devices: Device[];
  /** Registered checkpoints in configuration order; those broken at registration are not here but in `unavailable`. */
  readonly checkpointsById: Map<string, CheckpointSpec>;
  /** Configured ids in configuration order. */
  readonly checkpointIds: readonly string[];
  /** Broken checkpoints and why (see checkpoint-availability.ts). */
  readonly unavailable: Map<string, string>;
  /** Jobs not settled yet. */
  readonly jobs: Map<string, PoolJob>;
  readonly totals: PoolTotals;
  closing: boolean;
  /** Calls the pool's onEvent; a listener's bug must not break the pool. */
  emit(event: PoolEvent): void;
}

/** The checkpoint with this id; UNKNOWN_CHECKPOINT names the known ones, CHECKPOINT_UNAVAILABLE says why a broken one is not served. */
export function findCheckpoint(pool: PoolState, id: string): CheckpointSpec {
  const reason = pool.unavailable.get(id);
  if (reason !== undefined) throw unavailableError(id, reason);
  const checkpoint = pool.checkpointsById.get(id);
  if (!checkpoint) {
    throw new PoolError('UNKNOWN_CHECKPOINT', `no checkpoint "${id}"; known: ${pool.checkpointIds.join(', ')}`, { checkpointId: id });
  }
  return checkpoint;
}

/** The device with this name; INVALID_INPUT names the devices. */
export function findDevice(pool: PoolState, name: string): Device {
  const device = pool.devices.find((d) => d.config.name === name);
  if (!device) throw new PoolError('INVALID_INPUT', `no device "${name}"; devices: ${pool.devices.map((d) => d.config.name).join(', ')}`);
  return device;
}

/** Marks a checkpoint unavailable once (the first reason stays) and tells the pool's listeners. */
export function markUnavailable(pool: PoolState, checkpointId: string, reason: string): void {
  if (pool.unavailable.has(checkpointId)) return;
  pool.unavailable.set(checkpointId, reason);
  pool.emit({ type: 'checkpoint-unavailable', checkpointId, error: reason });
}

/**
 * The pool's configuration, validated once at start: a bad setting fails `InferencePool.start`
 * with a PoolError (INVALID_INPUT) whose message names the setting (`devices[1].maxBatch: ...`).
 */
import { DEFAULT_TILE_ABOVE_PIXELS } from '../../engine/pipeline/vae-tiling';
import type { DeviceSpec, GraphOptimizationLevel } from '../../engine/runtime/onnx-runtime';
import { PoolError } from '../protocol/pool-errors';
import type { PoolEvent } from './pool-types';
import { BATCHING_POLICIES, RESIDENT_COSTS, type BatchingPolicy, type ResidentCost } from '../protocol/protocol';

export { BATCHING_POLICIES, RESIDENT_COSTS, type BatchingPolicy, type ResidentCost };

/** Rows per UNet call, fixed or by latent size (latent height × width, i.e. image pixels / 64). */
export type MaxBatch = number | ((latentPixels: number) => number);

export interface DeviceConfig {
  /** `cpu` (default) or `cuda:N`, passed to onnxruntime as the execution provider. */
  readonly device?: DeviceSpec;
  /** How the pool names this device in reports and errors; default the device spec (`cpu`, `cpu#2` when repeated). */
  readonly name?: string;
  /** Bytes of components (each charged its `residentCost`) this device may hold; default unlimited. */
  readonly memoryBudgetBytes?: number;
  /** What the budget charges a component (see ResidentCost); default `measured`. */
  readonly residentCost?: ResidentCost;
  /** Most rows (a guided image counts two) in one UNet call; default 8. */
  readonly maxBatch?: MaxBatch;
  /** Rows handed to the worker at once (running plus being encoded); default twice the job's maxBatch. */
  readonly maxInFlightRows?: number;
  /** Images per VAE decoder call; default 4 (and at most 512 × 512 pixels of images per call: larger images go one per call). */
  readonly maxDecodeBatch?: number;
  /**
   * Images with more pixels (width × height) than this are decoded in overlapping tiles (bounded
   * memory, pixels slightly different from the untiled decode); default 512 × 512; 0: every image
   * larger than one tile; Infinity: never. Only for VAE decoders with dynamic height and width.
   */
  readonly vaeTileAbovePixels?: number;
  /** Text-encoder rows per call (a prompt of k chunks is k rows); default 16. */
  readonly maxEncodePrompts?: number;
  /** Default `continuous`. */
  readonly batching?: BatchingPolicy;
  /** `request-level` only: how long the first job of a batch waits for others to join it; default 20. */
  readonly batchWindowMs?: number;
  readonly intraOpThreads?: number;
  readonly interOpThreads?: number;
  readonly graphOptimization?: GraphOptimizationLevel;
  /** Reuse optimised graphs (engine/model/optimized-model-cache.ts), written beside each component or under `fallbackDir`; default off. */
  readonly optimizedModelCache?: { readonly fallbackDir: string };
}

export interface CheckpointConfig {
  readonly id: string;
  /** A diffusers / optimum ONNX export directory. */
  readonly dir: string;
  /** Loaded on every device at start and never evicted. */
  readonly pinned?: boolean;
}

export interface InferencePoolConfig {
  /** Default: one `cpu` device. */
  readonly devices?: readonly DeviceConfig[];
  readonly checkpoints: readonly CheckpointConfig[];
  /** Jobs waiting (not yet handed to its worker) per device; default 64. */
  readonly maxQueuedPerDevice?: number;
  /** Jobs waiting over all devices; default 256. */
  readonly maxQueuedTotal?: number;
  /** Prompt embeddings a worker keeps for reuse; default 32. */
  readonly embeddingCacheSize?: number;
  /** Component loads and evictions, worker exits and restarts (for logs and metrics). */
  readonly onEvent?: (event: PoolEvent) => void;
  /**
   * TESTING AID, never for production: enables `pool.injectFault(...)` (crash a worker, make UNet
   * calls fail). Without it the pool refuses to inject faults.
   */
  readonly faultInjection?: boolean;
  /** Consecutive failed worker restarts before a device is given up; default 5. */
  readonly maxRestartAttempts?: number;
}

const DEFAULT_BATCH_WINDOW_MS = 20;

export interface NormalizedDevice {
  readonly name: string;
  readonly device: DeviceSpec;
  readonly memoryBudgetBytes: number;
  readonly residentCost: ResidentCost;
  readonly maxBatch: MaxBatch;
  readonly maxInFlightRows?: number;
  readonly maxDecodeBatch: number;
  readonly vaeTileAbovePixels: number;
  readonly maxEncodePrompts: number;
  readonly batching: BatchingPolicy;
  readonly batchWindowMs: number;
  readonly intraOpThreads?: number;
  readonly interOpThreads?: number;
  readonly graphOptimization?: GraphOptimizationLevel;
  readonly optimizedModelCache?: { readonly fallbackDir: string };
}

export interface NormalizedConfig {
  readonly devices: readonly NormalizedDevice[];
  readonly checkpoints: readonly Required<CheckpointConfig>[];
  readonly maxQueuedPerDevice: number;
  readonly maxQueuedTotal: number;
  readonly embeddingCacheSize: number;
  readonly faultInjection: boolean;
  readonly maxRestartAttempts: number;
}

export function normalizeConfig(config: InferencePoolConfig): NormalizedConfig {
  const fail = (setting: string, rule: string): never => {
    throw new PoolError('INVALID_INPUT', `${setting}: ${rule}`);
  };
  const count = (setting: string, value: unknown, fallback: number, min = 1): number => {
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min) fail(setting, `must be an integer of at least ${min}, got ${String(value)}`);
    return value as number;
  };
  const optimizedModelCache = (setting: string, value: unknown): { fallbackDir: string } | undefined => {
    if (value === undefined) return undefined;
    const dir = value !== null && typeof value === 'object' ? (value as { fallbackDir?: unknown }).fallbackDir : undefined;
    if (typeof dir !== 'string' || dir === '') fail(`${setting}.fallbackDir`, 'must be a non-empty directory path');
    return { fallbackDir: dir as string };
  };
  if (config === null || typeof config !== 'object') fail('config', 'must be an object');

  const devicesIn = config.devices ?? [{}];
  if (!Array.isArray(devicesIn) || devicesIn.length === 0) fail('devices', 'must list at least one device');
  const names = new Set<string>();
  const devices = devicesIn.map((d, i): NormalizedDevice => {
    const at = `devices[${i}]`;
    const device = d.device ?? 'cpu';
    if (device !== 'cpu' && !/^cuda:\d+$/.test(device)) fail(`${at}.device`, `must be "cpu" or "cuda:N", got ${JSON.stringify(device)}`);
    let name = d.name ?? device;
    if (d.name === undefined) for (let n = 2; names.has(name); n++) name = `${device}#${n}`;
    if (names.has(name)) fail(`${at}.name`, `"${name}" is used by another device`);
    names.add(name);
    const budget = d.memoryBudgetBytes ?? Number.POSITIVE_INFINITY;
    if (typeof budget !== 'number' || !(budget > 0)) fail(`${at}.memoryBudgetBytes`, `must be a positive number of bytes, got ${String(budget)}`);
    const residentCost = d.residentCost ?? 'measured';
    if (!RESIDENT_COSTS.includes(residentCost)) fail(`${at}.residentCost`, `must be one of ${RESIDENT_COSTS.join(', ')}, got ${JSON.stringify(residentCost)}`);
    const maxBatch = d.maxBatch ?? 8;
    if (typeof maxBatch === 'number') count(`${at}.maxBatch`, maxBatch, 8);
    else if (typeof maxBatch !== 'function') fail(`${at}.maxBatch`, 'must be a positive integer or a function of latent pixels');
    const batching = d.batching ?? 'continuous';
    if (!BATCHING_POLICIES.includes(batching)) fail(`${at}.batching`, `must be one of ${BATCHING_POLICIES.join(', ')}, got ${JSON.stringify(batching)}`);
    const batchWindowMs = d.batchWindowMs ?? DEFAULT_BATCH_WINDOW_MS;
    if (typeof batchWindowMs !== 'number' || !Number.isFinite(batchWindowMs) || batchWindowMs < 0) {
      fail(`${at}.batchWindowMs`, `must be a number of milliseconds of at least 0, got ${String(batchWindowMs)}`);
    }
    const vaeTileAbovePixels = d.vaeTileAbovePixels ?? DEFAULT_TILE_ABOVE_PIXELS;
    if (typeof vaeTileAbovePixels !== 'number' || !(vaeTileAbovePixels === Number.POSITIVE_INFINITY || (Number.isInteger(vaeTileAbovePixels) && vaeTileAbovePixels >= 0))) {
      fail(`${at}.vaeTileAbovePixels`, `must be an integer number of pixels of at least 0, or Infinity, got ${String(vaeTileAbovePixels)}`);
    }
    return {
      name,
      device,
      memoryBudgetBytes: budget,
      residentCost,
      maxBatch,
      maxInFlightRows: d.maxInFlightRows === undefined ? undefined : count(`${at}.maxInFlightRows`, d.maxInFlightRows, 1),
      maxDecodeBatch: count(`${at}.maxDecodeBatch`, d.maxDecodeBatch, 4),
      vaeTileAbovePixels,
      maxEncodePrompts: count(`${at}.maxEncodePrompts`, d.maxEncodePrompts, 16, 2),
      batching,
      batchWindowMs,
      intraOpThreads: d.intraOpThreads === undefined ? undefined : count(`${at}.intraOpThreads`, d.intraOpThreads, 0, 0),
      interOpThreads: d.interOpThreads === undefined ? undefined : count(`${at}.interOpThreads`, d.interOpThreads, 0, 0),
      graphOptimization: d.graphOptimization,
      optimizedModelCache: optimizedModelCache(`${at}.optimizedModelCache`, d.optimizedModelCache),
    };
  });

  if (!Array.isArray(config.checkpoints) || config.checkpoints.length === 0) fail('checkpoints', 'must list at least one checkpoint');
  const ids = new Set<string>();
  const checkpoints = config.checkpoints.map((c, i) => {
    if (typeof c.id !== 'string' || c.id === '') fail(`checkpoints[${i}].id`, 'must be a non-empty string');
    if (ids.has(c.id)) fail(`checkpoints[${i}].id`, `"${c.id}" appears twice`);
    ids.add(c.id);
    if (typeof c.dir !== 'string' || c.dir === '') fail(`checkpoints[${i}].dir`, 'must be a directory path');
    return { id: c.id, dir: c.dir, pinned: c.pinned === true };
  });

  return {
    devices,
    checkpoints,
    maxQueuedPerDevice: count('maxQueuedPerDevice', config.maxQueuedPerDevice, 64, 0),
    maxQueuedTotal: count('maxQueuedTotal', config.maxQueuedTotal, 256, 0),
    embeddingCacheSize: count('embeddingCacheSize', config.embeddingCacheSize, 32, 0),
    faultInjection: config.faultInjection === true,
    maxRestartAttempts: count('maxRestartAttempts', config.maxRestartAttempts, 5, 0),
  };
}

/** The rows one UNet call may hold on `device` for images of `latentPixels` latent pixels. */
export function maxBatchRows(device: NormalizedDevice, latentPixels: number): number {
  const value = typeof device.maxBatch === 'number' ? device.maxBatch : device.maxBatch(latentPixels);
  if (!Number.isInteger(value) || value < 1) {
    throw new PoolError('INVALID_INPUT', `${device.name}.maxBatch(${latentPixels}) must return a positive integer, got ${String(value)}`);
  }
  return value;
}

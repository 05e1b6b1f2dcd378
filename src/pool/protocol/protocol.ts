/**
 * Messages between the pool (main thread) and a device worker. Everything here survives the
 * structured clone (bigint seeds included); pixel and preview buffers are transferred, not copied.
 * No JSON: tensors and images cross as ArrayBuffers in the transfer list.
 *
 * main → worker: submit / cancel jobs, requests that expect a `reply` (load, unload, residency,
 *                stats, fault, shutdown).
 * worker → main: ready, tick (one per UNet call, with every image's progress), image (one per
 *                decoded image), job-ended (done / failed / released after a cancel), component
 *                (residency changes), reply.
 */
import type { FileFingerprint } from '../../engine/model/file-fingerprints';
import type { ComponentName, LoadableComponent } from '../../engine/model/model-directory';
import type { GenerationRequest } from '../../engine/pipeline/generation-request';
import type { OptimizedCacheOutcome } from '../../engine/model/optimized-model-cache';
import type { RuntimeOptions } from '../../engine/runtime/onnx-runtime';
import type { WireError } from './pool-errors';

export type { ComponentName, LoadableComponent };

/**
 * How a device's worker batches requests:
 * - `continuous`: step-level continuous batching; a new job joins the next UNet call (default);
 * - `request-level`: classic dynamic batching; jobs are collected for up to `batchWindowMs` (or
 *   until `maxBatch` rows), then that batch of whole requests runs to completion and no job joins it;
 * - `sequential`: one request at a time, never batched with another.
 */
export type BatchingPolicy = 'continuous' | 'request-level' | 'sequential';
export const BATCHING_POLICIES: readonly BatchingPolicy[] = ['continuous', 'request-level', 'sequential'];

/**
 * What the memory budget charges a component: `measured`, what its session was measured to take
 * when created (resident-set growth on CPU, never less than its files; its files on CUDA), or
 * `file-bytes`, the bytes of its folder's files (fixed, known before any load).
 */
export type ResidentCost = 'measured' | 'file-bytes';
export const RESIDENT_COSTS: readonly ResidentCost[] = ['measured', 'file-bytes'];

/** One component of one checkpoint as the main thread measured it. */
export interface ComponentSpec {
  readonly kind: LoadableComponent;
  /** sha256 of the component folder (content address; equal hashes are loaded once per device). */
  readonly hash: string;
  /** Sum of the folder's file sizes: what the budget charges until its session's measured cost is known (component-store.ts). */
  readonly bytes: number;
  /** `model.onnx` inside the folder. */
  readonly graphPath: string;
  /** Every file of the folder as registered; a load verifies them first. */
  readonly files: readonly FileFingerprint[];
}

export interface CheckpointSpec {
  readonly id: string;
  readonly dir: string;
  readonly pinned: boolean;
  readonly components: Readonly<Record<ComponentName, ComponentSpec>>;
  /**
   * The VAE encoder (image to image) when the checkpoint has a usable one: loaded, shared and budgeted
   * like the other components. Null otherwise, with the reason in imageToImageProblem.
   */
  readonly vaeEncoder: ComponentSpec | null;
  /** Why this checkpoint cannot do image to image, or null when it can (checkVaeEncoder). */
  readonly imageToImageProblem: string | null;
  /** sha256 of the tokenizer folder: prompts are encoded together only with the same tokenizer. */
  readonly tokenizerHash: string;
  /** Tokenizer, scheduler config and model_index.json as registered; a load verifies them first. */
  readonly files: readonly FileFingerprint[];
  /** Image widths and heights must be multiples of this, found from the UNet graph (engine/model/unet-size-granularity.ts). */
  readonly sizeMultiple: number;
}

/** Test-only faults (honoured only when the pool was started with `faultInjection: true`). */
export type InjectedFault =
  /** The worker thread exits (code 70) now, or at the start of its next UNet call. */
  | { readonly type: 'crash-worker'; readonly when: 'now' | 'next-unet-call' }
  /** The next `count` (default 1) UNet calls that include this checkpoint's sequences throw. */
  | { readonly type: 'fail-unet-call'; readonly checkpointId: string; readonly count?: number };

export interface WorkerInit {
  readonly deviceName: string;
  readonly runtime: RuntimeOptions;
  readonly memoryBudgetBytes: number;
  readonly residentCost: ResidentCost;
  /** Images per VAE call. */
  readonly maxDecodeBatch: number;
  /** Images with more pixels than this are decoded in tiles (Infinity: never). */
  readonly vaeTileAbovePixels: number;
  /** Prompts per text-encoder call. */
  readonly maxEncodePrompts: number;
  /** Prompt embeddings kept for reuse (identical prompts, comparisons). */
  readonly embeddingCacheSize: number;
  /** How jobs share UNet calls (see BatchingPolicy). */
  readonly batching: BatchingPolicy;
  /** `request-level`: how long a batch's first job waits for others. */
  readonly batchWindowMs: number;
  readonly checkpoints: readonly CheckpointSpec[];
  readonly faultInjection: boolean;
}

export interface WorkerJobSpec {
  readonly jobId: string;
  readonly checkpointId: string;
  readonly request: GenerationRequest;
  /** Preview (x0 of the first image) every this many steps and at the last; null: none. */
  readonly previewIntervalSteps: number | null;
  /** The device's maxBatch for this request's latent size, resolved on the main thread. */
  readonly maxBatchRows: number;
}

export type WorkerRequest =
  | { readonly type: 'load'; readonly checkpointId: string }
  | { readonly type: 'unload'; readonly checkpointId: string }
  | { readonly type: 'residency' }
  | { readonly type: 'stats' }
  | { readonly type: 'fault'; readonly fault: InjectedFault }
  | { readonly type: 'shutdown' };

export type ToWorker =
  /** Jobs dispatched in the same main-thread turn travel together, so they are encoded and stepped together. */
  | { readonly type: 'submit'; readonly jobs: readonly WorkerJobSpec[] }
  | { readonly type: 'cancel'; readonly jobId: string }
  | { readonly type: 'request'; readonly requestId: number; readonly request: WorkerRequest };

export interface PreviewImage {
  readonly width: number;
  readonly height: number;
  /** RGB, interleaved, at latent resolution (raw: the main thread encodes it). */
  readonly data: Uint8Array;
}

export interface ProgressEntry {
  readonly jobId: string;
  readonly imageIndex: number;
  /** 1-based: steps finished. */
  readonly step: number;
  readonly totalSteps: number;
  readonly preview?: PreviewImage;
}

/** A job's part of one UNet call. */
export interface JobShare {
  readonly jobId: string;
  readonly sequences: number;
}

export interface WorkerTimings {
  /** Epoch milliseconds when the worker received the job: the phases below follow each other from it (traces place them so). */
  readonly receivedAt: number;
  /** Waiting for the checkpoint to become resident. */
  readonly loadMs: number;
  readonly encodeMs: number;
  readonly denoiseMs: number;
  readonly decodeMs: number;
}

export type JobOutcome =
  | { readonly kind: 'done'; readonly timings: WorkerTimings }
  | { readonly kind: 'failed'; readonly error: WireError }
  /** After a cancel: the job's sequences left the worker having finished `stepsDone` steps (the most of its images). */
  | { readonly kind: 'released'; readonly stepsDone: number };

export interface WorkerCounters {
  unetCalls: number;
  unetRows: number;
  /** The most rows (CFG sequences count two) in one UNet call. */
  maxUnetRows: number;
  /** The most sequences in one UNet call. */
  maxUnetSequences: number;
  /** The most distinct jobs whose sequences shared one UNet call. */
  maxUnetJobs: number;
  textEncoderCalls: number;
  textEncoderPrompts: number;
  embeddingCacheHits: number;
  vaeCalls: number;
  vaeImages: number;
  /** Image to image: VAE encoder calls and the distinct photos they encoded. */
  vaeEncoderCalls: number;
  vaeEncoderImages: number;
  sessionsCreated: number;
  sessionsReleased: number;
  evictions: number;
  failedUnetCalls: number;
}

/** A worker's counters before its first call. */
export function zeroWorkerCounters(): WorkerCounters {
  return {
    unetCalls: 0,
    unetRows: 0,
    maxUnetRows: 0,
    maxUnetSequences: 0,
    maxUnetJobs: 0,
    textEncoderCalls: 0,
    textEncoderPrompts: 0,
    embeddingCacheHits: 0,
    vaeCalls: 0,
    vaeImages: 0,
    vaeEncoderCalls: 0,
    vaeEncoderImages: 0,
    sessionsCreated: 0,
    sessionsReleased: 0,
    evictions: 0,
    failedUnetCalls: 0,
  };
}

export interface WorkerLiveStats {
  readonly activeJobs: number;
  readonly activeSequences: number;
  readonly activeRows: number;
  readonly jobsWaitingForLoad: number;
  readonly loadsInProgress: number;
  readonly counters: WorkerCounters;
}

export interface ComponentResidency {
  readonly kind: LoadableComponent;
  readonly hash: string;
  /** Bytes of its folder's files. */
  readonly bytes: number;
  /**
   * What its session was measured to take when created on this device (RSS growth on CPU, never
   * less than `bytes`; `bytes` on CUDA), the largest over its loads; null while its session is being
   * created. The budget charges this; while it is null, the cost remembered from an earlier load, or
   * `bytes` before any.
   */
  readonly measuredBytes: number | null;
  /** Every configured checkpoint whose component has this hash. */
  readonly checkpointIds: readonly string[];
  readonly state: 'loading' | 'ready' | 'draining';
  readonly pinned: boolean;
  /** Epoch milliseconds of the last call through it (or of its load). */
  readonly lastUsedAt: number;
  /** Jobs holding it (being encoded, denoised or decoded). */
  readonly activeJobs: number;
}

export interface DeviceResidencyReport {
  readonly memoryBudgetBytes: number;
  /** What the budget charges for the present components (each one's `measuredBytes`, or `bytes` before it is measured). */
  readonly usedBytes: number;
  readonly components: readonly ComponentResidency[];
  /** Checkpoints whose components (three, or four with a VAE encoder) are all loaded. */
  readonly residentCheckpointIds: readonly string[];
  /** Per checkpoint whose every component was measured on this device (resident or since evicted): their measured costs summed. */
  readonly measuredCheckpointBytes: Readonly<Record<string, number>>;
}

export type ComponentEventType = 'loading' | 'loaded' | 'evicted' | 'unloaded' | 'load-failed';

export interface ComponentEvent {
  readonly type: ComponentEventType;
  readonly kind: LoadableComponent;
  readonly hash: string;
  readonly bytes: number;
  /** Its measured cost (see ComponentResidency), once its session was created. */
  readonly measuredBytes?: number;
  readonly checkpointIds: readonly string[];
  readonly durationMs?: number;
  /** `loaded` (text encoder, UNet, VAE decoder): whether the optimised-graph cache was reused, written, off or unwritable. */
  readonly optimizedGraph?: OptimizedCacheOutcome;
  readonly error?: string;
}

export type FromWorker =
  | { readonly type: 'ready'; readonly residentUnets: readonly string[] }
  | { readonly type: 'init-failed'; readonly error: WireError }
  | {
      readonly type: 'tick';
      /** The checkpoint of the call's first sequence (every sequence in the call shares its UNet). */
      readonly checkpointId: string;
      readonly rows: number;
      readonly sequences: number;
      /** Epoch milliseconds when the call began (the worker's clock is the process's: traces place the call from it). */
      readonly startedAt: number;
      readonly durationMs: number;
      /** The jobs whose sequences the call served, with how many each (traces link the call to their requests). */
      readonly jobs: readonly JobShare[];
      readonly progress: readonly ProgressEntry[];
    }
  | {
      readonly type: 'image';
      readonly jobId: string;
      readonly index: number;
      readonly seed: bigint;
      readonly width: number;
      readonly height: number;
      readonly data: Uint8Array;
      readonly initialLatentsDigest: string;
    }
  | { readonly type: 'job-ended'; readonly jobId: string; readonly outcome: JobOutcome }
  /** A load found the checkpoint broken (a file changed since registration, a graph onnxruntime refuses): stop offering it. */
  | { readonly type: 'checkpoint-unavailable'; readonly checkpointId: string; readonly error: WireError }
  | { readonly type: 'component'; readonly event: ComponentEvent; readonly residentUnets: readonly string[] }
  | { readonly type: 'reply'; readonly requestId: number; readonly ok: true; readonly value: unknown }
  | { readonly type: 'reply'; readonly requestId: number; readonly ok: false; readonly error: WireError };

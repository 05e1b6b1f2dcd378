/** The pool's public types: what goes in with a job, what comes out, and the reports. */
import type { RgbImage } from '../../engine/pipeline/decode-latents';
import type { ValidGenerationRequest } from '../../engine/pipeline/generation-request';
import type { Priority } from './fair-queue';
import type { PoolError } from '../protocol/pool-errors';
import type { ComponentEvent, ComponentName, ComponentResidency, JobShare, PreviewImage, WorkerCounters } from '../protocol/protocol';
import type { EncodedPreview } from './preview-encoding';

export type { Priority, PreviewImage, EncodedPreview, ComponentName, ComponentResidency, JobShare, WorkerCounters };

/** Previews of a job's first image while it is denoised. */
export interface PreviewOptions {
  /** A preview every this many steps (an integer >= 1), and one on the last step. */
  readonly intervalSteps: number;
}

export interface ProgressEvent {
  readonly jobId: string;
  readonly checkpointId: string;
  readonly imageIndex: number;
  /** 1-based: the step this image just finished. */
  readonly step: number;
  /**
   * The job's step: the steps every one of its images has finished. It advances by one per step
   * whatever the number of images, so a listener that wants one event per step (not one per image)
   * acts when it grows.
   */
  readonly jobStep: number;
  readonly totalSteps: number;
  /** Since the job was submitted. */
  readonly elapsedMs: number;
  /** Linear estimate of the time left for this image's denoising (decode not included). */
  readonly etaMs: number;
  /**
   * When the job asked for `preview`: on its first image's events every `intervalSteps` steps and on
   * the last step, a small WebP of the predicted clean image (x0 through the latent → RGB
   * approximation, at latent resolution, at most 128 px on its long side). Absent otherwise.
   */
  readonly preview?: EncodedPreview;
}

export interface JobOptions {
  /** Who the job is for (an API key, a tenant): queues take turns between clients. Default `anonymous`. */
  readonly clientId?: string;
  /** `high` jobs leave the queue before `normal` ones (default `normal`). */
  readonly priority?: Priority;
  /** Milliseconds from submission; past it the job fails with DEADLINE_EXCEEDED and its rows are freed. */
  readonly deadlineMs?: number;
  /** Aborting cancels the job (CANCELLED); its rows are freed at the worker's next tick. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (event: ProgressEvent) => void;
  /** Attach previews to the progress events of the job's first image (see ProgressEvent.preview). */
  readonly preview?: PreviewOptions;
}

export interface SubmitOptions extends JobOptions {
  readonly checkpointId: string;
  /** From parseGenerationRequest: the pool trusts it and does not validate it again. */
  readonly request: ValidGenerationRequest;
}

export interface PoolImage {
  readonly index: number;
  readonly seed: bigint;
  readonly image: RgbImage;
  /** sha256 of the image's initial latents (float32 bytes): equal seeds and sizes give equal digests. */
  readonly initialLatentsDigest: string;
}

export interface JobTimings {
  /** Waiting in the pool's queue. */
  readonly queuedMs: number;
  /**
   * Epoch milliseconds when the device worker received the job; load, encode, denoise and decode
   * follow each other from it. Absent in results not made by the pool.
   */
  readonly receivedAt?: number;
  /** Waiting in the worker for the checkpoint to be loaded. */
  readonly loadMs: number;
  readonly encodeMs: number;
  readonly denoiseMs: number;
  /** From the last step to the last decoded image. */
  readonly decodeMs: number;
  readonly totalMs: number;
}

export interface JobResult {
  readonly jobId: string;
  readonly checkpointId: string;
  readonly device: string;
  /** In image order. */
  readonly images: PoolImage[];
  readonly timings: JobTimings;
}

export interface JobHandle {
  readonly jobId: string;
  readonly checkpointId: string;
  /** Rejects with a PoolError. */
  readonly result: Promise<JobResult>;
  /**
   * Progress events from now on, ending when the job ends (subscribe right after submit to see them
   * all). A reader that falls behind gets each image's latest step, never a growing backlog.
   */
  progress(): AsyncIterableIterator<ProgressEvent>;
  cancel(): boolean;
}

export interface ComparisonOptions extends JobOptions {
  /** One cell per checkpoint; every cell gets the same request (seed, prompts, settings). */
  readonly checkpointIds: readonly string[];
  readonly request: ValidGenerationRequest;
}

export type ComparisonCell =
  | { readonly checkpointId: string; readonly jobId: string; readonly ok: true; readonly result: JobResult }
  | { readonly checkpointId: string; readonly jobId: string; readonly ok: false; readonly error: PoolError };

export interface ComparisonHandle {
  readonly comparisonId: string;
  readonly cells: readonly JobHandle[];
  /** Settles when every cell has; a failed cell does not fail the others. */
  readonly result: Promise<{ readonly comparisonId: string; readonly cells: readonly ComparisonCell[] }>;
  cancel(): void;
}

export type PoolEvent =
  | ({ readonly type: `component-${ComponentEvent['type']}`; readonly device: string } & Omit<ComponentEvent, 'type'>)
  | { readonly type: 'worker-exited'; readonly device: string; readonly exitCode: number; readonly failedJobs: number; readonly error?: string }
  | { readonly type: 'worker-ready'; readonly device: string; readonly restarts: number }
  | { readonly type: 'worker-given-up'; readonly device: string; readonly error: string }
  /** A checkpoint found broken (at registration or at a load); it is listed with `error` and no longer served. */
  | { readonly type: 'checkpoint-unavailable'; readonly checkpointId: string; readonly error: string }
  /**
   * One per successful UNet call (telemetry): its checkpoint (of its first sequence), rows (CFG
   * sequences count two), sequences, start (epoch ms) and duration, and the jobs it served.
   */
  | {
      readonly type: 'unet-call';
      readonly device: string;
      readonly checkpointId: string;
      readonly rows: number;
      readonly sequences: number;
      readonly startedAt: number;
      readonly durationMs: number;
      readonly jobs: readonly JobShare[];
    };

export type DeviceState = 'starting' | 'ready' | 'restarting' | 'failed' | 'closed';

export interface DeviceResidency {
  readonly device: string;
  readonly state: DeviceState;
  readonly memoryBudgetBytes: number;
  /** What the budget charges: the components' measured costs (file bytes for one not measured yet). */
  readonly usedBytes: number;
  readonly components: readonly ComponentResidency[];
  readonly residentCheckpointIds: readonly string[];
  /** Measured resident cost of each checkpoint whose components were all measured on this device. */
  readonly measuredCheckpointBytes: Readonly<Record<string, number>>;
}

export interface DeviceStats {
  readonly device: string;
  readonly state: DeviceState;
  readonly restarts: number;
  /** Jobs waiting in this device's queue on the main thread. */
  readonly queued: number;
  /** Jobs handed to the worker and not ended yet. */
  readonly runningJobs: number;
  readonly inFlightRows: number;
  /** Live numbers from the worker (absent while it restarts). */
  readonly activeSequences?: number;
  readonly activeRows?: number;
  readonly jobsWaitingForLoad?: number;
  readonly counters?: WorkerCounters;
  /** Moving average of UNet time per row and step. */
  readonly msPerRowStep: number;
}

export interface PoolStats {
  readonly queued: number;
  readonly running: number;
  readonly devices: readonly DeviceStats[];
  readonly totals: {
    readonly submitted: number;
    readonly succeeded: number;
    readonly failed: number;
    readonly cancelled: number;
    readonly deadlineExceeded: number;
    readonly rejected: number;
  };
}

export interface CheckpointDescriptor {
  readonly id: string;
  readonly dir: string;
  readonly pinned: boolean;
  /** Hashes and sizes from registration; empty hashes and 0 bytes when its directory could not be read. */
  readonly components: Readonly<Record<ComponentName, { readonly hash: string; readonly bytes: number }>>;
  /**
   * Null when the checkpoint can do image to image (it has a usable vae_encoder); otherwise why not,
   * for the API's 400 naming `initImage` (the pool refuses such jobs with INVALID_INPUT too).
   */
  readonly imageToImageProblem: string | null;
  /** `unavailable`: broken, listed but not served (jobs get CHECKPOINT_UNAVAILABLE). */
  readonly status: 'available' | 'unavailable';
  /** Why it is unavailable, naming the file: `tokenizer/vocab.json: invalid JSON (...)`. */
  readonly error?: string;
  /** Image sides must be multiples of this (from the UNet graph); 8 when its directory could not be read. */
  readonly sizeMultiple: number;
}

/**
 * A device worker's state, shared by the runtime's modules: checkpoints, jobs and their image
 * sequences, and the queues a job's sequences move through (waiting for a load → prompt encoding →
 * active in UNet calls → decoding).
 */
import type { ModelSignature } from '../../engine/model/component-signatures';
import type { ModelDirectory } from '../../engine/model/model-directory';
import type { DenoisingSequence } from '../../engine/pipeline/denoising-sequence';
import type { ComponentStore } from './component-store';
import type { CheckpointSpec, FromWorker, WorkerCounters, WorkerInit, WorkerJobSpec } from '../protocol/protocol';

export type PostMessage = (message: FromWorker, transfer?: ArrayBuffer[]) => void;

/** Per checkpoint: its directory (tokenizer, scheduler config) and, once loaded, its signature. */
export interface CheckpointRuntime {
  readonly spec: CheckpointSpec;
  directory?: ModelDirectory;
  signature?: ModelSignature;
}

export interface JobRuntime {
  readonly spec: WorkerJobSpec;
  readonly checkpoint: CheckpointRuntime;
  readonly receivedAt: number;
  state: 'waiting' | 'encoding' | 'running' | 'ended';
  /** Holds its checkpoint's components in the store. */
  holds: boolean;
  admittedAt: number;
  encodedAt: number;
  /** When the last of its sequences finished its last step. */
  denoisedAt: number;
  sequences: SequenceRuntime[];
  imagesLeft: number;
  model?: { directory: ModelDirectory; signature: ModelSignature };
}

export interface SequenceRuntime {
  readonly job: JobRuntime;
  readonly imageIndex: number;
  readonly seq: DenoisingSequence;
  readonly initialLatentsDigest: string;
  /** Lower = has waited longer for its next step. */
  waitingSince: number;
}

export interface RuntimeState {
  readonly init: WorkerInit;
  readonly post: PostMessage;
  readonly counters: WorkerCounters;
  readonly store: ComponentStore;
  readonly checkpoints: Map<string, CheckpointRuntime>;
  readonly jobs: Map<string, JobRuntime>;
  /** Jobs waiting for their checkpoint to be resident, per checkpoint id. */
  readonly waiting: Map<string, JobRuntime[]>;
  encodeQueue: JobRuntime[];
  readonly active: Set<SequenceRuntime>;
  /** `request-level` / `sequential`: encoded jobs waiting for the next batch, oldest first. */
  ready: JobRuntime[];
  /** `request-level` / `sequential`: the jobs of the running batch (their sequences are the active ones). */
  readonly batch: Set<JobRuntime>;
  /** `request-level`: denoised sequences of the running batch, decoded when the whole batch is. */
  batchDenoised: SequenceRuntime[];
  decodeQueue: SequenceRuntime[];
  readonly embeddingCache: Map<string, Float32Array>;
  waitCounter: number;
  crashAtNextUnetCall: boolean;
  readonly failingUnetCalls: Map<string, number>;
  /** Wakes the loop when it waits for work. */
  wake(): void;
}

/** Exit code of a worker crashed on purpose (fault injection). */
export const FAULT_EXIT_CODE = 70;

/** What `inspectModelDirectory` returns: a listing of a model directory and every problem found. */

export type Severity = 'error' | 'warning';

export interface Problem {
  readonly severity: Severity;
  /** Path relative to the model directory, with forward slashes (`unet/model.onnx`). */
  readonly file: string;
  /** Stable identifier of the rule, for programs (`missing-input`, `external-data-truncated`...). */
  readonly code: string;
  /** The rule in words, as printed after `rule:`. */
  readonly rule: string;
  readonly message: string;
}

/** A fixed dimension is a number, a named dynamic one its name, an unnamed dynamic one null. */
export type DimSummary = number | string | null;

export interface TensorSignature {
  readonly name: string;
  /** `float32`, `float16`, `int32`, `int64`, `bool`..., or `unknown` when the file gives no type. */
  readonly dtype: string;
  /** null when the file declares no shape (rank unknown). */
  readonly shape: readonly DimSummary[] | null;
}

export type FloatDtype = 'float32' | 'float16';

/** The UNet `timestep` inputs real exports use; `unknown` for anything else. */
export type TimestepKind = 'float-batch' | 'int64-batch' | 'float-scalar' | 'unknown';

export interface InitializerStats {
  readonly count: number;
  /** Tensor bytes, inline and external together. */
  readonly bytes: number;
  readonly externalCount: number;
  readonly externalBytes: number;
}

export interface ExternalDataFile {
  /** Relative to the model directory (`unet/weights.pb`). */
  readonly file: string;
  /** null when the file is missing. */
  readonly size: number | null;
  /** Number of initializers stored in this file. */
  readonly tensors: number;
  /** The largest offset + length among them: the size the file must have at least. */
  readonly bytesReferenced: number;
}

export const COMPONENT_NAMES = ['text_encoder', 'unet', 'vae_decoder', 'vae_encoder', 'safety_checker'] as const;
export type ComponentName = (typeof COMPONENT_NAMES)[number];

export interface ComponentSummary {
  readonly name: ComponentName;
  /** `unet/model.onnx`. */
  readonly file: string;
  readonly size: number;
  /** False when model.onnx could not be decoded; the fields below are then empty. */
  readonly decoded: boolean;
  readonly irVersion: number | null;
  /** Version of the default (ai.onnx) operator set. */
  readonly opset: number | null;
  readonly producer: string | null;
  readonly inputs: readonly TensorSignature[];
  readonly outputs: readonly TensorSignature[];
  readonly initializers: InitializerStats;
  readonly externalData: readonly ExternalDataFile[];
  /** The dtype its float inputs and outputs share; `mixed` when they differ, null when it has none. */
  readonly floatDtype: FloatDtype | 'mixed' | null;
  /** UNet only. */
  readonly timestep?: TimestepKind;
  /**
   * UNet only: image widths and heights must be multiples of this (engine/model/unet-size-granularity.ts:
   * 8 × 2^k when the graph halves the latents k times and up-samples by fixed factors, else 8).
   */
  readonly sizeMultiple?: number;
  /** Text encoder only, when an initializer named `*token_embedding.weight` is found: [rows, width]. */
  readonly tokenEmbedding?: readonly [number, number];
}

export interface ModelIndexEntry {
  readonly name: string;
  /** null for entries listed as `[null, null]` (component absent). */
  readonly library: string | null;
  readonly className: string | null;
}

export interface ModelIndexSummary {
  readonly className: string | null;
  readonly entries: readonly ModelIndexEntry[];
}

export interface SchedulerSummary {
  readonly className: string | null;
}

export interface TokenizerSummary {
  readonly vocabSize: number | null;
  /** Merge rules in merges.txt (the `#version` header and blank lines not counted). */
  readonly mergesCount: number | null;
  readonly bosToken: string | null;
  readonly eosToken: string | null;
  readonly modelMaxLength: number | null;
}

export interface InspectionReport {
  readonly dir: string;
  /** null when model_index.json is missing or unreadable. */
  readonly modelIndex: ModelIndexSummary | null;
  readonly scheduler: SchedulerSummary | null;
  readonly tokenizer: TokenizerSummary | null;
  /** The ONNX components found on disk, in pipeline order. */
  readonly components: readonly ComponentSummary[];
  /** The dtype all components share; `mixed` when they differ, null when none was decoded. */
  readonly floatDtype: FloatDtype | 'mixed' | null;
  readonly problems: readonly Problem[];
  readonly errorCount: number;
  readonly warningCount: number;
}

/**
 * The engine's errors. Each carries a code so the API can map it to a transport status without
 * inspecting messages: bad input (names the field and the rule), a broken model directory (names
 * the file and the problem), cancellation, and failures inside the runtime.
 */
export type EngineErrorCode = 'INVALID_INPUT' | 'MODEL_DIRECTORY_INVALID' | 'CANCELLED' | 'MODEL_FAILED';

export abstract class EngineError extends Error {
  abstract readonly code: EngineErrorCode;
}

/** A request value that breaks a rule: `field` is the request's own name for it (`height`, `steps`...). */
export class InvalidInputError extends EngineError {
  readonly code = 'INVALID_INPUT';
  constructor(
    readonly field: string,
    readonly rule: string,
  ) {
    super(`${field}: ${rule}`);
    this.name = 'InvalidInputError';
  }
}

/** `file` is relative to the model directory (`unet/model.onnx`). */
export class ModelDirectoryError extends EngineError {
  readonly code = 'MODEL_DIRECTORY_INVALID';
  constructor(
    readonly directory: string,
    readonly file: string,
    readonly problem: string,
  ) {
    super(file === '.' ? `${directory}: ${problem}` : `${directory}: ${file}: ${problem}`);
    this.name = 'ModelDirectoryError';
  }
}

export class CancelledError extends EngineError {
  readonly code = 'CANCELLED';
  constructor(reason = 'generation was cancelled') {
    super(reason);
    this.name = 'CancelledError';
  }
}

/** onnxruntime rejected a run (out of memory, a kernel error): not the caller's fault. */
export class ModelFailedError extends EngineError {
  readonly code = 'MODEL_FAILED';
  constructor(
    readonly component: string,
    cause: unknown,
  ) {
    super(`${component} failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'ModelFailedError';
  }
}

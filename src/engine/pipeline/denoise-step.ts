/**
 * One denoising step over a set of sequences in ONE UNet call: each sequence contributes one row
 * (no guidance) or two ([uncond, cond]), with its own timestep when the UNet takes one per row.
 * Then each sequence applies its own guidance scale and scheduler step, except a sequence whose
 * rows came back with NaN or ±Inf: it is left where it was and reported, the others go on.
 */
import { ModelFailedError } from '../errors';
import type { ModelSignature } from '../model/component-signatures';
import { floatTensor, readFloats } from '../runtime/float-tensor';
import type { TensorRunner } from '../runtime/onnx-runtime';
import { tensor, type Tensor } from '../runtime/tensor';
import type { DenoisingSequence } from './denoising-sequence';
import { checkFinite, type NonFiniteOutputError } from './non-finite';

/** A sequence the step did not advance because the UNet's output for it was not finite. */
export interface SequenceFailure {
  readonly sequence: DenoisingSequence;
  readonly error: NonFiniteOutputError;
}

/** Steps every sequence whose output is finite; answers the ones that were not (empty when all were). */
export async function denoiseStep(sequences: readonly DenoisingSequence[], unet: TensorRunner, signature: ModelSignature): Promise<SequenceFailure[]> {
  const first = sequences[0];
  if (!first) return [];
  const [channels, height, width] = first.latentShape;
  const latentSize = channels * height * width;
  const contextSize = first.embeddings.cond.length;
  for (const s of sequences) {
    if (s.latentShape.some((d, i) => d !== first.latentShape[i])) throw new RangeError('sequences in one UNet call must share a latent size');
    if (s.embeddings.cond.length !== contextSize) throw new RangeError('sequences in one UNet call must share a context length (prompt chunk count)');
    if (s.done) throw new RangeError(`sequence ${s.id} has no steps left`);
  }
  if (!signature.timestep.batched && sequences.some((s) => s.timestep !== first.timestep)) {
    throw new RangeError('this UNet takes one scalar timestep per call: sequences must be at the same timestep');
  }

  const rows = sequences.reduce((n, s) => n + s.rows, 0);
  const sample = new Float32Array(rows * latentSize);
  const context = new Float32Array(rows * contextSize);
  const timesteps = new Float64Array(rows);
  let row = 0;
  for (const s of sequences) {
    const scaled = s.scheduler.scaleModelInput(s.latents, s.timestep);
    const uncond = s.embeddings.uncond;
    if (uncond) {
      sample.set(scaled, row * latentSize);
      context.set(uncond, row * contextSize);
      timesteps[row++] = s.timestep;
    }
    sample.set(scaled, row * latentSize);
    context.set(s.embeddings.cond, row * contextSize);
    timesteps[row++] = s.timestep;
  }

  let output;
  try {
    output = await unet.run({
      sample: floatTensor(sample, [rows, channels, height, width], signature.dtype),
      timestep: timestepTensor(timesteps, signature),
      encoder_hidden_states: floatTensor(context, [rows, contextSize / signature.contextWidth, signature.contextWidth], signature.dtype),
    });
  } catch (error) {
    throw new ModelFailedError('unet', error);
  }
  const predictions = readFloats(output['out_sample'], 'out_sample');
  if (predictions.length !== rows * latentSize) throw new ModelFailedError('unet', `out_sample has ${predictions.length} values, expected ${rows * latentSize}`);

  const failures: SequenceFailure[] = [];
  row = 0;
  for (const s of sequences) {
    const start = row * latentSize;
    const error = checkFinite(predictions, start, start + s.rows * latentSize, 'unet', `at step ${s.stepIndex + 1} of ${s.totalSteps}`);
    const uncond = s.guided ? predictions.subarray(row * latentSize, ++row * latentSize) : undefined;
    const cond = predictions.subarray(row * latentSize, ++row * latentSize);
    if (error) failures.push({ sequence: s, error });
    else s.advance(cond, uncond);
  }
  return failures;
}

/** The `timestep` feed in the UNet's own flavour: float or int64 (truncated, as numpy's astype), per row or scalar. */
function timestepTensor(timesteps: Float64Array, signature: ModelSignature): Tensor {
  const { type, batched } = signature.timestep;
  const values = batched ? timesteps : timesteps.subarray(0, 1);
  const dims = batched ? [values.length] : [];
  if (type === 'int64') return tensor('int64', BigInt64Array.from(values, (t) => BigInt(Math.trunc(t))), dims);
  return floatTensor(Float32Array.from(values), dims, type);
}

/** Prompts → text-encoder states, all prompts of a tick in one text-encoder call. */
import { ModelFailedError } from '../errors';
import type { ModelSignature } from '../model/component-signatures';
import { readFloats } from '../runtime/float-tensor';
import type { TensorRunner } from '../runtime/onnx-runtime';
import { tensor } from '../runtime/tensor';
import type { ClipTokenizer, EncodedPrompt } from '../tokenizer';
import { checkFinite, type NonFiniteOutputError } from './non-finite';

export interface EncodedPrompts {
  /** One [sequenceLength × contextWidth] block per prompt, in order. */
  readonly states: Float32Array[];
  readonly tokens: EncodedPrompt[];
  /** Per prompt: set when its states hold NaN or ±Inf (a broken text encoder); such states must not be used. */
  readonly nonFinite: (NonFiniteOutputError | undefined)[];
}

export async function encodePrompts(
  prompts: readonly string[],
  tokenizer: ClipTokenizer,
  textEncoder: TensorRunner,
  signature: ModelSignature,
): Promise<EncodedPrompts> {
  const tokens = prompts.map((p) => tokenizer.encode(p));
  const length = signature.sequenceLength;
  const ids = new Int32Array(prompts.length * length);
  tokens.forEach((t, row) => ids.set(t.ids.slice(0, length), row * length));
  const feed =
    signature.tokenInputType === 'int64'
      ? tensor('int64', BigInt64Array.from(ids, (v) => BigInt(v)), [prompts.length, length])
      : tensor('int32', ids, [prompts.length, length]);
  let output;
  try {
    output = await textEncoder.run({ input_ids: feed });
  } catch (error) {
    throw new ModelFailedError('text_encoder', error);
  }
  const all = readFloats(output['last_hidden_state'], 'last_hidden_state');
  const block = length * signature.contextWidth;
  if (all.length !== block * prompts.length) {
    throw new ModelFailedError('text_encoder', `last_hidden_state has ${all.length} values, expected ${block * prompts.length}`);
  }
  return {
    states: prompts.map((_, row) => all.slice(row * block, (row + 1) * block)),
    tokens,
    nonFinite: prompts.map((_, row) => checkFinite(all, row * block, (row + 1) * block, 'text_encoder', `for prompt ${row + 1} of ${prompts.length}`)),
  };
}

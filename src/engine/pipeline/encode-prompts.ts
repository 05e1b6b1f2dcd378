/**
 * Prompts → weighted text-encoder states. Each prompt is planned first (attention syntax parsed,
 * tokens cut into chunks, the chunk count shared with its negative), then every chunk of every
 * prompt of a tick goes through ONE text-encoder call (identical chunks once), and each prompt's
 * chunks are concatenated along the sequence and weighted: [chunks × sequenceLength × contextWidth].
 */
import { ModelFailedError } from '../errors';
import type { ModelSignature } from '../model/component-signatures';
import { DEFAULT_EMPHASIS, applyEmphasis, chunkIds, positionWeights, sharedChunkCount, tokenizeWeighted, type EmphasisMode, type WeightedTokens } from '../prompt-weighting';
import { readFloats } from '../runtime/float-tensor';
import type { TensorRunner } from '../runtime/onnx-runtime';
import { tensor } from '../runtime/tensor';
import type { ClipTokenizer } from '../tokenizer';
import { checkFinite, type NonFiniteOutputError } from './non-finite';

/** One prompt as it will be encoded. */
export interface PromptPlan {
  readonly text: string;
  readonly emphasis: EmphasisMode;
  /** Chunks of sequenceLength positions in its states (shared by a prompt and its negative). */
  readonly chunks: number;
  readonly tokens: WeightedTokens;
  /** Equal keys give equal states on one text encoder and tokenizer: what a cache may key on. */
  readonly key: string;
}

export interface EncodedPrompts {
  /** One [chunks × sequenceLength × contextWidth] block per prompt, in order. */
  readonly states: Float32Array[];
  readonly plans: PromptPlan[];
  /** Per prompt: set when its states hold NaN or ±Inf (a broken text encoder); such states must not be used. */
  readonly nonFinite: (NonFiniteOutputError | undefined)[];
}

/**
 * Plans prompts that share one UNet row group (a prompt and its negative): one chunk count for all.
 * `maxChunks` below the model's limit caps it (1 reproduces the standard pipeline's cut at 77 ids).
 */
export function planPrompts(texts: readonly string[], emphasis: EmphasisMode, tokenizer: ClipTokenizer, signature: ModelSignature, maxChunks = signature.maxPromptChunks): PromptPlan[] {
  const { sequenceLength } = signature;
  const maxPromptChunks = Math.max(1, Math.min(maxChunks, signature.maxPromptChunks));
  const tokens = texts.map((text) => tokenizeWeighted(text, tokenizer, sequenceLength, maxPromptChunks));
  const chunks = sharedChunkCount(tokens, sequenceLength, maxPromptChunks);
  return texts.map((text, i) => ({ text, emphasis, chunks, tokens: tokens[i] as WeightedTokens, key: `${chunks}\0${emphasis}\0${text}` }));
}

/** Strings are planned alone (their own chunk count, the default emphasis). */
export async function encodePrompts(
  prompts: readonly (string | PromptPlan)[],
  tokenizer: ClipTokenizer,
  textEncoder: TensorRunner,
  signature: ModelSignature,
): Promise<EncodedPrompts> {
  const plans = prompts.map((p) => (typeof p === 'string' ? (planPrompts([p], DEFAULT_EMPHASIS, tokenizer, signature)[0] as PromptPlan) : p));
  const length = signature.sequenceLength;
  const rows = new Map<string, number>();
  const inputs: Int32Array[] = [];
  const rowsOfPlan = plans.map((plan) =>
    chunkIds(plan.tokens, plan.chunks, length, tokenizer).map((ids) => {
      const key = ids.join(',');
      let row = rows.get(key);
      if (row === undefined) {
        row = inputs.push(ids) - 1;
        rows.set(key, row);
      }
      return row;
    }),
  );
  const ids = new Int32Array(inputs.length * length);
  inputs.forEach((chunk, row) => ids.set(chunk, row * length));
  const feed =
    signature.tokenInputType === 'int64'
      ? tensor('int64', BigInt64Array.from(ids, (v) => BigInt(v)), [inputs.length, length])
      : tensor('int32', ids, [inputs.length, length]);
  let output;
  try {
    output = await textEncoder.run({ input_ids: feed });
  } catch (error) {
    throw new ModelFailedError('text_encoder', error);
  }
  const all = readFloats(output['last_hidden_state'], 'last_hidden_state');
  const block = length * signature.contextWidth;
  if (all.length !== block * inputs.length) {
    throw new ModelFailedError('text_encoder', `last_hidden_state has ${all.length} values, expected ${block * inputs.length}`);
  }
  const states = plans.map((plan, p) => {
    const own = rowsOfPlan[p] as number[];
    const joined = own.length === 1 ? all.slice((own[0] as number) * block, ((own[0] as number) + 1) * block) : new Float32Array(own.length * block);
    if (own.length > 1) own.forEach((row, c) => joined.set(all.subarray(row * block, (row + 1) * block), c * block));
    return applyEmphasis(joined, positionWeights(plan.tokens, plan.chunks, length), signature.contextWidth, plan.emphasis).states;
  });
  return {
    states,
    plans,
    nonFinite: plans.map((_, p) => {
      const own = rowsOfPlan[p] as number[];
      return own.map((row) => checkFinite(all, row * block, (row + 1) * block, 'text_encoder', `for prompt ${p + 1} of ${plans.length}`)).find((e) => e !== undefined);
    }),
  };
}

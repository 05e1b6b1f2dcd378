/**
 * A weighted prompt as token ids, and its layout in chunks for the text encoder (diffusers'
 * long-prompt-weighting pipeline, `max_embeddings_multiples`): each fragment is tokenised on its
 * own, every token takes its fragment's weight, and the tokens are cut into chunks of
 * `sequenceLength − 2` (75), each encoded alone as `[bos] + tokens + [eos] + padding`.
 */
import { MAX_DROPPED_TEXT_CHARS, type ClipTokenizer } from '../tokenizer';
import { parsePromptAttention, type WeightedFragment } from './parse-prompt-attention';

/**
 * Chunks per prompt at most: 3 × 75 = 225 tokens, as the reference (`max_embeddings_multiples=3`).
 * Each chunk lengthens the UNet's cross-attention context by 77 positions, so the cost of every
 * step grows with it; tokens past the last chunk are cut and reported.
 */
export const MAX_PROMPT_CHUNKS = 3;

export interface WeightedTokens {
  readonly fragments: readonly WeightedFragment[];
  /** Token ids without bos or eos, at most the chunk limit's worth. */
  readonly ids: readonly number[];
  /** One per id: its fragment's weight (float64, as parsed). */
  readonly weights: readonly number[];
  readonly droppedTokenCount: number;
  /** The start of the cut text, decoded (at most MAX_DROPPED_TEXT_CHARS characters, then `…`). */
  readonly droppedText: string;
}

export function tokensPerChunk(sequenceLength: number): number {
  return sequenceLength - 2;
}

/** Parses the attention syntax, tokenises each fragment alone, and keeps at most `maxChunks` chunks of tokens. */
export function tokenizeWeighted(text: string, tokenizer: ClipTokenizer, sequenceLength: number, maxChunks: number): WeightedTokens {
  const fragments = parsePromptAttention(text);
  const room = tokensPerChunk(sequenceLength) * maxChunks;
  const ids: number[] = [];
  const weights: number[] = [];
  const dropped: number[] = [];
  let droppedTokenCount = 0;
  for (const fragment of fragments) {
    for (const id of tokenizer.tokenize(fragment.text)) {
      if (ids.length < room) {
        ids.push(id);
        weights.push(fragment.weight);
      } else {
        droppedTokenCount++;
        if (dropped.length < MAX_DROPPED_TEXT_CHARS) dropped.push(id);
      }
    }
  }
  let droppedText = dropped.length > 0 ? tokenizer.decode(dropped) : '';
  if (droppedText.length > MAX_DROPPED_TEXT_CHARS || droppedTokenCount > dropped.length) droppedText = `${droppedText.slice(0, MAX_DROPPED_TEXT_CHARS)}…`;
  return { fragments, ids, weights, droppedTokenCount, droppedText };
}

/**
 * The chunk count that a prompt and its negative share (the UNet's two rows need one context
 * length): enough for the longer of them, at least 1, at most maxChunks.
 */
export function sharedChunkCount(prompts: readonly WeightedTokens[], sequenceLength: number, maxChunks: number): number {
  const longest = Math.max(0, ...prompts.map((p) => p.ids.length));
  return Math.min(maxChunks, Math.max(1, Math.ceil(longest / tokensPerChunk(sequenceLength))));
}

/**
 * The text encoder's input for each chunk: `[bos] + up to 75 tokens + [eos]`, then padding, like the
 * standard pipeline's ids, so a one-chunk prompt gets exactly the ids it got before chunking.
 * (LPW puts the padding before the eos; with SD 1.x's tokenizer, whose pad is the eos, both are the same.)
 * A chunk past the end of the tokens holds bos, eos and padding only.
 */
export function chunkIds(tokens: WeightedTokens, chunks: number, sequenceLength: number, tokenizer: ClipTokenizer): Int32Array[] {
  const per = tokensPerChunk(sequenceLength);
  return Array.from({ length: chunks }, (_, c) => {
    const ids = new Int32Array(sequenceLength).fill(tokenizer.padId);
    const part = tokens.ids.slice(c * per, (c + 1) * per);
    ids[0] = tokenizer.bosId;
    ids.set(part, 1);
    ids[part.length + 1] = tokenizer.eosId;
    return ids;
  });
}

/** One float32 weight per context position, chunk after chunk: bos, eos and padding weigh 1. */
export function positionWeights(tokens: WeightedTokens, chunks: number, sequenceLength: number): Float32Array {
  const per = tokensPerChunk(sequenceLength);
  const weights = new Float32Array(chunks * sequenceLength).fill(1);
  tokens.weights.forEach((w, i) => {
    weights[Math.floor(i / per) * sequenceLength + 1 + (i % per)] = w;
  });
  return weights;
}

/** True when every token weighs 1 (in float32, as applied): the embeddings are used as the text encoder made them. */
export function isUnweighted(tokens: WeightedTokens): boolean {
  return tokens.weights.every((w) => Math.fround(w) === 1);
}

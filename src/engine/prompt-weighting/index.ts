export { ATTENTION_MULTIPLIER, parsePromptAttention } from './parse-prompt-attention';
export type { WeightedFragment } from './parse-prompt-attention';
export { DEFAULT_EMPHASIS, EMPHASIS_MODES, RESCALE_GUARD, applyEmphasis } from './emphasis';
export type { EmphasisMode, EmphasisResult } from './emphasis';
export { MAX_PROMPT_CHUNKS, chunkIds, isUnweighted, positionWeights, sharedChunkCount, tokenizeWeighted, tokensPerChunk } from './weighted-tokens';
export type { WeightedTokens } from './weighted-tokens';
export { MAX_TOKEN_WEIGHT, promptWeightProblem } from './weight-limits';

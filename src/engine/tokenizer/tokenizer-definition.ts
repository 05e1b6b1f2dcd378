/** What a CLIP tokenizer is built from, in memory, and the values Stable Diffusion 1.x uses by default. */

export const START_OF_TEXT = '<|startoftext|>';
export const END_OF_TEXT = '<|endoftext|>';
/** The text encoder's sequence length in Stable Diffusion 1.x. */
export const DEFAULT_MAX_LENGTH = 77;

export interface ClipTokenizerDefinition {
  /** token → id (`vocab.json`). */
  readonly vocab: ReadonlyMap<string, number> | Readonly<Record<string, number>>;
  /** Merges in priority order (`merges.txt` without its header), as "left right" or [left, right]. */
  readonly merges: ReadonlyArray<string | readonly [string, string]>;
  /** Ids per prompt, bos and eos included (`model_max_length`); default 77. */
  readonly maxLength?: number;
  /** Default `<|startoftext|>`. */
  readonly bosToken?: string;
  /** Default `<|endoftext|>`. */
  readonly eosToken?: string;
  /** Default: the eos token. */
  readonly padToken?: string;
  /** Stands for a symbol the vocabulary lacks. Default: the eos token, as in CLIP. */
  readonly unkToken?: string;
}

/** The special tokens of a definition with the defaults filled in. */
export function specialTokens(definition: ClipTokenizerDefinition): {
  bos: string;
  eos: string;
  pad: string;
  unk: string;
} {
  const eos = definition.eosToken ?? END_OF_TEXT;
  return {
    bos: definition.bosToken ?? START_OF_TEXT,
    eos,
    pad: definition.padToken ?? eos,
    unk: definition.unkToken ?? eos,
  };
}

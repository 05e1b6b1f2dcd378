/** A tokenizer directory file that is missing or does not hold what a CLIP tokenizer needs. */
export class TokenizerFileError extends Error {
  constructor(
    /** The file as the message names it, e.g. `tokenizer/vocab.json`. */
    readonly file: string,
    /** What is wrong with it. */
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'TokenizerFileError';
  }
}

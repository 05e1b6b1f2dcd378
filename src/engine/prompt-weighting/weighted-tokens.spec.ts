import { ClipTokenizer } from '../tokenizer';
import { chunkIds, isUnweighted, positionWeights, sharedChunkCount, tokenizeWeighted } from './weighted-tokens';

// ids: a 0, b 1, c 2, bos 3, eos 4, pad 5. A sequence length of 5 leaves 3 tokens per chunk.
const vocab = new Map(['a</w>', 'b</w>', 'c</w>', '<|startoftext|>', '<|endoftext|>', '<pad>'].map((t, i) => [t, i] as const));
const tokenizer = new ClipTokenizer({ vocab, merges: [], padToken: '<pad>' });
const LENGTH = 5;

describe('weighted tokens in chunks', () => {
  it('gives each token its fragment weight, fragments tokenised on their own', () => {
    const t = tokenizeWeighted('a (b c:1.5) [a]', tokenizer, LENGTH, 3);
    expect([t.ids, t.weights]).toEqual([
      [0, 1, 2, 0],
      [1, 1.5, 1.5, 1 / 1.1],
    ]);
    expect(isUnweighted(t)).toBe(false);
    expect(isUnweighted(tokenizeWeighted('a b c a b', tokenizer, LENGTH, 3))).toBe(true);
  });

  it('cuts after maxChunks chunks and reports the rest', () => {
    const t = tokenizeWeighted('a b c a b c a b', tokenizer, LENGTH, 2);
    expect(t.ids).toHaveLength(6);
    expect([t.droppedTokenCount, t.droppedText]).toEqual([2, 'a b']);
  });

  it('shares one chunk count between a prompt and its negative: the longer one, 1 to maxChunks', () => {
    const of = (text: string) => tokenizeWeighted(text, tokenizer, LENGTH, 3);
    expect(sharedChunkCount([of(''), of('')], LENGTH, 3)).toBe(1);
    expect(sharedChunkCount([of('a b c'), of('')], LENGTH, 3)).toBe(1);
    expect(sharedChunkCount([of('a'), of('a b c a')], LENGTH, 3)).toBe(2);
    expect(sharedChunkCount([of('a b c a b c a b c a')], LENGTH, 3)).toBe(3);
  });

  it('lays each chunk out as [bos] + tokens + [eos] + padding, and weighs bos, eos and padding 1', () => {
    const t = tokenizeWeighted('a (b:2) c a', tokenizer, LENGTH, 3);
    expect(chunkIds(t, 3, LENGTH, tokenizer).map((c) => [...c])).toEqual([
      [3, 0, 1, 2, 4],
      [3, 0, 4, 5, 5],
      [3, 4, 5, 5, 5],
    ]);
    expect([...positionWeights(t, 3, LENGTH)]).toEqual([1, 1, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
  });

  it('gives a plain prompt of one chunk exactly the standard encoding', () => {
    const t = tokenizeWeighted('a b', tokenizer, LENGTH, 3);
    expect([...(chunkIds(t, 1, LENGTH, tokenizer)[0] as Int32Array)]).toEqual(new ClipTokenizer({ vocab, merges: [], padToken: '<pad>', maxLength: LENGTH }).encode('a b').ids);
  });
});

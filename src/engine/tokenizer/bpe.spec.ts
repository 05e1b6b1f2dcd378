import { BpeMerger } from './bpe';

/** CLIP's `bpe()`, transcribed literally: one scan of the word per round. */
function clipBpe(word: string, merges: ReadonlyArray<readonly [string, string]>): string[] {
  const ranks = new Map(merges.map(([a, b], rank) => [`${a} ${b}`, rank] as const));
  let symbols = Array.from(word);
  symbols[symbols.length - 1] += '</w>';
  for (;;) {
    let bestRank = Infinity;
    for (let i = 0; i + 1 < symbols.length; i++) {
      bestRank = Math.min(bestRank, ranks.get(`${symbols[i]} ${symbols[i + 1]}`) ?? Infinity);
    }
    if (bestRank === Infinity) return symbols;
    const [first, second] = merges[bestRank] as readonly [string, string];
    const merged: string[] = [];
    for (let i = 0; i < symbols.length; ) {
      if (symbols[i] === first && symbols[i + 1] === second) {
        merged.push(first + second);
        i += 2;
      } else {
        merged.push(symbols[i++] as string);
      }
    }
    symbols = merged;
  }
}

/** A small deterministic generator (LCG), so failures reproduce. */
function random(seed: number): (n: number) => number {
  let state = seed >>> 0;
  return (n) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state % n;
  };
}

/** A merge list as training makes one: each half is a letter or an earlier merge's result. */
function trainedMerges(next: (n: number) => number, count: number): Array<[string, string]> {
  const inner = ['a', 'b', 'c'];
  const all = [...inner, 'a</w>', 'b</w>', 'c</w>'];
  const merges: Array<[string, string]> = [];
  while (merges.length < count) {
    const left = inner[next(inner.length)] as string;
    const right = all[next(all.length)] as string;
    const merged = left + right;
    if (all.includes(merged)) continue;
    merges.push([left, right]);
    all.push(merged);
    if (!merged.endsWith('</w>')) inner.push(merged);
  }
  return merges;
}

/** An arbitrary merge list: any order, some results needed before they exist, duplicates. */
function arbitraryMerges(next: (n: number) => number, count: number): Array<[string, string]> {
  const pieces = ['a', 'b', 'c', 'aa', 'ab', 'ba', 'abc', 'a</w>', 'b</w>', 'c</w>', 'aa</w>', 'ca</w>'];
  const merges: Array<[string, string]> = [];
  for (let i = 0; i < count; i++) {
    const left = pieces[next(7)] as string; // the first 7 pieces carry no </w>
    merges.push([left, pieces[next(pieces.length)] as string]);
  }
  return merges;
}

function randomWord(next: (n: number) => number): string {
  const length = 1 + next(next(2) === 0 ? 6 : 40);
  return Array.from({ length }, () => 'abc'[next(next(3) === 0 ? 1 : 3)]).join('');
}

describe('BpeMerger', () => {
  it('appends </w> to the last symbol and merges by rank', () => {
    const bpe = new BpeMerger([
      ['h', 'e'],
      ['l', 'l'],
      ['he', 'll'],
      ['hell', 'o</w>'],
      ['o', 'w</w>'],
    ]);
    expect(bpe.split('hello')).toEqual(['hello</w>']);
    expect(bpe.split('hell')).toEqual(['he', 'l', 'l</w>']); // "l l</w>" is no merge
    expect(bpe.split('helllo')).toEqual(['hell', 'l', 'o</w>']);
    expect(bpe.split('ow')).toEqual(['ow</w>']);
    expect(bpe.split('a')).toEqual(['a</w>']);
    expect(bpe.split('')).toEqual([]);
  });

  it('merges overlapping occurrences left to right, all in one round', () => {
    const bpe = new BpeMerger([
      ['a', 'a'],
      ['aa', 'a</w>'],
    ]);
    expect(bpe.split('aaa')).toEqual(['aaa</w>']);
    // a a a a</w>: the first two pairs overlap, so only the first merges; "aa a" is no merge.
    expect(bpe.split('aaaa')).toEqual(['aa', 'a', 'a</w>']);
    expect(bpe.split('aaaaa')).toEqual(['aa', 'aaa</w>']);
  });

  it('leaves symbols no merge names as they are', () => {
    expect(new BpeMerger([['a', 'b']]).split('xaby')).toEqual(['x', 'ab', 'y</w>']);
    expect(new BpeMerger([]).split('é')).toEqual(['é</w>']);
  });

  it('rejects a merge with an empty half or a space', () => {
    expect(() => new BpeMerger([['a', '']])).toThrow(RangeError);
    expect(() => new BpeMerger([['a b', 'c']])).toThrow(/no space/);
  });

  it.each([1, 2, 3, 4, 5])('agrees with CLIP on random words and trained merges (seed %i)', (seed) => {
    const next = random(seed);
    const list = trainedMerges(next, 30);
    const bpe = new BpeMerger(list);
    for (let i = 0; i < 300; i++) {
      const word = randomWord(next);
      expect(bpe.split(word)).toEqual(clipBpe(word, list));
    }
  });

  it.each([6, 7, 8, 9, 10])('agrees with CLIP on random words and arbitrary merges (seed %i)', (seed) => {
    const next = random(seed);
    const list = arbitraryMerges(next, 25);
    const bpe = new BpeMerger(list);
    for (let i = 0; i < 300; i++) {
      const word = randomWord(next);
      expect(bpe.split(word)).toEqual(clipBpe(word, list));
    }
  });
});

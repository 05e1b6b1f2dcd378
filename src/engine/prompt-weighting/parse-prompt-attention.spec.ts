import { parsePromptAttention } from './parse-prompt-attention';

const pairs = (text: string): [string, number][] => parsePromptAttention(text).map((f) => [f.text, f.weight]);

describe('parsePromptAttention (AUTOMATIC1111 before 1.8)', () => {
  it('leaves a prompt without brackets as one fragment of weight 1, unchanged', () => {
    expect(pairs('a red kente dress, studio photo: full length')).toEqual([['a red kente dress, studio photo: full length', 1]]);
  });

  it('gives an empty prompt one empty fragment', () => {
    expect(pairs('')).toEqual([['', 1]]);
    expect(pairs('()')).toEqual([['', 1]]);
  });

  it('multiplies by 1.1 per round bracket and divides by 1.1 per square bracket', () => {
    expect(pairs('a (red) dress')).toEqual([['a ', 1], ['red', 1.1], [' dress', 1]]);
    expect(pairs('a [red] dress')).toEqual([['a ', 1], ['red', 1 / 1.1], [' dress', 1]]);
    expect(pairs('((red))')).toEqual([['red', 1.1 * 1.1]]);
  });

  it('takes an explicit weight, with or without spaces around it', () => {
    expect(pairs('a (kente:1.4) dress')).toEqual([['a ', 1], ['kente', 1.4], [' dress', 1]]);
    expect(pairs('(kente: 0.5 )')).toEqual([['kente', 0.5]]);
    expect(pairs('(kente:-1)')).toEqual([['kente', -1]]);
    expect(pairs('(kente:.5)')).toEqual([['kente', 0.5]]);
  });

  it('multiplies nested weights (the reference case l03)', () => {
    expect(pairs('a ((red)) kente (dress:1.2) with ((gold [beads])), (((masterpiece)))')).toEqual([
      ['a ', 1],
      ['red', 1.2100000000000002],
      [' kente ', 1],
      ['dress', 1.2],
      [' with ', 1],
      ['gold ', 1.2100000000000002],
      ['beads', 1.1],
      [', ', 1],
      ['masterpiece', 1.3310000000000004],
    ]);
    expect(pairs('((a:2) b:3)')).toEqual([['a', 6], [' b', 3]]);
  });

  it('applies an unclosed bracket to the end of the prompt', () => {
    expect(pairs('a (red dress')).toEqual([['a ', 1], ['red dress', 1.1]]);
    expect(pairs('a [red (dress')).toEqual([['a ', 1], ['red ', 1 / 1.1], ['dress', 1.1 / 1.1]]);
  });

  it('reads escaped brackets and backslashes as text, and drops a lone backslash', () => {
    expect(pairs('a \\(red\\) \\[dress\\]')).toEqual([['a (red) [dress]', 1]]);
    expect(pairs('back\\\\slash')).toEqual([['back\\slash', 1]]);
    expect(pairs('a\\b')).toEqual([['ab', 1]]);
    expect(pairs('(\\(red\\))')).toEqual([['(red)', 1.1]]);
  });

  it('reads stray closing brackets, colons and malformed weights as text', () => {
    expect(pairs('a) b] c')).toEqual([['a) b] c', 1]]);
    expect(pairs('style: kente:1.2)')).toEqual([['style: kente:1.2)', 1]]);
    expect(pairs('(a:1.2.3)')).toEqual([['a:1.2.3', 1.1]]);
    expect(pairs('(a:x)')).toEqual([['a:x', 1.1]]);
  });

  it('merges adjacent fragments of equal weight', () => {
    expect(pairs('(a)(b) c')).toEqual([['ab', 1.1], [' c', 1]]);
    expect(pairs('a (b:1) c')).toEqual([['a b c', 1]]);
  });

  it('treats BREAK as plain text', () => {
    expect(pairs('a BREAK (b)')).toEqual([['a BREAK ', 1], ['b', 1.1]]);
  });
});

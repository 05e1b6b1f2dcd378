import { preTokenize } from './pre-tokenize';

const words = (text: string): string[] => [...preTokenize(text)];

describe('preTokenize', () => {
  it.each<[string, string[]]>([
    ['hello, world!', ['hello', ',', 'world', '!']],
    ['1234 px', ['1', '2', '3', '4', 'px']],
    ["it's we're they'll i'm you'd can't i've", ['it', "'s", 'we', "'re", 'they', "'ll", 'i', "'m", 'you', "'d", 'can', "'t", 'i', "'ve"]],
    ["'sa", ["'s", 'a']],
    ['<|startoftext|>a cat<|endoftext|>', ['<|startoftext|>', 'a', 'cat', '<|endoftext|>']],
    ['<|other|>', ['<|', 'other', '|>']],
    ['café 猫猫 🐱🐱 ١٢', ['café', '猫猫', '🐱🐱', '١', '٢']],
    ['e\u0301', ['e', '\u0301']], // a combining mark is neither a letter nor a digit
    ['', []],
  ])('%j', (text, expected) => {
    expect(words(text)).toEqual(expected);
  });

  it('is lazy', () => {
    const iterator = preTokenize('a b c');
    expect(iterator.next()).toEqual({ value: 'a', done: false });
  });
});

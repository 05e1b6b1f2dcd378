import { textToByteSymbols } from './byte-unicode';
import { tokensToText } from './token-text';

describe('tokensToText', () => {
  it('maps byte symbols back to text and </w> to a space, trimming the end', () => {
    expect(tokensToText(['hel', 'lo</w>', 'wor', 'ld</w>'])).toBe('hello world');
  });

  it('reassembles multi-byte characters split over tokens', () => {
    const symbols = textToByteSymbols('猫🐱');
    expect(tokensToText([symbols.slice(0, 2).join(''), `${symbols.slice(2).join('')}</w>`])).toBe('猫🐱');
  });

  it('replaces a cut character with U+FFFD', () => {
    expect(tokensToText([`${textToByteSymbols('猫').slice(1).join('')}</w>`, 'a</w>'])).toBe('\ufffd\ufffd a');
  });

  it('keeps characters outside the byte alphabet as they are', () => {
    expect(tokensToText(['<|x|></w>', 'a</w>'])).toBe('<|x|> a');
    expect(tokensToText(['Ж x</w>'])).toBe('Ж x'); // neither U+0416 nor U+0020 is a byte symbol
    expect(tokensToText(['é</w>'])).toBe('\ufffd'); // U+00E9 is one: the lone byte 0xE9
  });
});

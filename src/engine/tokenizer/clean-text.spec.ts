import { cleanText } from './clean-text';

describe('cleanText', () => {
  it.each<[string, string]>([
    ['  A   Photo\n of a CAT ', 'a photo of a cat'],
    ['a\tb\r\nc\u3000d\u00a0e\u2028f\u0085g', 'a b c d e f g'],
    ['a &amp; b', 'a & b'],
    ['&amp;lt;b&amp;gt;', '<b>'], // decoded twice, as CLIP does
    ['a&nbsp;&nbsp;b', 'a b'], // a decoded no-break space is white space too
    ['E\u0301TÉ', 'été'], // NFC, then lower case
    ['', ''],
    [' \n\t ', ''],
  ])('%j → %j', (input, expected) => {
    expect(cleanText(input)).toBe(expected);
  });

  it('keeps what Python keeps: U+001C..U+001F inside the text, U+FEFF and U+200B anywhere', () => {
    expect(cleanText('\u001ca\u001c b\u001f')).toBe('a\u001c b');
    expect(cleanText('\ufeffa\u200bb')).toBe('\ufeffa\u200bb');
  });

  it('is linear on a long run of spaces', () => {
    expect(cleanText(`${' '.repeat(1 << 20)}a${' '.repeat(1 << 20)}b`)).toBe('a b');
  });
});

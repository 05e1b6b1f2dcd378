import { htmlUnescape } from './html-unescape';

describe('htmlUnescape', () => {
  // Expected values are Python's html.unescape (3.x) on the same input.
  it.each<[string, string]>([
    ['a &amp; b', 'a & b'],
    ['&amp;lt;', '&lt;'],
    ['&lt;&gt;&quot;&#39;&apos;', '<>"\'\''],
    ['&nbsp;x', '\u00a0x'],
    ['&#65;&#x42;&#X43;', 'ABC'],
    ['&#65', 'A'],
    ['&#x41x', 'Ax'],
    ['&ampx', '&x'],
    ['&notit;', '\u00acit;'],
    ['&notin;', '\u2209'],
    ['&AMP;&COPY', '&\u00a9'],
    ['&Amp;', '&Amp;'],
    ['&bogus;', '&bogus;'],
    ['&', '&'],
    ['&#', '&#'],
    ['&#x;', '&#x;'],
    ['&#0;', '\ufffd'],
    ['&#13;', '\r'],
    ['&#x80;&#x81;&#159;', '\u20ac\u0081\u0178'],
    ['&#x110000;', '\ufffd'],
    ['&#xD800;', '\ufffd'],
    ['&#1;&#x7f;&#xFFFE;', ''],
    ['&#128512;', '\ud83d\ude00'],
    ['caf&eacute; &euro;5 &hellip;', 'caf\u00e9 \u20ac5 \u2026'],
    ['&copy2024', '\u00a92024'],
    ['&ltx &gt;&gt;', '<x >>'],
    ['&#99999999999999999999;', '\ufffd'],
    ['no references', 'no references'],
  ])('%j → %j', (input, expected) => {
    expect(htmlUnescape(input)).toBe(expected);
  });

  it('decodes once per call', () => {
    expect(htmlUnescape('&amp;amp;')).toBe('&amp;');
  });

  it('is linear on long runs of ampersands and names', () => {
    expect(htmlUnescape('&'.repeat(1 << 20))).toHaveLength(1 << 20);
    expect(htmlUnescape(`&${'a'.repeat(1 << 20)}`)).toHaveLength((1 << 20) + 1);
  });
});

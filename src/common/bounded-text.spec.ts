import { bounded, boundMessage, MAX_MESSAGE_LENGTH, quote } from './bounded-text';

describe('bounded text', () => {
  it('keeps a short value whole', () => {
    expect(bounded('nope')).toBe('nope');
    expect(quote('a\u0000b')).toBe('"a\\u0000b"');
  });

  it('cuts a long value to its head, an ellipsis and its length', () => {
    expect(bounded('a'.repeat(100_000))).toBe(`${'a'.repeat(64)}… (100000 characters)`);
    expect(quote('b'.repeat(65), 4)).toBe('"bbbb"… (65 characters)');
  });

  it('never ends inside a surrogate pair', () => {
    const text = `${'a'.repeat(63)}👗${'b'.repeat(10)}`;
    expect(bounded(text)).toBe(`${'a'.repeat(63)}… (${text.length} characters)`);
    expect(Buffer.from(bounded(text), 'utf8').toString('utf8')).toBe(bounded(text));
  });

  it('bounds whole messages to MAX_MESSAGE_LENGTH characters plus the note', () => {
    expect(boundMessage('x'.repeat(MAX_MESSAGE_LENGTH))).toHaveLength(MAX_MESSAGE_LENGTH);
    expect(boundMessage('x'.repeat(1_000_000)).length).toBeLessThan(MAX_MESSAGE_LENGTH + 32);
  });
});

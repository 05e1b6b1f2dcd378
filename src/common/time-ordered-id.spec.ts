import { mintedAt, timeOrderedId } from './time-ordered-id';

describe('timeOrderedId (UUIDv7)', () => {
  it('is a UUID string of version 7 and RFC 9562 variant that carries its millisecond time', () => {
    const at = Date.parse('2026-12-07T06:00:00.123Z');
    const id = timeOrderedId(at);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(mintedAt(id)).toBe(at);
    expect(id.slice(0, 13)).toBe(`${at.toString(16).padStart(12, '0').slice(0, 8)}-${at.toString(16).padStart(12, '0').slice(8)}`);
  });

  it('differs for ids minted in the same millisecond, and sorts by time', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => timeOrderedId(5)));
    expect(ids.size).toBe(1000);
    expect(timeOrderedId(1_000) < timeOrderedId(2_000)).toBe(true);
  });

  it('reads no time from other UUID versions or other text', () => {
    expect(mintedAt('2f4520c1-4673-4c97-b02d-8ad49109222c')).toBeUndefined();
    expect(mintedAt('not-an-id')).toBeUndefined();
  });
});

import { BoundedCache } from './bounded-cache';

describe('BoundedCache', () => {
  it('forgets the oldest entry past its capacity', () => {
    const cache = new BoundedCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('a', 3); // an update, not a new entry
    cache.set('c', 4);
    expect([cache.get('a'), cache.get('b'), cache.get('c'), cache.size]).toEqual([undefined, 2, 4, 2]);
  });

  it('rejects a capacity below 1', () => {
    expect(() => new BoundedCache(0)).toThrow(RangeError);
  });
});

import type { GenerationRecord } from './generation-store';
import { bodyFingerprint, canonicalJson, IdempotencyCache } from './idempotency-cache';

const record = { id: 'g', images: [{ bytes: Buffer.alloc(1_000) }] } as unknown as GenerationRecord;

describe('IdempotencyCache', () => {
  it('holds the end promise only while the job runs, never the finished record', async () => {
    const cache = new IdempotencyCache(60_000);
    let finish: (r: GenerationRecord) => void = () => undefined;
    const done = new Promise<GenerationRecord>((resolve) => (finish = resolve));
    cache.remember('client', 'key', bodyFingerprint({ a: 1 }), 'g1', done);
    expect(cache.find('client', 'key')?.running).toBe(done);
    finish(record);
    await done;
    await Promise.resolve();
    expect(cache.find('client', 'key')).toEqual({ fingerprint: bodyFingerprint({ a: 1 }), id: 'g1', createdAt: expect.any(Number) });
  });

  it('scopes keys by client, forgets a generation the store dropped, and expires with the result time', () => {
    let now = 0;
    const cache = new IdempotencyCache(1_000, 100, () => now);
    cache.remember('a', 'key', 'f', 'g1', Promise.resolve(record));
    cache.remember('b', 'key', 'f', 'g2', Promise.resolve(record));
    expect(cache.find('a', 'key')?.id).toBe('g1');
    cache.forget('g1');
    expect(cache.find('a', 'key')).toBeUndefined();
    expect(cache.find('b', 'key')?.id).toBe('g2');
    now = 1_001;
    expect(cache.find('b', 'key')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('is bounded in entries: past the bound the oldest key is forgotten', () => {
    const cache = new IdempotencyCache(60_000, 3);
    for (let i = 0; i < 5; i++) cache.remember('a', `k${i}`, 'f', `g${i}`, Promise.resolve(record));
    expect(cache.size).toBe(3);
    expect(cache.find('a', 'k1')).toBeUndefined();
    expect(cache.find('a', 'k4')?.id).toBe('g4');
  });

  it('fingerprints bodies in a fixed size, equal for the same fields in another order', () => {
    expect(bodyFingerprint({ a: 1, b: 'x'.repeat(100_000) })).toBe(bodyFingerprint({ b: 'x'.repeat(100_000), a: 1 }));
    expect(bodyFingerprint({ a: 1 })).not.toBe(bodyFingerprint({ a: 2 }));
    expect(bodyFingerprint({ b: 'x'.repeat(100_000) }).length).toBeLessThan(64);
  });

  it('fingerprints an uploaded image by its bytes, without spelling 8 MiB out as JSON', () => {
    const image = Buffer.alloc(8 * 1024 * 1024, 7);
    const other = Buffer.from(image);
    other[other.length - 1] = 8;
    expect(canonicalJson({ prompt: 'a', initImage: image })).toMatch(/^\{"initImage":"sha256:[\w-]{43}","prompt":"a"\}$/);
    expect(bodyFingerprint({ prompt: 'a', initImage: image })).toBe(bodyFingerprint({ initImage: Buffer.from(image), prompt: 'a' }));
    expect(bodyFingerprint({ prompt: 'a', initImage: image })).not.toBe(bodyFingerprint({ prompt: 'a', initImage: other }));
    expect(bodyFingerprint({ prompt: 'a', initImage: new Uint8Array(image) })).toBe(bodyFingerprint({ prompt: 'a', initImage: image }));
  });
});

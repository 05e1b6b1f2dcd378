import { recentSnapshot } from './recent-snapshot';

describe('recentSnapshot', () => {
  it('shares one read between calls close together', async () => {
    let reads = 0;
    const read = recentSnapshot(async () => ++reads, 60_000, 60_000);
    expect(await Promise.all([read(), read()])).toEqual([1, 1]);
    expect(await read()).toBe(1);
    expect(reads).toBe(1);
  });

  it('reads again once the snapshot is older than maxAgeMs', async () => {
    let reads = 0;
    const read = recentSnapshot(async () => ++reads, 0, 60_000);
    expect(await read()).toBe(1);
    expect(await read()).toBe(2);
  });

  it('gives the last good snapshot when a read fails or does not answer in time, undefined before any', async () => {
    const answers: Array<() => Promise<number>> = [() => Promise.reject(new Error('worker restarting')), async () => 7, () => new Promise<number>(() => undefined)];
    const read = recentSnapshot(() => (answers.shift() as () => Promise<number>)(), 0, 5);
    expect(await read()).toBeUndefined();
    expect(await read()).toBe(7);
    expect(await read()).toBe(7);
  });
});

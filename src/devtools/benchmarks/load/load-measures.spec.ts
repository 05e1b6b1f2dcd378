import {
  FIXED_MARGIN_BYTES,
  keptAllowance,
  memoryBound,
  offeredAsAsked,
  secondHalfGrowth,
  SERVER_CONNECTION_BYTES,
  summariseMemory,
  verdicts,
  clientSockets,
  type MemorySample,
} from './load-measures';

describe('bench:load measures', () => {
  it('bounds memory by the settings, with nothing that grows with rejected requests', () => {
    const input = { maxQueued: 64, inFlightJobs: 8, size: 128, numImages: 1, storeBytes: 64 * 2 ** 20, acceptedJobs: 1000, serverConnections: 512 };
    const bound = memoryBound(input);
    expect(bound.totalBytes).toBe(bound.parts.reduce((n, p) => n + p.bytes, 0));
    const part = (name: string): number => bound.parts.find((p) => p.name === name)?.bytes ?? NaN;
    expect(part('running jobs')).toBe(8 * 4 * 3 * 128 * 128 * 4);
    expect(part('result store')).toBe(64 * 2 ** 20 + 4 * 3 * 128 * 128 * 4);
    expect(part('fixed margin')).toBe(FIXED_MARGIN_BYTES);
    expect(memoryBound({ ...input, maxQueued: 128 }).totalBytes).toBeGreaterThan(bound.totalBytes);
  });

  it("counts only the server's end of the client's connections, which the client's socket cap bounds", () => {
    const bound = memoryBound({ maxQueued: 64, inFlightJobs: 8, size: 512, numImages: 1, storeBytes: 64 * 2 ** 20, acceptedJobs: 600, serverConnections: clientSockets(1024) });
    expect(bound.parts.map((p) => p.name)).toEqual(['queued jobs', 'running jobs', 'result store', 'records', 'connections', 'fixed margin']);
    expect(bound.parts.find((p) => p.name === 'connections')?.bytes).toBe(512 * SERVER_CONNECTION_BYTES);
    expect(clientSockets(1024)).toBe(512);
    expect(clientSockets(16)).toBe(16);
  });

  it('summarises memory by phase and sees whether the burst levelled off', () => {
    const mb = 2 ** 20;
    const sample = (t: number, phase: string, rss: number): MemorySample => ({ t, phase, rss: rss * mb, heapUsed: rss * mb / 2, external: 0, arrayBuffers: 0 });
    const samples = [sample(0, 'baseline', 100), sample(1, 'baseline', 102), sample(2, 'baseline', 101), ...[150, 160, 170, 171, 170, 171].map((r, i) => sample(3 + i, 'burst', r))];
    const baseline = summariseMemory(samples, ['baseline']);
    expect(baseline).toMatchObject({ n: 3, rssMedian: 101 * mb, rssMax: 102 * mb });
    expect(summariseMemory(samples, ['after']).n).toBe(0);
    expect(secondHalfGrowth(samples, 'burst')).toBe(1 * mb);
    expect(secondHalfGrowth(samples, 'baseline')).toBeNaN();
  });

  it('allows the encoded images and a little per job to stay after the burst', () => {
    expect(keptAllowance(0, 60_000)).toBe(8 * 2 ** 20);
    expect(keptAllowance(100, 60_000)).toBe(100 * (60_000 + 16 * 1024) + 8 * 2 ** 20);
  });

  it('tells whether the client offered the asked load', () => {
    expect(offeredAsAsked({ scheduled: 2000, sent: 2000, notSent: 0, durationMs: 10_050, seconds: 10 })).toBe(true);
    expect(offeredAsAsked({ scheduled: 2000, sent: 1900, notSent: 100, durationMs: 10_050, seconds: 10 })).toBe(false);
    expect(offeredAsAsked({ scheduled: 2000, sent: 2000, notSent: 0, durationMs: 21_000, seconds: 10 })).toBe(false);
  });

  it('judges the three targets', () => {
    const ok = { rejectionP99Ms: 12, rejected: 100, growthBytes: 10, boundBytes: 20, keptBytes: 5, keptAllowanceBytes: 5, accepted: 50, succeeded: 50 };
    expect(verdicts(ok)).toEqual({ fastRejections: true, memoryBounded: true, keptMatchesStore: true, allAcceptedCompleted: true });
    expect(verdicts({ ...ok, keptBytes: 6 }).keptMatchesStore).toBe(false);
    expect(verdicts({ ...ok, keptBytes: NaN }).keptMatchesStore).toBe(false);
    expect(verdicts({ ...ok, rejectionP99Ms: 51 }).fastRejections).toBe(false);
    expect(verdicts({ ...ok, rejected: 0, rejectionP99Ms: NaN }).fastRejections).toBe(false);
    expect(verdicts({ ...ok, growthBytes: 21 }).memoryBounded).toBe(false);
    expect(verdicts({ ...ok, succeeded: 49 }).allAcceptedCompleted).toBe(false);
  });
});

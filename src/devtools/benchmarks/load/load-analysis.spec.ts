import { analyse, type RunData } from './load-analysis';
import { DEFAULT_LOAD_BENCH_OPTIONS } from './load-benchmark-support';
import { clientSockets, SERVER_CONNECTION_BYTES, type MemorySample } from './load-measures';
import { RECORDS } from './load-records.fixture';


const probe = { durationMs: 1000, eventLoop: { p50: 1, p99: 2, max: 3 }, gc: { count: 0, totalMs: 0, maxMs: 0 }, cores: 1 };
const MiB = 2 ** 20;
const sample = (t: number, phase: string, rssMiB: number, externalMiB = 10): MemorySample => ({ t, phase, rss: rssMiB * MiB, heapUsed: 50 * MiB, external: externalMiB * MiB, arrayBuffers: 0 });

function runData(overrides: Partial<RunData> = {}): RunData {
  return {
    options: DEFAULT_LOAD_BENCH_OPTIONS,
    settings: { maxQueued: 64, effectiveQueue: 64, perDeviceQueue: 64, devices: 1, rowsPerJob: 2, inFlightJobs: 8, storeBytes: 64 * MiB },
    capacity: { perSecond: 20, completed: 120, elapsedMs: 6000, latencyMs: [400], next: 136 },
    capacityServer: probe,
    rate: 200,
    burst: { scheduled: 7, sent: 6, notSent: 1, durationMs: 20_000, maxOpen: 3, probe },
    server: probe,
    records: RECORDS,
    jobs: [{ id: 'a', outcome: 'succeeded' }, { id: 'b', outcome: 'succeeded' }],
    polls: 4,
    pollErrors: 0,
    drainMs: 3000,
    drainBudgetMs: 60_000,
    samples: [sample(0, 'baseline', 500), sample(1, 'baseline', 502), sample(2, 'burst', 540, 30), sample(3, 'drain', 560, 30), sample(4, 'after', 510, 10.5)],
    poolQueued: [{ t: 2, phase: 'burst', queued: 64, running: 8 }],
    totals: { submitted: 2, rejected: 2, succeeded: 2 },
    imageBytes: 400_000,
    gcAvailable: true,
    serverTimes: { arrival: [1, 3, 0, 6], status: [429, 429, 202, 202], receivedAt: [99, 105, 101, 110], finishedAt: [99.5, 107, 102, 111] },
    clientMaxRssBytes: 90 * MiB,
    ...overrides,
  };
}

describe('bench:load analysis', () => {
  it('measures growth from the baseline against a bound that holds nothing of the client but its connections to the server', () => {
    const a = analyse(runData());
    expect(a.accepted).toBe(2);
    expect(a.memory.growthBytes).toBe(59 * MiB);
    expect(a.memory.keptExternalBytes).toBe(0.5 * MiB);
    expect(a.bound.parts.find((p) => p.name === 'connections')?.bytes).toBe(clientSockets(DEFAULT_LOAD_BENCH_OPTIONS.maxInFlight) * SERVER_CONNECTION_BYTES);
    expect(a.bound.parts.find((p) => p.name === 'records')?.rule).toMatch(/^154 accepted/);
    expect(a.pool).toEqual({ maxQueued: 64, maxRunning: 8, mismatches: [] });
    expect(a.latency.serverSideRejected.n).toBe(2);
    expect(a.rejectedBreakdown).toMatchObject({ joined: 2, beforeServer: { max: 5 }, inServer: { max: 2 }, afterServer: { max: 2 } });
    expect(a.offeredAsAsked).toBe(false);
  });

  it('judges the targets on what the client saw', () => {
    expect(analyse(runData()).verdicts).toEqual({ fastRejections: true, memoryBounded: true, keptMatchesStore: true, allAcceptedCompleted: true });
    const slow = analyse(runData({ records: RECORDS.map((r) => (r.status === 429 ? { ...r, ms: 80 } : r)) }));
    expect(slow.verdicts.fastRejections).toBe(false);
    expect(slow.missed).toEqual(['fastRejections']);
    const unfinished = analyse(runData({ jobs: [{ id: 'a', outcome: 'succeeded' }, { id: 'b' }], totals: { submitted: 2, rejected: 2, succeeded: 1 } }));
    expect(unfinished.missed).toEqual(['allAcceptedCompleted']);
  });
});

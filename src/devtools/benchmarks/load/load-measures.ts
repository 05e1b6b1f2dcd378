/**
 * Pure measures of `npm run bench:load`: the memory bound it checks, the summaries of memory samples
 * and latencies, and the verdicts it prints. No I/O here.
 */
import { percentile } from '../api-benchmark-support';
import { REJECTION_P99_TARGET_MS } from './load-benchmark-support';

// ---- the memory bound ----

const KiB = 1024;
const MiB = 1024 * KiB;

/** What a queued job holds: its request, the generation record, the pool's job, closures. */
export const QUEUED_JOB_BYTES = 16 * KiB;
/** A generation record kept (without its images) until AFD_RESULT_TTL_SECONDS. */
export const RECORD_BYTES = 2 * KiB;
/** The generation store remembers up to 10,000 expired ids (tombstones, about 200 bytes each). */
export const TOMBSTONE_BYTES = 10_000 * 200;
/**
 * The server's end of one connection the client holds open: the socket and its buffers, the HTTP
 * parser, the request and response objects. The client's end is in its own process, outside the bound.
 */
export const SERVER_CONNECTION_BYTES = 16 * KiB;
/** The client's cap on sockets to the server (keep-alive); requests beyond it wait in the client. */
export const MAX_CLIENT_SOCKETS = 512;
/** Fixed margin: V8's heap headroom before a major collection and the allocators' arenas of the threads. */
export const FIXED_MARGIN_BYTES = 128 * MiB;
/** Rows the pool keeps in flight per device by default: 2 × the default maxBatch of 8. */
export const DEFAULT_IN_FLIGHT_ROWS = 16;

/** Sockets the client opens to the server: one per open request, up to MAX_CLIENT_SOCKETS. */
export function clientSockets(maxInFlight: number): number {
  return Math.min(maxInFlight, MAX_CLIENT_SOCKETS);
}

export interface MemoryBoundInput {
  /** The effective queue bound (jobs waiting). */
  readonly maxQueued: number;
  /** Jobs the pool runs at once. */
  readonly inFlightJobs: number;
  /** Image width and height. */
  readonly size: number;
  /** Images per job. */
  readonly numImages: number;
  /** AFD_RESULT_STORE_MB in bytes. */
  readonly storeBytes: number;
  /** Jobs accepted over the whole run (their records are kept, without images once evicted, until the TTL). */
  readonly acceptedJobs: number;
  /** Connections the client may hold open to the server (clientSockets). */
  readonly serverConnections: number;
}

export interface MemoryBound {
  readonly totalBytes: number;
  readonly parts: ReadonlyArray<{ readonly name: string; readonly bytes: number; readonly rule: string }>;
}

/**
 * The most the server process's RSS may grow over its warmed-up baseline during and after a burst,
 * whatever the offered rate: nothing in it grows with the number of rejected requests, and nothing of
 * the client's (it runs in a process of its own). A running job holds
 * about four image-sized float32 buffers (the decoded image, its conversion to bytes, the encoder's
 * buffers); the result store holds at most its budget of encoded images (it may overshoot by the
 * images of one job); the records of accepted jobs grow only with accepted work (bounded by capacity
 * × the result time).
 */
export function memoryBound(input: MemoryBoundInput): MemoryBound {
  const runningJobBytes = input.numImages * 4 * 3 * input.size * input.size * 4;
  const parts = [
    { name: 'queued jobs', bytes: input.maxQueued * QUEUED_JOB_BYTES, rule: `${input.maxQueued} × ${QUEUED_JOB_BYTES / KiB} KiB` },
    { name: 'running jobs', bytes: input.inFlightJobs * runningJobBytes, rule: `${input.inFlightJobs} × 4 float32 images of ${input.size}×${input.size}×3` },
    { name: 'result store', bytes: input.storeBytes + runningJobBytes, rule: 'AFD_RESULT_STORE_MB + one job (overshoot before eviction)' },
    { name: 'records', bytes: input.acceptedJobs * RECORD_BYTES + TOMBSTONE_BYTES, rule: `${input.acceptedJobs} accepted × ${RECORD_BYTES / KiB} KiB + 10,000 tombstones` },
    {
      name: 'connections',
      bytes: input.serverConnections * SERVER_CONNECTION_BYTES,
      rule: `${input.serverConnections} client sockets × ${SERVER_CONNECTION_BYTES / KiB} KiB (the server's end)`,
    },
    { name: 'fixed margin', bytes: FIXED_MARGIN_BYTES, rule: 'V8 heap headroom, allocator arenas' },
  ];
  return { totalBytes: parts.reduce((n, p) => n + p.bytes, 0), parts };
}

// ---- memory samples ----

export interface MemorySample {
  /** ms since the run started. */
  readonly t: number;
  readonly phase: string;
  readonly rss: number;
  readonly heapUsed: number;
  readonly external: number;
  readonly arrayBuffers: number;
}

export interface MemoryPhaseSummary {
  readonly n: number;
  readonly rssMedian: number;
  readonly rssMax: number;
  readonly heapUsedMedian: number;
  readonly heapUsedMax: number;
  readonly externalMedian: number;
  readonly externalMax: number;
}

/** Median and maximum of the samples of the given phases (NaN when there are none). */
export function summariseMemory(samples: readonly MemorySample[], phases: readonly string[]): MemoryPhaseSummary {
  const picked = samples.filter((s) => phases.includes(s.phase));
  const max = (values: number[]): number => (values.length === 0 ? NaN : values.reduce((a, b) => Math.max(a, b), -Infinity));
  return {
    n: picked.length,
    rssMedian: percentile(picked.map((s) => s.rss), 50),
    rssMax: max(picked.map((s) => s.rss)),
    heapUsedMedian: percentile(picked.map((s) => s.heapUsed), 50),
    heapUsedMax: max(picked.map((s) => s.heapUsed)),
    externalMedian: percentile(picked.map((s) => s.external), 50),
    externalMax: max(picked.map((s) => s.external)),
  };
}

/**
 * Whether memory levelled off during the burst: the peak RSS of its second half over the peak of
 * its first half. A leak proportional to the requests grows by about as much again in the second half.
 */
export function secondHalfGrowth(samples: readonly MemorySample[], phase: string): number {
  const picked = samples.filter((s) => s.phase === phase);
  if (picked.length < 4) return NaN;
  const start = (picked[0] as MemorySample).t;
  const end = (picked[picked.length - 1] as MemorySample).t;
  const middle = (start + end) / 2;
  const peak = (list: MemorySample[]): number => list.reduce((m, s) => Math.max(m, s.rss), -Infinity);
  return peak(picked.filter((s) => s.t > middle)) - peak(picked.filter((s) => s.t <= middle));
}

// ---- latency and verdicts ----

export interface LatencySummary {
  readonly n: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

export function latencySummary(samples: readonly number[]): LatencySummary {
  return {
    n: samples.length,
    p50: percentile(samples, 50),
    p90: percentile(samples, 90),
    p99: percentile(samples, 99),
    max: samples.length === 0 ? NaN : samples.reduce((a, b) => Math.max(a, b), -Infinity),
  };
}

/** Per accepted job, beyond its encoded images: Buffer pool slabs that small images share, the record's strings. */
export const KEPT_SLACK_PER_JOB_BYTES = 16 * KiB;
/** For the measurement's own noise (sockets' buffers, allocator caches) between two idle, collected samples. */
export const KEPT_SLACK_BYTES = 8 * MiB;

/**
 * The external memory (Buffers, typed arrays) the process may still hold once every accepted job has
 * ended and a GC has run, over the baseline: the encoded images the result store keeps, and a little
 * per job. The memory bound rests on this: a finished job must keep nothing the store does not count.
 */
export function keptAllowance(acceptedJobs: number, imageBytes: number): number {
  return acceptedJobs * (imageBytes + KEPT_SLACK_PER_JOB_BYTES) + KEPT_SLACK_BYTES;
}

export interface Verdicts {
  /** p99 of the 429 answers at most REJECTION_P99_TARGET_MS (and at least one rejection seen). */
  readonly fastRejections: boolean;
  /** Peak RSS growth over the baseline within the bound. */
  readonly memoryBounded: boolean;
  /** After the burst (all ended, GC), external memory over the baseline within keptAllowance: finished jobs keep only what the store counts. */
  readonly keptMatchesStore: boolean;
  /** Every job answered 202 ended as succeeded. */
  readonly allAcceptedCompleted: boolean;
}

export function verdicts(input: {
  rejectionP99Ms: number;
  rejected: number;
  growthBytes: number;
  boundBytes: number;
  keptBytes: number;
  keptAllowanceBytes: number;
  accepted: number;
  succeeded: number;
}): Verdicts {
  return {
    fastRejections: input.rejected > 0 && Number.isFinite(input.rejectionP99Ms) && input.rejectionP99Ms <= REJECTION_P99_TARGET_MS,
    memoryBounded: Number.isFinite(input.growthBytes) && input.growthBytes <= input.boundBytes,
    keptMatchesStore: Number.isFinite(input.keptBytes) && input.keptBytes <= input.keptAllowanceBytes,
    allAcceptedCompleted: input.succeeded === input.accepted,
  };
}

/** Whether the client offered the load it was asked to: nothing dropped at its cap and at least 95% of the rate sent. */
export function offeredAsAsked(input: { scheduled: number; sent: number; notSent: number; durationMs: number; seconds: number }): boolean {
  return input.notSent === 0 && input.sent >= 0.95 * input.scheduled && input.durationMs <= 1.5 * input.seconds * 1000 + 1000;
}

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return '-';
  const sign = bytes < 0 ? '-' : '';
  const b = Math.abs(bytes);
  return b >= MiB ? `${sign}${(b / MiB).toFixed(1)} MiB` : `${sign}${(b / KiB).toFixed(0)} KiB`;
}

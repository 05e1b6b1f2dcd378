/**
 * `npm run bench:pool`: the inference pool's three batching policies (continuous, request-level,
 * sequential) under Poisson load, on the tiny preset and a mid-size generated preset.
 *
 * Per preset:
 * 1. FLOOR: the same requests run in a bare loop on this thread through the engine (no pool, no
 *    worker, no messages): UNet calls always filled to maxBatch rows, prompts encoded and images
 *    decoded as the pool does. Its images/s (the better of two runs) is the upper bound for the pool.
 * 2. Saturation: all requests submitted at once, per policy. The continuous policy's images/s (the
 *    better of two runs) is the capacity C that the loads below are fractions of.
 * 3. Poisson arrivals at 30% … 110% of C (exponential gaps from a seeded PRNG, the same arrival
 *    times and requests for every policy): throughput, p50/p95/p99 latency from submit to result,
 *    mean rows per UNet call (pool stats), and the main thread's event-loop delay p99.
 * Requests: 64×64, guidance 7.5 (two UNet rows per image), euler, 10–30 steps, distinct seeds.
 *
 * Targets: at saturation continuous ≥ 90% of the floor; at 70% load continuous p95 ≤ 0.6 ×
 * request-level p95; event-loop p99 < 20 ms while the pool is saturated. Writes a chart of p95
 * latency against load to bench-results/pool-latency.svg.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { encodePrompts } from '../../engine/pipeline/encode-prompts';
import { parseGenerationRequest, type ValidGenerationRequest } from '../../engine/pipeline/generation-request';
import type { DenoisingSequence } from '../../engine/pipeline/denoising-sequence';
import { StableDiffusionPipeline } from '../../engine/pipeline/stable-diffusion-pipeline';
import type { ModelConfig } from '../../model-generator/config/model-config';
import { TINY_PRESET } from '../../model-generator/config/presets';
import { ensureModelDirectory } from '../../model-generator/ensure-model-directory';
import { InferencePool, type BatchingPolicy } from '../../pool';
import { nowMs } from './timing';

/** Wider UNet and text encoder than tiny: about five times its UNet cost per row. */
const MID_PRESET: ModelConfig = {
  ...TINY_PRESET,
  preset: 'pool-mid',
  unet: { ...TINY_PRESET.unet, blockChannels: [64, 128, 256], crossAttentionBlocks: [true, true, false], attentionHeads: 4, normGroups: 16 },
  textEncoder: { ...TINY_PRESET.textEncoder, width: 64, heads: 4 },
};

/** Rows per UNet call (4 guided images), as the pool's default. */
const MAX_BATCH = 8;
/**
 * One intra-op thread, for the pool and the floor alike. On the 2-core machine this was written on,
 * two threads left no core to the main thread, and the tiny preset's saturated throughput in the pool
 * fell from about 19 to 10–13 images/s.
 */
const INTRA_OP_THREADS = 1;
const BATCH_WINDOW_MS = 20;
const MAX_DECODE_BATCH = 4;
const LOADS = [0.3, 0.5, 0.7, 0.9, 1.1] as const;
const POLICIES: readonly BatchingPolicy[] = ['continuous', 'request-level', 'sequential'];
const ELD_TARGET_MS = 20;

interface Case {
  readonly label: string;
  readonly config: ModelConfig;
  /** Requests per load run. */
  readonly requests: number;
  /** Requests for the floor and each saturation run (enough that the final drain weighs little). */
  readonly saturationRequests: number;
}

const CASES: readonly Case[] = [
  { label: 'tiny', config: TINY_PRESET, requests: 64, saturationRequests: 64 },
  { label: 'mid', config: MID_PRESET, requests: 20, saturationRequests: 40 },
];
const QUICK_CASES: Readonly<Record<string, Pick<Case, 'requests' | 'saturationRequests'>>> = {
  tiny: { requests: 24, saturationRequests: 24 },
  mid: { requests: 8, saturationRequests: 16 },
};

// ---- request mix ----

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const COLOURS = ['red and gold', 'indigo', 'emerald', 'saffron', 'ivory', 'burnt orange'];
const GARMENTS = ['kente dress', 'adire wrap', 'ankara jumpsuit', 'dashiki', 'kaftan', 'boubou'];
const SETTINGS = ['studio photo', 'street style', 'runway', 'editorial portrait', 'market at dusk'];

/** `steps(i)` overrides the random step count (the warm-up's short requests). */
function makeRequests(count: number, seed: number, steps?: (index: number) => number): ValidGenerationRequest[] {
  const random = prng(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  return Array.from({ length: count }, (_, index) => {
    // Drawn in this order (prompt, steps, seed) so a seed gives the same requests as before.
    const prompt = `a model wearing a ${pick(COLOURS)} ${pick(GARMENTS)}, african fashion, ${pick(SETTINGS)}`;
    const randomSteps = 10 + Math.floor(random() * 21);
    return parseGenerationRequest({
      prompt,
      negativePrompt: 'blurry, low quality',
      width: 64,
      height: 64,
      steps: steps?.(index) ?? randomSteps,
      guidanceScale: 7.5,
      scheduler: 'euler',
      seed: Math.floor(random() * 2 ** 31),
    });
  });
}

/**
 * Poisson arrivals at `ratePerS`: cumulative exponential gaps, in ms from the start. The same seed
 * gives the same unit gaps at every rate (only scaled), so loads and policies see one pattern.
 */
function arrivals(count: number, ratePerS: number, seed: number): number[] {
  const random = prng(seed);
  const log = Math.log;
  const times: number[] = [];
  let t = 0;
  for (let i = 0; i < count; i++) {
    times.push(t);
    t += (-log(1 - random()) / ratePerS) * 1000;
  }
  return times;
}

function best<T extends { readonly imagesPerS: number }>(results: readonly T[]): T {
  return results.reduce((a, b) => (b.imagesPerS > a.imagesPerS ? b : a));
}

/** Nearest-rank percentile. */
function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

// ---- the floor: a bare loop on this thread ----

interface FloorResult {
  readonly imagesPerS: number;
  readonly unetShare: number;
  readonly rowsPerCall: number;
}

/**
 * Keeps the UNet call full: new requests are encoded (one text-encoder call for all of them, each
 * prompt once) and join as soon as their rows fit, every call steps maxBatch rows, finished images
 * are decoded up to MAX_DECODE_BATCH per VAE call.
 */
async function runFloor(pipeline: StableDiffusionPipeline, requests: readonly ValidGenerationRequest[]): Promise<FloorResult> {
  const { directory, signature } = pipeline.model;
  const textEncoder = pipeline.model.textEncoder;
  let unetMs = 0;
  const cache = new Map<string, Float32Array>();
  const queue = [...requests];
  let active: DenoisingSequence[] = [];
  let finished: DenoisingSequence[] = [];
  let rows = 0;
  let calls = 0;
  let images = 0;
  const started = nowMs();
  while (queue.length > 0 || active.length > 0 || finished.length > 0) {
    const joining: ValidGenerationRequest[] = [];
    let activeRows = active.reduce((n, s) => n + s.rows, 0);
    while (queue.length > 0 && activeRows + 2 <= MAX_BATCH) {
      joining.push(queue.shift() as ValidGenerationRequest);
      activeRows += 2;
    }
    if (joining.length > 0) {
      const fresh = [...new Set(joining.flatMap((r) => [r.prompt, r.negativePrompt]))].filter((p) => !cache.has(p));
      if (fresh.length > 0) {
        const { states } = await encodePrompts(fresh, directory.tokenizer, textEncoder, signature);
        fresh.forEach((p, i) => cache.set(p, states[i] as Float32Array));
      }
      for (const r of joining) active.push(...pipeline.createSequences(r, { cond: cache.get(r.prompt) as Float32Array, uncond: cache.get(r.negativePrompt) }));
    }
    if (active.length > 0) {
      const t = nowMs();
      await pipeline.step(active);
      unetMs += nowMs() - t;
      calls++;
      rows += active.reduce((n, s) => n + s.rows, 0);
      finished.push(...active.filter((s) => s.done));
      active = active.filter((s) => !s.done);
    }
    if (finished.length > 0) {
      const batch = finished.slice(0, MAX_DECODE_BATCH);
      finished = finished.slice(batch.length);
      images += (await pipeline.decode(batch)).length;
    }
  }
  const wallMs = nowMs() - started;
  return { imagesPerS: (images / wallMs) * 1000, unetShare: unetMs / wallMs, rowsPerCall: rows / calls };
}

// ---- pool runs ----

interface RunResult {
  readonly policy: BatchingPolicy;
  /** Fraction of capacity, or undefined for the saturation run (all submitted at once). */
  readonly load?: number;
  readonly offeredPerS?: number;
  readonly imagesPerS: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly rowsPerCall: number;
  readonly eldP99Ms: number;
  /** Share of the machine's CPUs that other processes used during the run (Linux only). */
  readonly otherCpu?: number;
}

/** Busy CPU ticks of the whole machine and of this process (all its threads), from /proc; undefined elsewhere. */
function cpuTicks(): { machine: number; self: number; at: number } | undefined {
  try {
    const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] as string).trim().split(/\s+/).slice(1).map(Number);
    // user, nice, system, irq, softirq, steal
    const machine = [0, 1, 2, 5, 6, 7].reduce((n, i) => n + (fields[i] ?? 0), 0);
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { machine, self: Number(rest[11]) + Number(rest[12]), at: nowMs() };
  } catch {
    return undefined;
  }
}

/** Clock ticks per second in /proc (USER_HZ, 100 on Linux). */
const USER_HZ = 100;

function otherCpuShare(from: ReturnType<typeof cpuTicks>, to: ReturnType<typeof cpuTicks>): number | undefined {
  if (!from || !to) return undefined;
  const seconds = (to.at - from.at) / 1000;
  return Math.max(0, (to.machine - from.machine - (to.self - from.self)) / USER_HZ / seconds / availableParallelism());
}

async function workerCounters(pool: InferencePool): Promise<{ unetCalls: number; unetRows: number }> {
  const counters = (await pool.stats()).devices[0]?.counters;
  if (!counters) throw new Error('the pool reported no worker counters');
  return counters;
}

/** Submits `requests[i]` at `times[i]` ms (all at once without times); waits for every result. */
async function runPool(pool: InferencePool, policy: BatchingPolicy, requests: readonly ValidGenerationRequest[], times?: readonly number[]): Promise<Omit<RunResult, 'load' | 'offeredPerS'>> {
  const before = await workerCounters(pool);
  const ticks = cpuTicks();
  const eld = monitorEventLoopDelay({ resolution: 1 });
  const latencies: number[] = [];
  let lastDone = 0;
  eld.enable();
  const started = nowMs();
  const submit = (request: ValidGenerationRequest): Promise<void> => {
    const at = nowMs();
    return pool.submit({ checkpointId: 'model', request }).result.then(() => {
      lastDone = nowMs();
      latencies.push(lastDone - at);
    });
  };
  const pending: Promise<void>[] = [];
  if (!times) for (const r of requests) pending.push(submit(r));
  else {
    await new Promise<void>((done) => {
      let next = 0;
      const fire = (): void => {
        while (next < requests.length && nowMs() - started >= (times[next] as number)) pending.push(submit(requests[next++] as ValidGenerationRequest));
        if (next < requests.length) setTimeout(fire, Math.max(0, (times[next] as number) - (nowMs() - started)));
        else done();
      };
      fire();
    });
  }
  await Promise.all(pending);
  eld.disable();
  const otherCpu = otherCpuShare(ticks, cpuTicks());
  const after = await workerCounters(pool);
  return {
    policy,
    imagesPerS: (requests.length / (lastDone - started)) * 1000,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    rowsPerCall: (after.unetRows - before.unetRows) / Math.max(1, after.unetCalls - before.unetCalls),
    eldP99Ms: eld.percentile(99) / 1e6,
    otherCpu,
  };
}

function startPool(dir: string, policy: BatchingPolicy): Promise<InferencePool> {
  return InferencePool.start({
    devices: [{ device: 'cpu', maxBatch: MAX_BATCH, intraOpThreads: INTRA_OP_THREADS, batching: policy, batchWindowMs: BATCH_WINDOW_MS }],
    checkpoints: [{ id: 'model', dir, pinned: true }],
    maxQueuedPerDevice: 100_000,
    maxQueuedTotal: 100_000,
  });
}

// ---- report ----

const f = (n: number, digits = 0): string => (Number.isFinite(n) ? n.toFixed(digits) : '-');
const metText = (ok: boolean): string => (ok ? 'met' : 'NOT met');

function printHeader(): void {
  const columns = ['offered/s', 'images/s', 'p50 ms', 'p95 ms', 'p99 ms', 'rows/call', 'ELD p99', 'other CPU'];
  console.log(`  ${'policy'.padEnd(13)} ${'load'.padStart(4)} ${columns.map((c) => c.padStart(9)).join(' ')}`);
}

function printRow(r: RunResult): void {
  const load = r.load === undefined ? 'sat' : `${Math.round(r.load * 100)}%`;
  const other = r.otherCpu === undefined ? '-' : `${f(100 * r.otherCpu)}%`;
  console.log(
    `  ${r.policy.padEnd(13)} ${load.padStart(4)} ${f(r.offeredPerS ?? NaN, 2).padStart(9)} ${f(r.imagesPerS, 2).padStart(9)} ` +
      `${f(r.p50).padStart(9)} ${f(r.p95).padStart(9)} ${f(r.p99).padStart(9)} ${f(r.rowsPerCall, 2).padStart(9)} ${f(r.eldP99Ms, 1).padStart(9)} ${other.padStart(9)}`,
  );
}

interface CaseReport {
  readonly label: string;
  readonly floor: FloorResult;
  readonly capacity: number;
  readonly runs: RunResult[];
}

async function runCase(c: Case, quick: boolean): Promise<CaseReport> {
  const { requests: count, saturationRequests } = quick ? (QUICK_CASES[c.label] as Case) : c;
  const dir = ensureModelDirectory(c.config);
  const u = c.config.unet;
  console.log(
    `\n== ${c.label}: unet ${JSON.stringify(u.blockChannels)}, text encoder width ${c.config.textEncoder.width}; ` +
      `${count} requests per load run, ${saturationRequests} for the floor and saturation; 64x64, guidance 7.5, euler, 10-30 steps; maxBatch ${MAX_BATCH} rows, ` +
      `maxInFlightRows ${2 * MAX_BATCH}, intraOpThreads ${INTRA_OP_THREADS}, request-level window ${BATCH_WINDOW_MS} ms`,
  );
  const requests = makeRequests(saturationRequests, 1);
  const loadRequests = makeRequests(count, 2);
  const warmup = makeRequests(8, 99, (i) => 2 + (i % 4));

  // One pool per policy, all started up front; at each load the policies run one after the other,
  // so that a change in the machine's speed between loads touches the three alike.
  const pools = new Map<BatchingPolicy, InferencePool>();
  let floor: FloorResult;
  const runs: RunResult[] = [];
  const record = (r: RunResult): void => {
    runs.push(r);
    printRow(r);
  };
  try {
    for (const policy of POLICIES) {
      const pool = await startPool(dir, policy);
      pools.set(policy, pool);
      await runPool(pool, policy, warmup);
    }
    // The floor runs while the pools are idle, just before the saturation runs it is compared with.
    const pipeline = await StableDiffusionPipeline.load(dir, { device: 'cpu', intraOpThreads: INTRA_OP_THREADS });
    await runFloor(pipeline, warmup);
    const floors = [await runFloor(pipeline, requests), await runFloor(pipeline, requests)];
    await pipeline.release();
    floor = best(floors);
    console.log(
      `  FLOOR (bare loop on the main thread, full UNet batches): ${f(floor.imagesPerS, 2)} images/s (best of ${floors.map((x) => f(x.imagesPerS, 2)).join(', ')}), ` +
        `${f(floor.rowsPerCall, 2)} rows per UNet call, UNet steps ${f(100 * floor.unetShare, 1)}% of the time`,
    );
    printHeader();
    // The capacity is the better of two continuous saturation runs: other load on the machine only ever lowers it.
    const continuous = pools.get('continuous') as InferencePool;
    record(best([await runPool(continuous, 'continuous', requests), await runPool(continuous, 'continuous', requests)]));
    for (const policy of POLICIES.slice(1)) record(await runPool(pools.get(policy) as InferencePool, policy, requests));
    const capacity = (runs[0] as RunResult).imagesPerS;
    for (const load of LOADS) {
      const times = arrivals(count, load * capacity, 2);
      const offeredPerS = ((count - 1) / (times[count - 1] as number)) * 1000;
      for (const policy of POLICIES) record({ ...(await runPool(pools.get(policy) as InferencePool, policy, loadRequests, times)), load, offeredPerS });
    }
    return { label: c.label, floor, capacity, runs };
  } finally {
    for (const pool of pools.values()) await pool.close();
  }
}

function printTargets(reports: readonly CaseReport[]): void {
  console.log('\ntargets');
  let eldWorst = 0;
  for (const r of reports) {
    const sat = r.runs.find((x) => x.policy === 'continuous' && x.load === undefined) as RunResult;
    const ratio = sat.imagesPerS / r.floor.imagesPerS;
    console.log(
      `  ${r.label}: continuous at saturation >= 90% of the floor: ${f(sat.imagesPerS, 2)} / ${f(r.floor.imagesPerS, 2)} images/s = ${f(100 * ratio, 1)}% -> ${metText(ratio >= 0.9)}`,
    );
    const at70 = (policy: BatchingPolicy): RunResult => r.runs.find((x) => x.policy === policy && x.load === 0.7) as RunResult;
    const p95Ratio = at70('continuous').p95 / at70('request-level').p95;
    console.log(
      `  ${r.label}: at 70% load continuous p95 <= 0.6 x request-level p95: ${f(at70('continuous').p95)} / ${f(at70('request-level').p95)} ms = ${f(p95Ratio, 2)} -> ${metText(p95Ratio <= 0.6)}`,
    );
    for (const x of r.runs) if (x.load === undefined || x.load >= 1) eldWorst = Math.max(eldWorst, x.eldP99Ms);
  }
  const others = reports.flatMap((r) => r.runs.map((x) => x.otherCpu)).filter((x): x is number => x !== undefined);
  const busy = others.filter((x) => x > 0.1).length;
  if (busy > 0) console.log(`  note: other processes used over 10% of the machine during ${busy} of ${others.length} pool runs (see "other CPU"): those figures are noisier`);
  console.log(
    `  main-thread event-loop delay p99 < ${ELD_TARGET_MS} ms while the pool is saturated (saturation and 110% runs, all policies): worst ${f(eldWorst, 1)} ms -> ${metText(eldWorst < ELD_TARGET_MS)}`,
  );
  console.log('  (ELD is monitorEventLoopDelay at 1 ms resolution; its figures include that 1 ms sampling interval)');
}

// ---- chart ----

const COLOURS_BY_POLICY: Readonly<Record<BatchingPolicy, string>> = { continuous: '#1f77b4', 'request-level': '#d62728', sequential: '#2ca02c' };

/** p95 latency against load, one panel per preset, log-scaled latency; plain SVG. */
function chart(reports: readonly CaseReport[]): string {
  const panelW = 420;
  const panelH = 300;
  const m = { left: 64, right: 28, top: 36, bottom: 44 };
  const width = reports.length * panelW;
  const height = panelH;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
  ];
  reports.forEach((r, k) => {
    const x0 = k * panelW + m.left;
    const x1 = (k + 1) * panelW - m.right;
    const y0 = panelH - m.bottom;
    const y1 = m.top;
    const points = r.runs.filter((x) => x.load !== undefined && Number.isFinite(x.p95));
    const ticks = niceTicks(Math.min(...points.map((p) => p.p95)), Math.max(...points.map((p) => p.p95)));
    const lo = ticks[0] as number;
    const hi = ticks[ticks.length - 1] as number;
    const sx = (load: number): number => x0 + ((load - 0.3) / 0.8) * (x1 - x0);
    const sy = (ms: number): number => y0 - ((Math.log10(ms) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * (y0 - y1);
    parts.push(`<text x="${(x0 + x1) / 2}" y="20" text-anchor="middle" font-size="13" font-weight="bold">${r.label}: p95 latency vs load (capacity ${f(r.capacity, 1)} images/s)</text>`);
    parts.push(`<line x1="${x0}" y1="${y0}" x2="${x1}" y2="${y0}" stroke="black"/><line x1="${x0}" y1="${y0}" x2="${x0}" y2="${y1}" stroke="black"/>`);
    for (const load of LOADS) {
      parts.push(`<line x1="${sx(load)}" y1="${y0}" x2="${sx(load)}" y2="${y0 + 4}" stroke="black"/>`);
      parts.push(`<text x="${sx(load)}" y="${y0 + 16}" text-anchor="middle">${Math.round(load * 100)}%</text>`);
    }
    parts.push(`<text x="${(x0 + x1) / 2}" y="${y0 + 32}" text-anchor="middle">offered load (fraction of continuous saturated throughput)</text>`);
    for (const v of ticks) {
      parts.push(`<line x1="${x0}" y1="${f(sy(v), 1)}" x2="${x1}" y2="${f(sy(v), 1)}" stroke="#ddd"/>`);
      parts.push(`<text x="${x0 - 6}" y="${f(sy(v) + 4, 1)}" text-anchor="end">${v >= 1000 ? `${v / 1000} s` : `${v} ms`}</text>`);
    }
    parts.push(`<text transform="translate(${x0 - 50} ${(y0 + y1) / 2}) rotate(-90)" text-anchor="middle">p95 latency (log scale)</text>`);
    POLICIES.forEach((policy, i) => {
      const own = points.filter((p) => p.policy === policy).sort((a, b) => (a.load as number) - (b.load as number));
      const colour = COLOURS_BY_POLICY[policy];
      parts.push(`<polyline fill="none" stroke="${colour}" stroke-width="2" points="${own.map((p) => `${f(sx(p.load as number), 1)},${f(sy(p.p95), 1)}`).join(' ')}"/>`);
      for (const p of own) parts.push(`<circle cx="${f(sx(p.load as number), 1)}" cy="${f(sy(p.p95), 1)}" r="3" fill="${colour}"/>`);
      const ly = y1 + 4 + i * 15;
      parts.push(`<line x1="${x0 + 10}" y1="${ly}" x2="${x0 + 28}" y2="${ly}" stroke="${colour}" stroke-width="2"/>`);
      parts.push(`<text x="${x0 + 32}" y="${ly + 4}">${policy}</text>`);
    });
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}

/** The 1-2-5 values from the largest one at or below `min` to the smallest one at or above `max`. */
function niceTicks(min: number, max: number): number[] {
  const all: number[] = [];
  for (let decade = Math.pow(10, Math.floor(Math.log10(min)) - 1); decade <= max * 10; decade *= 10) all.push(decade, 2 * decade, 5 * decade);
  const lo = all.filter((v) => v <= min).pop() ?? (all[0] as number);
  const hi = all.find((v) => v >= max && v > lo) ?? (all[all.length - 1] as number);
  return all.filter((v) => v >= lo && v <= hi);
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const only = process.argv.slice(2).find((a) => !a.startsWith('--'));
  console.log(`pool benchmark on ${process.platform} ${process.arch}, Node ${process.version}, CPU execution provider${quick ? ' (quick)' : ''}`);
  console.log('latency: submit to result, ms; images/s: requests / (last result - first submit); rows/call: mean rows per UNet call (pool stats);');
  console.log('ELD p99: main-thread event-loop delay during the run; sat: all requests submitted at once (continuous: the better of two runs);');
  console.log('loads: Poisson arrivals at a fraction of the continuous saturated images/s (offered/s: the rate the drawn arrivals realise);');
  console.log('other CPU: share of the machine used by other processes during the run (contention makes the figures noisier)');
  const reports: CaseReport[] = [];
  for (const c of CASES) if (!only || c.label === only) reports.push(await runCase(c, quick));
  printTargets(reports);
  const out = resolve(__dirname, '..', '..', '..', 'bench-results');
  mkdirSync(out, { recursive: true });
  const path = join(out, 'pool-latency.svg');
  writeFileSync(path, chart(reports));
  console.log(`\nchart: ${path}`);
  const args = [...(quick ? ['--quick'] : []), ...(only ? [only] : [])];
  console.log(`\nreproduce with: npm run bench:pool${args.length > 0 ? ` -- ${args.join(' ')}` : ''}   (options: --quick, tiny | mid)`);
}

void main();

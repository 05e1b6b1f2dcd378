/** The server process's memory (and the pool's queue) every SAMPLE_EVERY_MS, labelled with the benchmark's phase. */
import type { InferencePool } from '../../../pool';
import type { MemorySample } from './load-measures';
import { nowMs } from '../timing';

export const SAMPLE_EVERY_MS = 250;

export interface PoolSample {
  readonly t: number;
  readonly phase: string;
  readonly queued: number;
  readonly running: number;
}

export interface Sampler {
  /** The phase the next samples are labelled with. */
  phase: string;
  readonly samples: MemorySample[];
  readonly poolQueued: PoolSample[];
  stop(): void;
}

/** Starts sampling at once; `t` of each sample is ms since t0 (nowMs). */
export function startSampler(pool: InferencePool, t0: number): Sampler {
  let statsPending = false;
  const sampler: Sampler = {
    phase: 'start',
    samples: [],
    poolQueued: [],
    stop: () => clearInterval(timer),
  };
  const take = (): void => {
    const m = process.memoryUsage();
    const t = nowMs() - t0;
    sampler.samples.push({ t, phase: sampler.phase, rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers });
    if (statsPending) return;
    statsPending = true;
    const phase = sampler.phase;
    pool
      .stats()
      .then((s) => sampler.poolQueued.push({ t, phase, queued: s.queued, running: s.running }))
      .catch(() => undefined)
      .finally(() => (statsPending = false));
  };
  const timer = setInterval(take, SAMPLE_EVERY_MS);
  take();
  return sampler;
}

/** A MetricsService over a stand-in pool, for unit specs (no workers, no models). */
import { PoolEventBus } from '../../../inference/pool-event-bus';
import type { DeviceResidency, InferencePool, PoolStats } from '../../../pool';
import { MetricsService } from '../metrics.service';

export interface StandInPool {
  stats: PoolStats;
  residency: DeviceResidency[];
}

export function metricsServiceForTests(pool: Partial<StandInPool> = {}): { metrics: MetricsService; events: PoolEventBus; pool: StandInPool } {
  const state: StandInPool = {
    stats: { queued: 0, running: 0, devices: [], totals: { submitted: 0, succeeded: 0, failed: 0, cancelled: 0, deadlineExceeded: 0, rejected: 0 } },
    residency: [],
    ...pool,
  };
  const standIn = { stats: async () => state.stats, residency: async () => state.residency, checkpoints: () => [] } as unknown as InferencePool;
  const events = new PoolEventBus();
  events.markStarted();
  const metrics = new MetricsService({ host: '127.0.0.1', metricsPort: 0, gpuSampleSeconds: 0 }, standIn, events);
  return { metrics, events, pool: state };
}

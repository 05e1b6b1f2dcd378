/** The shutdown steps of this application (see graceful-shutdown.ts): readiness and the pool do the work. */
import type { INestApplication } from '@nestjs/common';
import { Generations } from '../generation/generations';
import { ReadinessService } from '../observability/health/readiness.service';
import { InferencePool } from '../pool';
import type { ShutdownSteps } from '../observability/shutdown/graceful-shutdown';

export function appShutdownSteps(app: INestApplication): ShutdownSteps {
  const readiness = app.get(ReadinessService);
  const pool = app.get(InferencePool);
  const generations = app.get(Generations);
  return {
    // With AFD_JOBS=redis the queued jobs stay in Redis for the other replicas.
    drain: async (graceMs) => {
      await generations.stopTakingJobs();
      return readiness.drain(graceMs);
    },
    cancelRemaining: () => readiness.cancelRemaining(),
    // Each worker finishes the UNet call in progress (the cancelled jobs' rows are dropped after it), releases its sessions and ends.
    closeWorkers: () => pool.close({ timeoutMs: 0 }),
  };
}

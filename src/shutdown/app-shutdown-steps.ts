/** The shutdown steps of this application (see graceful-shutdown.ts): readiness and the pool do the work. */
import type { INestApplication } from '@nestjs/common';
import { ReadinessService } from '../health/readiness.service';
import { InferencePool } from '../pool';
import type { ShutdownSteps } from './graceful-shutdown';

export function appShutdownSteps(app: INestApplication): ShutdownSteps {
  const readiness = app.get(ReadinessService);
  const pool = app.get(InferencePool);
  return {
    drain: (graceMs) => readiness.drain(graceMs),
    cancelRemaining: () => readiness.cancelRemaining(),
    // Each worker finishes the UNet call in progress (the cancelled jobs' rows are dropped after it), releases its sessions and ends.
    closeWorkers: () => pool.close({ timeoutMs: 0 }),
  };
}

/** The shutdown steps of this application (see graceful-shutdown.ts): readiness and the pool do the work, then webhook deliveries are drained. */
import type { INestApplication } from '@nestjs/common';
import type { WebhookSettings } from '../config/webhook-config';
import { Generations } from '../generation/generations';
import { ReadinessService } from '../observability/health/readiness.service';
import { InferencePool } from '../pool';
import type { ShutdownSteps } from '../observability/shutdown/graceful-shutdown';
import { WEBHOOK_SETTINGS, WebhooksService } from '../webhooks/webhooks.service';

export function appShutdownSteps(app: INestApplication): ShutdownSteps {
  const readiness = app.get(ReadinessService);
  const pool = app.get(InferencePool);
  const generations = app.get(Generations);
  const webhooks = app.get(WebhooksService);
  const webhookSettings = app.get<WebhookSettings>(WEBHOOK_SETTINGS);
  let graceEnds = Date.now();
  return {
    // With AFD_JOBS=redis the queued jobs stay in Redis for the other replicas.
    drain: async (graceMs) => {
      graceEnds = Date.now() + graceMs;
      await generations.stopTakingJobs();
      return readiness.drain(graceMs);
    },
    cancelRemaining: () => readiness.cancelRemaining(),
    // Each worker finishes the UNet call in progress (the cancelled jobs' rows are dropped after it), releases its sessions and ends;
    // by then every job has ended and queued its webhook events. Pending deliveries then get the rest of the grace period, and at
    // least one attempt's timeout for the events the shutdown itself caused (jobs it failed); in-process ones left then are
    // recorded failed (in Redis they wait for the other replicas).
    closeWorkers: async () => {
      await pool.close({ timeoutMs: 0 });
      await webhooks.drain(Math.max(graceEnds, Date.now() + webhookSettings.timeoutMs));
    },
  };
}

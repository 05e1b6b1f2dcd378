/**
 * Webhook deliveries: `afd_webhook_attempts_total{outcome}` (delivered, retrying, failed),
 * `afd_webhook_failures_total` (events given up after their last attempt, or refused at delivery) and
 * `afd_webhook_attempt_duration_seconds{result}` (success or error). No URL, client or id as a label.
 */
import { Counter, Histogram, type Registry } from 'prom-client';

export type WebhookAttemptOutcome = 'delivered' | 'retrying' | 'failed';

/** Seconds; an attempt ends at the configured timeout (10 s by default). */
const ATTEMPT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export class WebhookMetrics {
  private readonly attempts: Counter<'outcome'>;
  private readonly failures: Counter;
  private readonly duration: Histogram<'result'>;

  constructor(registry: Registry) {
    this.attempts = new Counter({ name: 'afd_webhook_attempts_total', help: 'Webhook delivery attempts by outcome (delivered, retrying, failed)', labelNames: ['outcome'], registers: [registry] });
    this.failures = new Counter({ name: 'afd_webhook_failures_total', help: 'Webhook events recorded failed: every attempt failed, or the target was refused', registers: [registry] });
    this.duration = new Histogram({
      name: 'afd_webhook_attempt_duration_seconds',
      help: 'Webhook delivery attempts, from connecting to the answer, by result (success: a 2xx answer)',
      labelNames: ['result'],
      buckets: ATTEMPT_BUCKETS,
      registers: [registry],
    });
    for (const outcome of ['delivered', 'retrying', 'failed'] as const) this.attempts.inc({ outcome }, 0);
  }

  attempt(outcome: WebhookAttemptOutcome, seconds: number): void {
    this.attempts.inc({ outcome });
    if (outcome === 'failed') this.failures.inc();
    if (Number.isFinite(seconds) && seconds >= 0) this.duration.observe({ result: outcome === 'delivered' ? 'success' : 'error' }, seconds);
  }
}

/**
 * Makes one attempt of a delivery and records it: sign (Standard Webhooks, with the client's secret as
 * it is now), check and resolve the address again, POST, then log the outcome and say whether and when
 * to try again. Both queues (in process, BullMQ) run deliveries through this.
 */
import { Webhook } from 'standardwebhooks';
import { timeOrderedId } from '../common/time-ordered-id';
import type { WebhookSettings } from '../config/webhook-config';
import type { AttemptOutcome, Delivery, DeliveryAttempt, DeliveryLog } from './delivery';
import { postWebhook, type PostOutcome } from './post-webhook';
import { retryDelayMs } from './retry-delay';
import { resolveWebhookAddress, systemLookup, WebhookAddressError, type AddressLookup } from './webhook-address';

export interface AttemptObserver {
  (outcome: AttemptOutcome, seconds: number): void;
}

export class DeliveryAttempts {
  constructor(
    private readonly settings: WebhookSettings,
    /** The client's signing secret now (undefined: its key is gone or has none). */
    private readonly secretOf: (clientId: string) => string | undefined,
    private readonly log: DeliveryLog,
    private readonly observe: AttemptObserver = () => undefined,
    private readonly lookup: AddressLookup = systemLookup,
  ) {}

  /** Attempt `attempt` (1 = the first); resolves with when to try again, or undefined when done (delivered or failed for good). */
  async run(delivery: Delivery, attempt: number, giveUpBefore = Number.POSITIVE_INFINITY): Promise<{ retryInMs?: number }> {
    const outcome = await this.post(delivery);
    const retryInMs = outcome.ok || outcome.final || attempt >= this.settings.maxAttempts ? undefined : retryDelayMs(attempt, this.settings);
    // While draining for shutdown, a retry due after the deadline will not be made.
    const cutShort = retryInMs !== undefined && Date.now() + retryInMs >= giveUpBefore;
    const result: AttemptOutcome = outcome.ok ? 'delivered' : retryInMs !== undefined && !cutShort ? 'retrying' : 'failed';
    const error = outcome.error !== undefined && cutShort ? `${outcome.error}; the server shut down before the next attempt` : outcome.error;
    const at = new Date();
    const entry: DeliveryAttempt = {
      id: timeOrderedId(at.getTime()),
      webhookId: delivery.webhookId,
      type: delivery.type,
      subjectId: delivery.subjectId,
      url: delivery.url,
      attempt,
      outcome: result,
      ...(outcome.statusCode !== undefined ? { statusCode: outcome.statusCode } : {}),
      ...(error !== undefined ? { error } : {}),
      durationMs: outcome.durationMs,
      at: at.toISOString(),
      ...(result === 'retrying' ? { nextAttemptAt: new Date(at.getTime() + (retryInMs as number)).toISOString() } : {}),
    };
    this.observe(result, outcome.durationMs / 1000);
    await this.log.add(delivery.clientId, entry);
    return result === 'retrying' ? { retryInMs } : {};
  }

  /** Records a delivery that will not be attempted again (the server stops before its next attempt was due). */
  async abandon(delivery: Delivery, attempt: number, why: string): Promise<void> {
    const at = new Date();
    this.observe('failed', 0);
    await this.log.add(delivery.clientId, {
      id: timeOrderedId(at.getTime()),
      webhookId: delivery.webhookId,
      type: delivery.type,
      subjectId: delivery.subjectId,
      url: delivery.url,
      attempt,
      outcome: 'failed',
      error: why,
      durationMs: 0,
      at: at.toISOString(),
    });
  }

  /** The attempt itself; `final` when trying again cannot help (no secret, an address the rules refuse). */
  private async post(delivery: Delivery): Promise<PostOutcome & { final?: boolean }> {
    const secret = this.secretOf(delivery.clientId);
    if (secret === undefined) return { ok: false, final: true, error: `client ${delivery.clientId} has no webhook secret any more`, durationMs: 0 };
    const url = new URL(delivery.url);
    let address;
    try {
      address = await resolveWebhookAddress(url, this.settings, this.lookup);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      // A name that does not resolve may again; an address the rules refuse will not become allowed by waiting.
      return { ok: false, final: error instanceof WebhookAddressError && !/does not resolve/.test(message), error: `refused: ${message}`, durationMs: 0 };
    }
    const timestamp = new Date();
    const signature = new Webhook(secret).sign(delivery.webhookId, timestamp, delivery.payload);
    return postWebhook({
      url,
      address,
      headers: { 'webhook-id': delivery.webhookId, 'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)), 'webhook-signature': signature },
      body: delivery.payload,
      timeoutMs: this.settings.timeoutMs,
      maxResponseBytes: this.settings.maxResponseBytes,
    });
  }
}

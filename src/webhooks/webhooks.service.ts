/**
 * Webhooks for generations and comparisons. At request time `subscription` checks a request's
 * `webhook` (or takes the key's default), including the address rules; when the work starts or ends,
 * `emit` signs nothing yet and queues the event (in process, or as BullMQ jobs). Deliveries are
 * signed with the client's key's secret per Standard Webhooks. Open mode (no keys) has no secret to
 * sign with, so a request naming a webhook is refused there, naming `webhook`.
 */
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { AUTH_CONFIG } from '../auth/access.service';
import type { AuthConfig } from '../auth/auth-config';
import { invalidArgument } from '../common/error-code';
import type { WebhookEvent } from '../common/webhook-events';
import type { WebhookSettings } from '../config/webhook-config';
import type { DeliveryAttempt, DeliveryLog, DeliveryQueue } from './delivery';
import { resolveWebhookAddress, WebhookAddressError, type AddressLookup } from './webhook-address';
import { readWebhookField, type WebhookTarget } from './webhook-target';
import { DEFAULT_DELIVERY_PAGE, MAX_DELIVERY_PAGE, type DeliveryPage } from './webhook.schemas';

export const WEBHOOK_SETTINGS = Symbol('WEBHOOK_SETTINGS');
export const WEBHOOK_DELIVERY_QUEUE = Symbol('WEBHOOK_DELIVERY_QUEUE');
export const WEBHOOK_DELIVERY_LOG = Symbol('WEBHOOK_DELIVERY_LOG');
export const WEBHOOK_ADDRESS_LOOKUP = Symbol('WEBHOOK_ADDRESS_LOOKUP');

/** A checked webhook of one client's request: what travels with the work (in Redis too), without the secret. */
export interface WebhookSubscription extends WebhookTarget {
  readonly clientId: string;
}

/** What an event reports: a generation or a comparison, by id. */
export interface WebhookSubject {
  readonly kind: 'generation' | 'comparison';
  readonly id: string;
}

@Injectable()
export class WebhooksService implements OnApplicationShutdown {
  constructor(
    @Inject(WEBHOOK_SETTINGS) private readonly settings: WebhookSettings,
    @Inject(AUTH_CONFIG) private readonly auth: AuthConfig,
    @Inject(WEBHOOK_DELIVERY_QUEUE) private readonly queue: DeliveryQueue,
    @Inject(WEBHOOK_DELIVERY_LOG) private readonly log: DeliveryLog,
    @Inject(WEBHOOK_ADDRESS_LOOKUP) private readonly lookup: AddressLookup,
  ) {}

  /**
   * The webhook a request asks for (`value`: its `webhook` field), or the client's key default, or
   * undefined. Refused naming the field: a malformed target, an address the rules refuse (names
   * resolved now, and again at every attempt), or a caller without a signing secret.
   */
  async subscription(value: unknown, clientId: string, field = 'webhook'): Promise<WebhookSubscription | undefined> {
    const target = readWebhookField(value, field);
    if (target) {
      try {
        await resolveWebhookAddress(new URL(target.url), this.settings, this.lookup);
      } catch (error) {
        if (error instanceof WebhookAddressError) throw invalidArgument(`${field}.url`, error.message);
        throw error;
      }
    }
    if (this.auth.mode === 'open') {
      if (!target) return undefined;
      throw invalidArgument(field, 'needs an API key: deliveries are signed with the secret of the caller\'s key, and this server runs open (no API keys)');
    }
    const entry = this.auth.store.entry(clientId);
    if (!target) return entry?.webhook ? { ...entry.webhook, clientId } : undefined;
    if (!entry?.webhookSecret) throw invalidArgument(field, `client ${clientId} has no webhook secret: add webhookSecret to its keys-file entry (npm run keys:create makes one)`);
    return { ...target, clientId };
  }

  /**
   * Queues `event` of `subject` for the subscription (when it asked for that event). `data` is the
   * JSON view of the generation or comparison. The webhook-id is made of the subject and the event,
   * so the same event queued twice (a job taken over by another replica) is delivered once.
   */
  async emit(subscription: WebhookSubscription | undefined, subject: WebhookSubject, event: WebhookEvent, data: unknown): Promise<void> {
    if (!subscription || !subscription.events.includes(event)) return;
    const type = `${subject.kind}.${event}`;
    const payload = JSON.stringify({ type, timestamp: new Date().toISOString(), data });
    await this.queue.enqueue({ webhookId: `msg_${subject.id}_${event}`, clientId: subscription.clientId, url: subscription.url, type, subjectId: subject.id, payload });
  }

  /** The client's recent attempts, newest first: `limit` (1 to 100, default 20) after `cursor` (the previous page's nextCursor). */
  async deliveries(clientId: string, query: { readonly limit?: unknown; readonly cursor?: unknown }): Promise<DeliveryPage> {
    const limit = readLimit(query.limit);
    const cursor = query.cursor ?? undefined;
    if (cursor !== undefined && (typeof cursor !== 'string' || cursor.length > 100)) throw invalidArgument('cursor', "must be a previous page's nextCursor");
    const all = await this.log.recent(clientId);
    let start = 0;
    if (cursor !== undefined) {
      const at = all.findIndex((a) => a.id === cursor);
      if (at < 0) throw invalidArgument('cursor', "must be a previous page's nextCursor (older attempts may have left the log)");
      start = at + 1;
    }
    const items: DeliveryAttempt[] = all.slice(start, start + limit);
    const more = start + limit < all.length;
    const last = items[items.length - 1];
    return { items, ...(more && last ? { nextCursor: last.id } : {}) };
  }

  /** Shutdown: pending deliveries get until `deadline` (epoch ms). */
  async drain(deadline: number): Promise<void> {
    await this.queue.drain(deadline);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close();
    await this.log.close();
  }
}

function readLimit(value: unknown): number {
  if (value === undefined || value === null) return DEFAULT_DELIVERY_PAGE;
  const limit = typeof value === 'string' && /^\d{1,4}$/.test(value) ? Number(value) : value;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > MAX_DELIVERY_PAGE) {
    throw invalidArgument('limit', `must be a whole number from 1 to ${MAX_DELIVERY_PAGE} (default ${DEFAULT_DELIVERY_PAGE})`);
  }
  return limit;
}

/**
 * A request's `webhook` field: where to report the work and which events. The shape is checked here,
 * at once; whether the host is one the server may call is webhook-address.ts's (it resolves names).
 */
import { invalidArgument } from '../common/error-code';
import { DEFAULT_WEBHOOK_EVENTS, MAX_WEBHOOK_URL_LENGTH, WEBHOOK_EVENTS, type WebhookEvent } from '../common/webhook-events';

export interface WebhookTarget {
  readonly url: string;
  readonly events: readonly WebhookEvent[];
}

const FIELDS = ['url', 'events'];

/** The target a request names, or undefined when it names none (absent or null: the key's default, if any). */
export function readWebhookField(value: unknown, field = 'webhook'): WebhookTarget | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidArgument(field, 'must be an object { url, events? }');
  const fields = value as Record<string, unknown>;
  const unknown = Object.keys(fields).find((key) => !FIELDS.includes(key));
  if (unknown !== undefined) throw invalidArgument(`${field}.${unknown}`, `is not a webhook field (known: ${FIELDS.join(', ')})`);
  return { url: parseWebhookUrl(fields['url'], `${field}.url`).href, events: readEvents(fields['events'], `${field}.events`) };
}

/** An absolute http(s) URL without credentials; refused naming `field` otherwise. */
export function parseWebhookUrl(value: unknown, field: string): URL {
  if (value === undefined || value === null) throw invalidArgument(field, 'is required (an http or https URL)');
  if (typeof value !== 'string') throw invalidArgument(field, 'must be a string (an http or https URL)');
  if (value.length > MAX_WEBHOOK_URL_LENGTH) throw invalidArgument(field, `must be at most ${MAX_WEBHOOK_URL_LENGTH} characters, got ${value.length}`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalidArgument(field, 'must be an absolute http or https URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalidArgument(field, `must use http or https, got ${url.protocol.slice(0, 20)}`);
  if (url.username !== '' || url.password !== '') throw invalidArgument(field, 'must not carry credentials (user:password@); deliveries are signed instead');
  if (url.hostname === '') throw invalidArgument(field, 'must name a host');
  return url;
}

function readEvents(value: unknown, field: string): readonly WebhookEvent[] {
  if (value === undefined || value === null) return DEFAULT_WEBHOOK_EVENTS;
  const rule = `must be a non-empty array of distinct events from ${WEBHOOK_EVENTS.join(', ')}`;
  if (!Array.isArray(value) || value.length === 0 || value.length > WEBHOOK_EVENTS.length) throw invalidArgument(field, rule);
  for (const event of value) {
    if (typeof event !== 'string' || !(WEBHOOK_EVENTS as readonly string[]).includes(event)) throw invalidArgument(field, `${rule}; got ${typeof event === 'string' ? JSON.stringify(event.slice(0, 40)) : typeof event}`);
  }
  if (new Set(value).size !== value.length) throw invalidArgument(field, rule);
  return value as WebhookEvent[];
}

/** The .proto's Webhook message as decoded (proto3: an empty list is an absent one). */
export interface WebhookMessage {
  readonly url?: string;
  readonly events?: readonly string[];
}

/** A gRPC request's webhook as the domain reads the field (REST's JSON shape). */
export function webhookFieldOfMessage(message: WebhookMessage): Record<string, unknown> {
  return { url: message.url ?? '', ...(message.events && message.events.length > 0 ? { events: [...message.events] } : {}) };
}

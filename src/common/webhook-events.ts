/**
 * The events a webhook may subscribe to, named as the generation and comparison states they report.
 * Here at the bottom because the keys file (auth/) names them for a key's default webhook, and the
 * request schemas and the delivery code name them too.
 */
export const WEBHOOK_EVENTS = ['started', 'succeeded', 'failed', 'cancelled'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** Without `events`, a webhook hears how the work ended (not when it started). */
export const DEFAULT_WEBHOOK_EVENTS: readonly WebhookEvent[] = ['succeeded', 'failed', 'cancelled'];

/** Standard Webhooks signing secrets: `whsec_` and the base64 of 24 to 64 random bytes. */
export const WEBHOOK_SECRET_PREFIX = 'whsec_';

export function isWebhookSecret(value: string): boolean {
  if (!value.startsWith(WEBHOOK_SECRET_PREFIX)) return false;
  const body = value.slice(WEBHOOK_SECRET_PREFIX.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body) || body.length % 4 !== 0) return false;
  const bytes = Buffer.from(body, 'base64').length;
  return bytes >= 24 && bytes <= 64;
}

/** The longest webhook URL accepted (request field or keys file). */
export const MAX_WEBHOOK_URL_LENGTH = 2048;

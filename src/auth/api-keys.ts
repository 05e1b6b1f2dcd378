/**
 * API keys: random secrets handed to clients once, stored only as SHA-256 digests (a key is 256
 * random bits, so a fast digest cannot be brute-forced). Each key names a client, a tier (its rate
 * limits) and roles (`admin` may load and unload checkpoints). No NestJS here.
 */
import { createHash, randomBytes } from 'node:crypto';
import { WEBHOOK_SECRET_PREFIX, type WebhookEvent } from '../common/webhook-events';

export const API_KEY_PREFIX = 'afd_';
export const ROLES = ['admin'] as const;
export type Role = (typeof ROLES)[number];

export interface ApiKeyEntry {
  /** The client's name: its identity for fairness, rate limits and logs. */
  readonly name: string;
  readonly tier: string;
  readonly roles: readonly Role[];
  /** Hex SHA-256 of the key. */
  readonly sha256: string;
  /** Signs this client's webhook deliveries (Standard Webhooks `whsec_…`); without it the client cannot ask for webhooks. */
  readonly webhookSecret?: string;
  /** Where this client's generations and comparisons are reported when a request names no webhook. */
  readonly webhook?: { readonly url: string; readonly events: readonly WebhookEvent[] };
}

/** Who is calling: a key's client, or (when the server runs open) an address. */
export interface Principal {
  readonly clientId: string;
  readonly tier: string;
  readonly roles: readonly Role[];
  readonly authenticated: boolean;
}

/** What a principal may read of generations: its own, or all with the admin role. */
export function viewerOf(principal: Principal): { clientId: string; admin: boolean } {
  return { clientId: principal.clientId, admin: principal.roles.includes('admin') };
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** A new key: the prefix and 32 random bytes in base64url (43 characters). */
export function generateApiKey(): string {
  return API_KEY_PREFIX + randomBytes(32).toString('base64url');
}

/** A new Standard Webhooks signing secret: `whsec_` and 32 random bytes in base64. */
export function generateWebhookSecret(): string {
  return WEBHOOK_SECRET_PREFIX + randomBytes(32).toString('base64');
}

/** The longest credential read from a request; anything longer is refused before hashing. */
export const MAX_API_KEY_LENGTH = 200;

export class ApiKeyStore {
  private readonly byDigest: ReadonlyMap<string, ApiKeyEntry>;
  private readonly byName: ReadonlyMap<string, ApiKeyEntry>;

  constructor(readonly entries: readonly ApiKeyEntry[]) {
    this.byDigest = new Map(entries.map((e) => [e.sha256, e]));
    this.byName = new Map(entries.map((e) => [e.name, e]));
  }

  /** The entry of a client (its name), for what a key carries besides access: the webhook secret and default. */
  entry(name: string): ApiKeyEntry | undefined {
    return this.byName.get(name);
  }

  get size(): number {
    return this.byDigest.size;
  }

  /** The key's principal, or undefined for an unknown key. */
  authenticate(key: string): Principal | undefined {
    if (key.length === 0 || key.length > MAX_API_KEY_LENGTH) return undefined;
    const entry = this.byDigest.get(hashApiKey(key));
    return entry ? { clientId: entry.name, tier: entry.tier, roles: entry.roles, authenticated: true } : undefined;
  }
}

/**
 * Who may call, read from the environment: API keys from AFD_API_KEYS_FILE (a JSON file) or
 * AFD_API_KEYS (the same JSON inline), with their tiers. Without keys the server starts only when
 * AFD_ALLOW_OPEN=true says it may run open; then clients are told apart by address, on AFD_OPEN_TIER.
 */
import { readFileSync } from 'node:fs';
import { isWebhookSecret, MAX_WEBHOOK_URL_LENGTH, WEBHOOK_EVENTS, DEFAULT_WEBHOOK_EVENTS, type WebhookEvent } from '../common/webhook-events';
import { ApiKeyStore, ROLES, type ApiKeyEntry, type Role } from './api-keys';
import { DEFAULT_TIERS, type TierLimits } from './tiers';

export type AuthConfig =
  | { readonly mode: 'keys'; readonly store: ApiKeyStore; readonly tiers: Readonly<Record<string, TierLimits>> }
  | { readonly mode: 'open'; readonly openTier: string; readonly tiers: Readonly<Record<string, TierLimits>> };

export class AuthConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuthConfigError';
  }
}

export function loadAuthConfig(env: NodeJS.ProcessEnv): AuthConfig {
  const file = env['AFD_API_KEYS_FILE'];
  const inline = env['AFD_API_KEYS'];
  if (file && inline) throw new AuthConfigError('configuration AFD_API_KEYS_FILE and AFD_API_KEYS: set one, not both');
  let source: { text: string; where: string } | undefined;
  if (file) {
    try {
      source = { text: readFileSync(file, 'utf8'), where: file };
    } catch (error) {
      throw new AuthConfigError(`configuration AFD_API_KEYS_FILE: cannot read ${file} (${(error as Error).message})`);
    }
  } else if (inline) source = { text: inline, where: 'AFD_API_KEYS' };

  if (source) {
    const { keys, tiers } = parseKeysDocument(source.text, source.where);
    if (keys.length > 0) return { mode: 'keys', store: new ApiKeyStore(keys), tiers };
  }
  const allowOpen = env['AFD_ALLOW_OPEN'];
  if (allowOpen !== undefined && allowOpen !== 'true' && allowOpen !== 'false') throw new AuthConfigError(`configuration AFD_ALLOW_OPEN: must be true or false (got ${JSON.stringify(allowOpen)})`);
  if (allowOpen !== 'true') {
    throw new AuthConfigError(
      'no API keys are configured: set AFD_API_KEYS_FILE (or AFD_API_KEYS) to a keys document (npm run keys:create makes entries), or AFD_ALLOW_OPEN=true to run without authentication',
    );
  }
  const openTier = env['AFD_OPEN_TIER'] || 'standard';
  if (!(openTier in DEFAULT_TIERS)) throw new AuthConfigError(`configuration AFD_OPEN_TIER: must be one of ${Object.keys(DEFAULT_TIERS).join(', ')} (got ${JSON.stringify(openTier)})`);
  return { mode: 'open', openTier, tiers: DEFAULT_TIERS };
}

/**
 * `{ "tiers": { name: { generations, reads } }, "keys": [{ name, tier, roles, sha256, webhookSecret?, webhook? }] }`;
 * every problem names where it is. `webhookSecret` is a secret (HMAC keys cannot be stored hashed): protect the file.
 */
export function parseKeysDocument(text: string, where: string): { keys: ApiKeyEntry[]; tiers: Record<string, TierLimits> } {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new AuthConfigError(`${where}: is not valid JSON (${(error as Error).message})`);
  }
  if (!isObject(document)) throw new AuthConfigError(`${where}: must be a JSON object with "keys" (and optionally "tiers")`);
  const tiers: Record<string, TierLimits> = { ...DEFAULT_TIERS };
  if (document['tiers'] !== undefined) {
    if (!isObject(document['tiers'])) throw new AuthConfigError(`${where}: tiers must be an object of { generations, reads } per tier`);
    for (const [name, limits] of Object.entries(document['tiers'])) {
      const at = `${where}: tiers.${name}`;
      if (!isObject(limits)) throw new AuthConfigError(`${at} must be an object { generations, reads }`);
      tiers[name] = { generations: positiveInteger(limits['generations'], `${at}.generations`), reads: positiveInteger(limits['reads'], `${at}.reads`) };
    }
  }
  const rawKeys = document['keys'];
  if (!Array.isArray(rawKeys)) throw new AuthConfigError(`${where}: keys must be an array`);
  const names = new Set<string>();
  const digests = new Set<string>();
  const keys = rawKeys.map((raw: unknown, i): ApiKeyEntry => {
    const at = `${where}: keys[${i}]`;
    if (!isObject(raw)) throw new AuthConfigError(`${at} must be an object { name, tier, roles, sha256 }`);
    const { name, tier, roles, sha256, webhookSecret, webhook } = raw;
    if (typeof name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name)) throw new AuthConfigError(`${at}.name must be 1 to 64 letters, digits, '.', '_' or '-'`);
    if (names.has(name)) throw new AuthConfigError(`${at}.name "${name}" is used twice`);
    names.add(name);
    const tierName = tier ?? 'standard';
    if (typeof tierName !== 'string' || !(tierName in tiers)) throw new AuthConfigError(`${at}.tier must be one of ${Object.keys(tiers).join(', ')}`);
    const roleList = roles ?? [];
    if (!Array.isArray(roleList) || roleList.some((r) => !(ROLES as readonly unknown[]).includes(r))) throw new AuthConfigError(`${at}.roles must be an array of ${ROLES.join(', ')}`);
    if (typeof sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(sha256)) throw new AuthConfigError(`${at}.sha256 must be the key's SHA-256 in 64 lowercase hex digits (never the key itself)`);
    if (digests.has(sha256)) throw new AuthConfigError(`${at}.sha256 is used twice`);
    digests.add(sha256);
    if (webhookSecret !== undefined && (typeof webhookSecret !== 'string' || !isWebhookSecret(webhookSecret))) {
      throw new AuthConfigError(`${at}.webhookSecret must be a Standard Webhooks secret: whsec_ and the base64 of 24 to 64 bytes (npm run keys:create makes one)`);
    }
    const defaultWebhook = webhook === undefined ? undefined : readDefaultWebhook(webhook, `${at}.webhook`);
    if (defaultWebhook && webhookSecret === undefined) throw new AuthConfigError(`${at}.webhook needs ${at}.webhookSecret to sign the deliveries`);
    return { name, tier: tierName, roles: roleList as Role[], sha256, ...(webhookSecret !== undefined ? { webhookSecret } : {}), ...(defaultWebhook ? { webhook: defaultWebhook } : {}) };
  });
  return { keys, tiers };
}

/** A key's default webhook: an http(s) URL and the events it hears (checked against the address rules when delivered). */
function readDefaultWebhook(value: unknown, at: string): { url: string; events: readonly WebhookEvent[] } {
  if (!isObject(value)) throw new AuthConfigError(`${at} must be an object { url, events? }`);
  const { url, events, ...rest } = value;
  const extra = Object.keys(rest)[0];
  if (extra !== undefined) throw new AuthConfigError(`${at}.${extra} is not a webhook setting (known: url, events)`);
  let parsed: URL | undefined;
  try {
    parsed = typeof url === 'string' && url.length <= MAX_WEBHOOK_URL_LENGTH ? new URL(url) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) throw new AuthConfigError(`${at}.url must be an http or https URL of at most ${MAX_WEBHOOK_URL_LENGTH} characters`);
  if (events === undefined) return { url: parsed.href, events: DEFAULT_WEBHOOK_EVENTS };
  if (!Array.isArray(events) || events.length === 0 || events.some((e) => !(WEBHOOK_EVENTS as readonly unknown[]).includes(e)) || new Set(events).size !== events.length) {
    throw new AuthConfigError(`${at}.events must be a non-empty array of distinct events from ${WEBHOOK_EVENTS.join(', ')}`);
  }
  return { url: parsed.href, events: events as WebhookEvent[] };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function positiveInteger(value: unknown, at: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 1e9) throw new AuthConfigError(`${at} must be a positive integer`);
  return value;
}

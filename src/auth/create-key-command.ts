/**
 * `npm run keys:create -- --name acme [--tier partner] [--role admin] [--webhook-url URL] [--webhook-events succeeded,failed]`:
 * makes a new API key, prints it once (hand it to the client) and the keys-file entry that stores only
 * its SHA-256, with a webhook signing secret (Standard Webhooks `whsec_…`, also for the client: it
 * verifies deliveries with it) and, if asked, the key's default webhook.
 */
import { WEBHOOK_EVENTS, type WebhookEvent } from '../common/webhook-events';
import { generateApiKey, generateWebhookSecret, hashApiKey, ROLES, type ApiKeyEntry, type Role } from './api-keys';
import { AuthConfigError, parseKeysDocument } from './auth-config';
import { DEFAULT_TIERS } from './tiers';

export const CREATE_KEY_USAGE = `usage: npm run keys:create -- --name NAME [--tier ${Object.keys(DEFAULT_TIERS).join('|')}] [--role admin] [--webhook-url URL] [--webhook-events ${WEBHOOK_EVENTS.join(',')}]`;

export function runCreateKey(argv: readonly string[], print: (text: string) => void, key = generateApiKey(), webhookSecret = generateWebhookSecret()): number {
  const options: { name?: string; tier: string; roles: Role[]; webhookUrl?: string; webhookEvents?: WebhookEvent[] } = { tier: 'standard', roles: [] };
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (value === undefined || value.startsWith('--')) return usage(print, `${flag} needs a value`);
    if (flag === '--name') options.name = value;
    else if (flag === '--tier') options.tier = value;
    else if (flag === '--role' && (ROLES as readonly string[]).includes(value)) options.roles.push(value as Role);
    else if (flag === '--webhook-url') options.webhookUrl = value;
    else if (flag === '--webhook-events') options.webhookEvents = value.split(',').map((e) => e.trim()) as WebhookEvent[];
    else return usage(print, `unknown argument ${flag} ${value}`);
  }
  if (!options.name || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(options.name)) return usage(print, '--name must be 1 to 64 letters, digits, ".", "_" or "-"');
  if (options.webhookEvents && !options.webhookUrl) return usage(print, '--webhook-events needs --webhook-url');
  const webhook = options.webhookUrl ? { url: options.webhookUrl, ...(options.webhookEvents ? { events: options.webhookEvents } : {}) } : undefined;
  const written = { name: options.name, tier: options.tier, roles: options.roles, sha256: hashApiKey(key), webhookSecret, ...(webhook ? { webhook } : {}) } satisfies Omit<ApiKeyEntry, 'webhook'> & { webhook?: unknown };
  try {
    // The same checks as the server's at start-up (a custom tier is defined by the file, so it is left out here).
    parseKeysDocument(JSON.stringify({ keys: [{ ...written, tier: 'standard' }] }), 'entry');
  } catch (error) {
    if (error instanceof AuthConfigError) return usage(print, error.message.replace(/^entry: keys\[0\]\.webhook\.(url|events)/, '--webhook-$1'));
    throw error;
  }
  print(`API key for ${options.name} (shown once; the server stores only its hash):\n\n  ${key}\n`);
  print(`Webhook signing secret (give it to the client too: it verifies deliveries with it; the server keeps it in the keys file):\n\n  ${webhookSecret}\n`);
  print(`Add this entry to the "keys" array of your keys file (AFD_API_KEYS_FILE):\n\n  ${JSON.stringify(written)}\n`);
  if (!(options.tier in DEFAULT_TIERS)) print(`Tier "${options.tier}" is not built in: define it under "tiers" in the keys file.`);
  return 0;
}

function usage(print: (text: string) => void, problem: string): number {
  print(`${problem}\n${CREATE_KEY_USAGE}`);
  return 2;
}

/** Webhook delivery settings (AFD_WEBHOOK_*), parsed once with the rest of the configuration. */

export interface WebhookSettings {
  /** One attempt, connection to last byte read (AFD_WEBHOOK_TIMEOUT_MS). */
  readonly timeoutMs: number;
  /** Attempts per event before it is recorded failed (AFD_WEBHOOK_MAX_ATTEMPTS). */
  readonly maxAttempts: number;
  /** Retry n waits about base · 2^(n-1), jittered, at most max (AFD_WEBHOOK_RETRY_BASE_MS, AFD_WEBHOOK_RETRY_MAX_MS). */
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  /** Bytes of a receiver's answer read at most; the rest is dropped (AFD_WEBHOOK_MAX_RESPONSE_BYTES). */
  readonly maxResponseBytes: number;
  /** Deliver to private, loopback, link-local and other non-public addresses too (AFD_WEBHOOK_ALLOW_PRIVATE; for tests and closed networks). */
  readonly allowPrivate: boolean;
  /** Host names delivered to whatever they resolve to (AFD_WEBHOOK_ALLOWED_HOSTS, comma-separated): an internal receiver, without opening every private address. */
  readonly allowedHosts: readonly string[];
  /** Attempts in flight at once per process (AFD_WEBHOOK_CONCURRENCY): slow receivers hold sockets, not more than this many. */
  readonly concurrency: number;
  /** Delivery attempts kept per client for GET /v1/webhooks/deliveries (AFD_WEBHOOK_LOG_SIZE). */
  readonly logSize: number;
}

type ConfigErrorFactory = (setting: string, rule: string, value: string) => Error;
type IntReader = (name: string, fallback: number, min: number, max: number) => number;

export function loadWebhookSettings(env: NodeJS.ProcessEnv, int: IntReader, configError: ConfigErrorFactory): WebhookSettings {
  const allowPrivate = env['AFD_WEBHOOK_ALLOW_PRIVATE'] ?? 'false';
  if (allowPrivate !== 'true' && allowPrivate !== 'false') throw configError('AFD_WEBHOOK_ALLOW_PRIVATE', 'must be true or false', allowPrivate);
  const hosts = (env['AFD_WEBHOOK_ALLOWED_HOSTS'] ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter((h) => h !== '');
  for (const host of hosts) {
    if (!/^[a-z0-9.-]{1,253}$/.test(host)) throw configError('AFD_WEBHOOK_ALLOWED_HOSTS', 'must be a comma-separated list of host names', env['AFD_WEBHOOK_ALLOWED_HOSTS'] ?? '');
  }
  const retryBaseMs = int('AFD_WEBHOOK_RETRY_BASE_MS', 5000, 1, 3_600_000);
  const retryMaxMs = int('AFD_WEBHOOK_RETRY_MAX_MS', 3_600_000, 1, 86_400_000);
  if (retryMaxMs < retryBaseMs) throw configError('AFD_WEBHOOK_RETRY_MAX_MS', `must be at least AFD_WEBHOOK_RETRY_BASE_MS (${retryBaseMs})`, String(retryMaxMs));
  return {
    timeoutMs: int('AFD_WEBHOOK_TIMEOUT_MS', 10_000, 1, 120_000),
    maxAttempts: int('AFD_WEBHOOK_MAX_ATTEMPTS', 8, 1, 50),
    retryBaseMs,
    retryMaxMs,
    maxResponseBytes: int('AFD_WEBHOOK_MAX_RESPONSE_BYTES', 4096, 0, 1 << 20),
    allowPrivate: allowPrivate === 'true',
    allowedHosts: hosts,
    concurrency: int('AFD_WEBHOOK_CONCURRENCY', 16, 1, 1000),
    logSize: int('AFD_WEBHOOK_LOG_SIZE', 200, 1, 10_000),
  };
}

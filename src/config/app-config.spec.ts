import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashApiKey } from '../auth/api-keys';
import { loadAppConfig as load, poolMaxBatch } from './app-config';

/** Every case runs open unless it sets up keys itself. */
const loadAppConfig = (env: NodeJS.ProcessEnv) => load({ AFD_ALLOW_OPEN: 'true', ...env });

describe('loadAppConfig', () => {
  it('has defaults for an empty environment', () => {
    expect(loadAppConfig({})).toMatchObject({ http: { host: '0.0.0.0', port: 8080, bodyLimit: '256kb' }, pool: { devices: ['cpu'], maxQueuedTotal: 256 } });
  });

  it('turns AFD_LOG_LEVEL into the levels at and above it', () => {
    expect(loadAppConfig({ AFD_LOG_LEVEL: 'warn' }).logLevels).toEqual(['error', 'warn']);
    expect(loadAppConfig({}).logLevels).toEqual(['error', 'warn', 'log']);
    expect(loadAppConfig({ AFD_LOG_FORMAT: 'pretty' }).logFormat).toBe('pretty');
    expect(loadAppConfig({ AFD_LOG_FORMAT: 'json' }).logFormat).toBe('json');
    // Unset: pretty on a terminal only (Jest's stdout here is whatever runs it).
    expect(loadAppConfig({}).logFormat).toBe(process.stdout.isTTY ? 'pretty' : 'json');
    expect(() => loadAppConfig({ AFD_LOG_FORMAT: 'yaml' })).toThrow(/AFD_LOG_FORMAT.*json, pretty/);
  });

  it('reads devices, limits and the registry path', () => {
    const config = loadAppConfig({ PORT: '9000', AFD_DEVICES: 'cpu, cuda:1', AFD_REGISTRY: 'r.json', AFD_MEMORY_BUDGET_BYTES: '8000000000' });
    expect(config).toMatchObject({ http: { port: 9000 }, pool: { devices: ['cpu', 'cuda:1'], memoryBudgetBytes: 8e9 }, registryFile: 'r.json' });
  });

  it('reads the optimised-graph cache setting: on by default, off on request, refusing other values by name', () => {
    expect(loadAppConfig({}).pool.optimizedModelCache).toEqual({ fallbackDir: join(tmpdir(), 'afd-onnx-cache') });
    expect(loadAppConfig({ AFD_ONNX_CACHE: 'on', AFD_ONNX_CACHE_DIR: '/var/cache/afd' }).pool.optimizedModelCache).toEqual({ fallbackDir: '/var/cache/afd' });
    expect(loadAppConfig({ AFD_ONNX_CACHE: 'off' }).pool.optimizedModelCache).toBeUndefined();
    expect(() => loadAppConfig({ AFD_ONNX_CACHE: 'yes' })).toThrow(/configuration AFD_ONNX_CACHE: must be on or off/);
    expect(() => loadAppConfig({ AFD_ONNX_CACHE_DIR: 'relative/dir' })).toThrow(/configuration AFD_ONNX_CACHE_DIR: must be an absolute path/);
  });

  it('reads batch limits; a latent-pixel budget gives large images fewer rows', () => {
    expect(loadAppConfig({}).pool.maxBatchRows).toBe(8);
    const config = loadAppConfig({ AFD_MAX_BATCH_ROWS: '8', AFD_MAX_BATCH_LATENT_PIXELS: '32768' });
    const rows = poolMaxBatch(config.pool) as (latentPixels: number) => number;
    expect([rows(64 * 64), rows(96 * 96), rows(128 * 128), rows(512 * 512)]).toEqual([8, 3, 2, 1]);
    expect(() => loadAppConfig({ AFD_MAX_BATCH_ROWS: '0' })).toThrow(/configuration AFD_MAX_BATCH_ROWS/);
  });

  it('reads the size above which images are VAE-decoded in tiles (default 512 × 512 pixels)', () => {
    expect(loadAppConfig({}).pool.vaeTileAbovePixels).toBe(512 * 512);
    expect(loadAppConfig({ AFD_VAE_TILE_ABOVE_PIXELS: '0' }).pool.vaeTileAbovePixels).toBe(0);
    expect(() => loadAppConfig({ AFD_VAE_TILE_ABOVE_PIXELS: '-1' })).toThrow(/configuration AFD_VAE_TILE_ABOVE_PIXELS: must be an integer from 0 to 1073741824/);
    expect(() => loadAppConfig({ AFD_VAE_TILE_ABOVE_PIXELS: 'big' })).toThrow(/AFD_VAE_TILE_ABOVE_PIXELS/);
  });

  it('reads webhook settings, refusing bad ones by name', () => {
    expect(loadAppConfig({}).webhooks).toEqual({ timeoutMs: 10_000, maxAttempts: 8, retryBaseMs: 5000, retryMaxMs: 3_600_000, maxResponseBytes: 4096, allowPrivate: false, allowedHosts: [], concurrency: 16, logSize: 200 });
    expect(loadAppConfig({ AFD_WEBHOOK_ALLOW_PRIVATE: 'true', AFD_WEBHOOK_ALLOWED_HOSTS: ' Hooks.Internal, 10.0.0.5 ' }).webhooks).toMatchObject({ allowPrivate: true, allowedHosts: ['hooks.internal', '10.0.0.5'] });
    expect(() => loadAppConfig({ AFD_WEBHOOK_ALLOW_PRIVATE: 'yes' })).toThrow(/configuration AFD_WEBHOOK_ALLOW_PRIVATE: must be true or false/);
    expect(() => loadAppConfig({ AFD_WEBHOOK_ALLOWED_HOSTS: 'http://x/' })).toThrow(/configuration AFD_WEBHOOK_ALLOWED_HOSTS: must be a comma-separated list of host names/);
    expect(() => loadAppConfig({ AFD_WEBHOOK_RETRY_BASE_MS: '5000', AFD_WEBHOOK_RETRY_MAX_MS: '10' })).toThrow(/configuration AFD_WEBHOOK_RETRY_MAX_MS: must be at least AFD_WEBHOOK_RETRY_BASE_MS/);
    expect(() => loadAppConfig({ AFD_WEBHOOK_MAX_ATTEMPTS: '0' })).toThrow(/configuration AFD_WEBHOOK_MAX_ATTEMPTS: must be an integer from 1 to 50/);
  });

  it('reads a key\'s webhook secret and default webhook, refusing malformed ones by where they are', () => {
    const secret = `whsec_${Buffer.alloc(32, 3).toString('base64')}`;
    const entry = { name: 'shop', sha256: hashApiKey('afd_shop-key') };
    const keys = (extra: Record<string, unknown>) => ({ AFD_ALLOW_OPEN: 'false', AFD_API_KEYS: JSON.stringify({ keys: [{ ...entry, ...extra }] }) });
    const config = load(keys({ webhookSecret: secret, webhook: { url: 'https://shop.example.com/afd' } }));
    expect(config.auth.mode === 'keys' && config.auth.store.entry('shop')).toMatchObject({ webhookSecret: secret, webhook: { url: 'https://shop.example.com/afd', events: ['succeeded', 'failed', 'cancelled'] } });
    expect(() => load(keys({ webhookSecret: 'whsec_short' }))).toThrow(/AFD_API_KEYS: keys\[0\]\.webhookSecret must be a Standard Webhooks secret/);
    expect(() => load(keys({ webhook: { url: 'https://shop.example.com/afd' } }))).toThrow(/keys\[0\]\.webhook needs keys\[0\]\.webhookSecret|webhook needs .*webhookSecret/);
    expect(() => load(keys({ webhookSecret: secret, webhook: { url: 'gopher://x/' } }))).toThrow(/keys\[0\]\.webhook\.url must be an http or https URL/);
    expect(() => load(keys({ webhookSecret: secret, webhook: { url: 'https://x/', events: ['done'] } }))).toThrow(/keys\[0\]\.webhook\.events must be a non-empty array/);
    expect(() => load(keys({ webhookSecret: secret, webhook: { url: 'https://x/', secret: 'x' } }))).toThrow(/keys\[0\]\.webhook\.secret is not a webhook setting/);
  });

  it('refuses to start without API keys unless told to run open', () => {
    expect(() => load({})).toThrow(/no API keys are configured: set AFD_API_KEYS_FILE .* or AFD_ALLOW_OPEN=true/);
    expect(() => load({ AFD_ALLOW_OPEN: 'yes' })).toThrow(/configuration AFD_ALLOW_OPEN: must be true or false/);
    expect(load({ AFD_ALLOW_OPEN: 'true' }).auth).toEqual(expect.objectContaining({ mode: 'open', openTier: 'standard' }));
  });

  it('reads hashed API keys from a file or inline, with tiers and roles', () => {
    const dir = mkdtempSync(join(tmpdir(), 'afd-keys-'));
    const file = join(dir, 'keys.json');
    writeFileSync(file, JSON.stringify({ tiers: { gold: { generations: 5, reads: 50 } }, keys: [{ name: 'acme', tier: 'gold', roles: ['admin'], sha256: hashApiKey('afd_secret') }] }));
    for (const env of [{ AFD_API_KEYS_FILE: file }, { AFD_API_KEYS: JSON.stringify({ keys: [{ name: 'acme', tier: 'gold', roles: ['admin'], sha256: hashApiKey('afd_secret') }], tiers: { gold: { generations: 5, reads: 50 } } }) }]) {
      const { auth } = load(env);
      if (auth.mode !== 'keys') throw new Error('expected keys mode');
      expect(auth.store.authenticate('afd_secret')).toEqual({ clientId: 'acme', tier: 'gold', roles: ['admin'], authenticated: true });
      expect(auth.store.authenticate('afd_wrong')).toBeUndefined();
      expect(auth.tiers['gold']).toEqual({ generations: 5, reads: 50 });
    }
  });

  it.each([
    [{ AFD_API_KEYS: 'not json' }, /AFD_API_KEYS: is not valid JSON/],
    [{ AFD_API_KEYS: '{"keys":[{"name":"a","sha256":"afd_plaintext"}]}' }, /keys\[0\]\.sha256 must be the key's SHA-256 in 64 lowercase hex digits \(never the key itself\)/],
    [{ AFD_API_KEYS: `{"keys":[{"name":"a","tier":"platinum","sha256":"${'a'.repeat(64)}"}]}` }, /keys\[0\]\.tier must be one of free, standard, partner, internal/],
    [{ AFD_API_KEYS: `{"keys":[{"name":"a","roles":["root"],"sha256":"${'a'.repeat(64)}"}]}` }, /keys\[0\]\.roles must be an array of admin/],
    [{ AFD_API_KEYS: `{"keys":[{"name":"a","sha256":"${'a'.repeat(64)}"},{"name":"a","sha256":"${'b'.repeat(64)}"}]}` }, /keys\[1\]\.name "a" is used twice/],
    [{ AFD_API_KEYS_FILE: '/nonexistent/keys.json' }, /configuration AFD_API_KEYS_FILE: cannot read/],
    [{ AFD_OPEN_TIER: 'vip' }, /configuration AFD_OPEN_TIER: must be one of/],
    [{ AFD_REDIS_URL: 'localhost:6379' }, /configuration AFD_REDIS_URL: must be a redis:\/\/ or rediss:\/\/ URL/],
  ])('refuses bad key settings: %j', (env, message) => {
    expect(() => loadAppConfig(env)).toThrow(message);
  });

  it.each([
    [{ PORT: 'eighty' }, /configuration PORT: must be an integer from 0 to 65535 \(got "eighty"\)/],
    [{ PORT: '70000' }, /configuration PORT/],
    [{ AFD_DEVICES: 'gpu0' }, /configuration AFD_DEVICES: must be a comma-separated list of cpu or cuda:N/],
    [{ AFD_MAX_QUEUED: '0' }, /configuration AFD_MAX_QUEUED/],
    [{ AFD_GRAPHQL_MAX_QUERY_BYTES: '512' }, /configuration AFD_GRAPHQL_MAX_QUERY_BYTES: must be an integer from 1024 to 1048576/],
    [{ AFD_GRAPHQL_MAX_TOKENS: '2k' }, /configuration AFD_GRAPHQL_MAX_TOKENS: must be an integer from 100 to 100000/],
    [{ AFD_LOG_LEVEL: 'verbose' }, /configuration AFD_LOG_LEVEL: must be one of error, warn, log, debug/],
  ])('stops on %j naming the setting', (env, message) => {
    expect(() => loadAppConfig(env)).toThrow(message);
  });
});

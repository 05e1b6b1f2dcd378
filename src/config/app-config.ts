/**
 * Configuration from the environment, parsed and validated once at start-up. A bad setting stops
 * the process with a message naming the setting.
 */
import { loadAuthConfig, type AuthConfig } from '../auth/auth-config';
import { hostname, tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import type { DistributedConfig } from './distributed-config';
import { loadWebhookSettings, type WebhookSettings } from './webhook-config';
import { DEFAULT_TILE_ABOVE_PIXELS } from '../engine/pipeline/vae-tiling';
import type { DeviceSpec } from '../engine/runtime/onnx-runtime';

/** The HTTP listener (REST, GraphQL, health, metrics unless on their own port). */
export interface HttpConfig {
  readonly host: string;
  readonly port: number;
  /** JSON body limit (AFD_BODY_LIMIT_KB), as body-parser reads it ("256kb"). */
  readonly bodyLimit: string;
  /** Express's `trust proxy` (AFD_TRUST_PROXY): how client addresses are read behind a load balancer. */
  readonly trustProxy?: string;
}

/** The inference pool: devices, model memory, batching and the global queue bound. */
export interface PoolSettings {
  readonly devices: readonly DeviceSpec[];
  readonly memoryBudgetBytes?: number;
  /** Most rows in one UNet call (AFD_MAX_BATCH_ROWS), and at most this many rows × latent pixels (AFD_MAX_BATCH_LATENT_PIXELS), so large images batch fewer rows. */
  readonly maxBatchRows: number;
  readonly maxBatchLatentPixels?: number;
  /** Images with more pixels than this are VAE-decoded in overlapping tiles (AFD_VAE_TILE_ABOVE_PIXELS). */
  readonly vaeTileAbovePixels: number;
  readonly maxQueuedTotal: number;
  /** Optimised graphs reused across starts (AFD_ONNX_CACHE, on by default), written beside each component or, where its folder is read-only, under AFD_ONNX_CACHE_DIR; absent when off. */
  readonly optimizedModelCache?: { readonly fallbackDir: string };
}

/** Results and progress streams of generations and comparisons. */
export interface ResultSettings {
  readonly resultTtlMs: number;
  /** One byte budget for every image kept (AFD_RESULT_STORE_MB). */
  readonly resultStoreBytes: number;
  /** Progress streams (SSE, GraphQL subscriptions, gRPC Generate) one client may hold open at once (AFD_MAX_STREAMS_PER_CLIENT). */
  readonly maxStreamsPerClient: number;
}

/** GraphQL operation limits: documents before parsing (bytes, tokens), then depth and estimated cost. */
export interface GraphqlLimitsConfig {
  readonly maxDepth: number;
  readonly maxComplexity: number;
  readonly maxQueryBytes: number;
  readonly maxTokens: number;
}

/** The configuration, nested by concern: each part goes to the module that needs it. */
export interface AppConfig {
  readonly http: HttpConfig;
  /** gRPC listener port (same host as HTTP); 0 picks a free port. */
  readonly grpc: { readonly port: number };
  /** Checkpoint registry file (JSON); absent → the embedded demo release. */
  readonly registryFile?: string;
  readonly pool: PoolSettings;
  readonly results: ResultSettings;
  readonly graphql: GraphqlLimitsConfig;
  /** Prometheus /metrics on its own port (AFD_METRICS_PORT; 0: on the main HTTP port); nvidia-smi sampling period (AFD_GPU_SAMPLE_SECONDS; 0: off). */
  readonly metrics: { readonly port: number; readonly gpuSampleSeconds: number };
  /** SIGTERM: how long running jobs may finish before the rest fail (AFD_SHUTDOWN_GRACE_SECONDS). */
  readonly shutdown: { readonly graceMs: number };
  /** Redis for state shared by replicas (rate-limit counters; absent: in memory), and the namespace of every key (AFD_REDIS_PREFIX). */
  readonly redis: { readonly url?: string; readonly prefix: string };
  /** Where generation jobs live: this process (`local`) or Redis shared by replicas (`redis`, AFD_JOBS). */
  readonly distributed?: Omit<DistributedConfig, 'resultTtlMs'>;
  /** Webhook deliveries: timeouts, retries, which addresses may be delivered to (AFD_WEBHOOK_*). */
  readonly webhooks: WebhookSettings;
  /** API keys and tiers, or open mode (AFD_ALLOW_OPEN=true without keys). */
  readonly auth: AuthConfig;
  /** Nest log levels from AFD_LOG_LEVEL (error, warn, log, debug): the named level and those above it. */
  readonly logLevels: readonly LogLevel[];
  /** AFD_LOG_FORMAT: `json` lines, or `pretty` (pino-pretty) for people; unset: pretty when stdout is a terminal. */
  readonly logFormat: LogFormat;
}

export type LogLevel = 'error' | 'warn' | 'log' | 'debug';
const LOG_LEVELS: readonly LogLevel[] = ['error', 'warn', 'log', 'debug'];
export type LogFormat = 'json' | 'pretty';
const LOG_FORMATS: readonly LogFormat[] = ['json', 'pretty'];

export class ConfigError extends Error {
  constructor(setting: string, rule: string, value: string) {
    super(`configuration ${setting}: ${rule} (got ${JSON.stringify(value)})`);
    this.name = 'ConfigError';
  }
}

function redisPrefix(value: string): string {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(value)) throw new ConfigError('AFD_REDIS_PREFIX', "must be 1 to 64 letters, digits, '_' or '-'", value);
  return value;
}

/** AFD_ONNX_CACHE (`on` | `off`, default on) and AFD_ONNX_CACHE_DIR (an absolute path; default the system temporary folder's afd-onnx-cache). */
function optimizedModelCache(env: NodeJS.ProcessEnv): { fallbackDir: string } | undefined {
  const mode = env['AFD_ONNX_CACHE'] || 'on';
  if (mode !== 'on' && mode !== 'off') throw new ConfigError('AFD_ONNX_CACHE', 'must be on or off', mode);
  const dir = env['AFD_ONNX_CACHE_DIR'] || join(tmpdir(), 'afd-onnx-cache');
  if (!isAbsolute(dir)) throw new ConfigError('AFD_ONNX_CACHE_DIR', 'must be an absolute path', dir);
  return mode === 'on' ? { fallbackDir: dir } : undefined;
}

export function loadAppConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < min || value > max) throw new ConfigError(name, `must be an integer from ${min} to ${max}`, raw);
    return value;
  };
  const devices = (env['AFD_DEVICES'] ?? 'cpu').split(',').map((d) => d.trim());
  for (const d of devices) {
    if (d !== 'cpu' && !/^cuda:\d+$/.test(d)) throw new ConfigError('AFD_DEVICES', 'must be a comma-separated list of cpu or cuda:N', env['AFD_DEVICES'] ?? '');
  }
  const logLevel = env['AFD_LOG_LEVEL'] ?? 'log';
  const logIndex = LOG_LEVELS.indexOf(logLevel as LogLevel);
  if (logIndex < 0) throw new ConfigError('AFD_LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`, logLevel);
  const logFormat = env['AFD_LOG_FORMAT'] ?? (process.stdout.isTTY ? 'pretty' : 'json');
  if (!(LOG_FORMATS as readonly string[]).includes(logFormat)) throw new ConfigError('AFD_LOG_FORMAT', `must be one of ${LOG_FORMATS.join(', ')}`, logFormat);
  const budget = env['AFD_MEMORY_BUDGET_BYTES'];
  const redisUrl = env['AFD_REDIS_URL'] || undefined;
  const jobs = env['AFD_JOBS'] ?? 'local';
  if (jobs !== 'local' && jobs !== 'redis') throw new ConfigError('AFD_JOBS', 'must be local or redis', jobs);
  if (jobs === 'redis' && redisUrl === undefined) throw new ConfigError('AFD_JOBS', 'redis needs AFD_REDIS_URL', jobs);
  const runsJobs = env['AFD_RUNS_JOBS'] ?? 'true';
  if (runsJobs !== 'true' && runsJobs !== 'false') throw new ConfigError('AFD_RUNS_JOBS', 'must be true or false', runsJobs);
  const replicaId = env['AFD_REPLICA_ID'] || `${hostname()}-${process.pid}`;
  if (!/^[A-Za-z0-9._-]{1,100}$/.test(replicaId)) throw new ConfigError('AFD_REPLICA_ID', "must be 1 to 100 letters, digits, '.', '_' or '-'", replicaId);
  if (redisUrl !== undefined && !/^rediss?:\/\/[^\s]+$/.test(redisUrl)) throw new ConfigError('AFD_REDIS_URL', 'must be a redis:// or rediss:// URL', redisUrl);
  const prefix = redisPrefix(env['AFD_REDIS_PREFIX'] ?? 'afd');
  // Image bytes in Redis (AFD_JOBS=redis): in total, and per replica (at most the total).
  const redisResultMb = int('AFD_REDIS_RESULT_STORE_MB', 256, 1, 1 << 20);
  const redisReplicaResultMb = int('AFD_REDIS_RESULT_REPLICA_MB', redisResultMb, 1, 1 << 20);
  if (redisReplicaResultMb > redisResultMb) {
    throw new ConfigError('AFD_REDIS_RESULT_REPLICA_MB', `must be at most AFD_REDIS_RESULT_STORE_MB (${redisResultMb})`, String(redisReplicaResultMb));
  }
  return {
    http: {
      host: env['HOST'] ?? '0.0.0.0',
      port: int('PORT', 8080, 0, 65535),
      bodyLimit: `${int('AFD_BODY_LIMIT_KB', 256, 1, 1 << 20)}kb`,
      trustProxy: env['AFD_TRUST_PROXY'] || undefined,
    },
    grpc: { port: int('GRPC_PORT', 50051, 0, 65535) },
    registryFile: env['AFD_REGISTRY'] || undefined,
    pool: {
      devices: devices as DeviceSpec[],
      memoryBudgetBytes: budget ? int('AFD_MEMORY_BUDGET_BYTES', 0, 1, Number.MAX_SAFE_INTEGER) : undefined,
      maxBatchRows: int('AFD_MAX_BATCH_ROWS', 8, 1, 256),
      maxBatchLatentPixels: env['AFD_MAX_BATCH_LATENT_PIXELS'] ? int('AFD_MAX_BATCH_LATENT_PIXELS', 0, 64, 1 << 30) : undefined,
      vaeTileAbovePixels: int('AFD_VAE_TILE_ABOVE_PIXELS', DEFAULT_TILE_ABOVE_PIXELS, 0, 1 << 30),
      maxQueuedTotal: int('AFD_MAX_QUEUED', 256, 1, 100_000),
      optimizedModelCache: optimizedModelCache(env),
    },
    results: {
      resultTtlMs: int('AFD_RESULT_TTL_SECONDS', 3600, 1, 7 * 24 * 3600) * 1000,
      resultStoreBytes: int('AFD_RESULT_STORE_MB', 512, 1, 1 << 20) * 1024 * 1024,
      maxStreamsPerClient: int('AFD_MAX_STREAMS_PER_CLIENT', 32, 1, 1_000_000),
    },
    graphql: {
      maxDepth: int('AFD_GRAPHQL_MAX_DEPTH', 8, 2, 64),
      maxComplexity: int('AFD_GRAPHQL_MAX_COMPLEXITY', 1000, 10, 1_000_000),
      maxQueryBytes: int('AFD_GRAPHQL_MAX_QUERY_BYTES', 32_768, 1024, 1 << 20),
      maxTokens: int('AFD_GRAPHQL_MAX_TOKENS', 2000, 100, 100_000),
    },
    metrics: { port: int('AFD_METRICS_PORT', 0, 0, 65535), gpuSampleSeconds: int('AFD_GPU_SAMPLE_SECONDS', 15, 0, 3600) },
    shutdown: { graceMs: int('AFD_SHUTDOWN_GRACE_SECONDS', 25, 0, 3600) * 1000 },
    redis: { url: redisUrl, prefix },
    distributed:
      jobs === 'redis'
        ? {
            redisUrl: redisUrl as string,
            replicaId,
            runsJobs: runsJobs === 'true',
            concurrency: int('AFD_JOB_CONCURRENCY', 4, 1, 256),
            affinityWaitMs: int('AFD_AFFINITY_WAIT_MS', 1000, 0, 600_000),
            lockMs: int('AFD_JOB_LOCK_SECONDS', 30, 1, 3600) * 1000,
            prefix,
            resultStoreBytes: redisResultMb * 1024 * 1024,
            replicaResultStoreBytes: redisReplicaResultMb * 1024 * 1024,
          }
        : undefined,
    webhooks: loadWebhookSettings(env, int, (setting, rule, value) => new ConfigError(setting, rule, value)),
    logLevels: LOG_LEVELS.slice(0, logIndex + 1),
    logFormat: logFormat as LogFormat,
    // Last, so plainer settings are reported first. Throws AuthConfigError, whose message names the setting.
    auth: loadAuthConfig(env),
  };
}

/** Rows per UNet call: AFD_MAX_BATCH_ROWS, fewer for large images when AFD_MAX_BATCH_LATENT_PIXELS bounds rows × latent pixels. */
export function poolMaxBatch(config: Pick<PoolSettings, 'maxBatchRows' | 'maxBatchLatentPixels'>): number | ((latentPixels: number) => number) {
  const { maxBatchRows, maxBatchLatentPixels } = config;
  if (maxBatchLatentPixels === undefined) return maxBatchRows;
  return (latentPixels) => Math.max(1, Math.min(maxBatchRows, Math.floor(maxBatchLatentPixels / latentPixels)));
}

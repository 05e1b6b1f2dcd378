/**
 * The application as benchmarks run it: in the benchmark's own process, on a free port of
 * 127.0.0.1 (gRPC too), local jobs, no Redis, quiet logs, no nvidia-smi sampling, and one API key
 * on a tier whose rate limits never bind. Each benchmark adds its own settings.
 */
import type { NestExpressApplication } from '@nestjs/platform-express';
import { generateApiKey, hashApiKey } from '../../auth/api-keys';
import { loadAppConfig, type AppConfig } from '../../config/app-config';
import { createApp } from '../../create-app';

export interface BenchmarkServer {
  readonly app: NestExpressApplication;
  readonly config: AppConfig;
  readonly baseUrl: string;
  readonly apiKey: string;
}

/** Starts the application with `settings` (AFD_… variables) over the benchmark defaults; the caller closes `app`. */
export async function startBenchmarkServer(name: string, settings: Readonly<Record<string, string>>): Promise<BenchmarkServer> {
  const apiKey = generateApiKey();
  const keys = { tiers: { unlimited: { generations: 1e9, reads: 1e9 } }, keys: [{ name, tier: 'unlimited', roles: [], sha256: hashApiKey(apiKey) }] };
  const config = loadAppConfig({
    ...process.env,
    HOST: '127.0.0.1',
    PORT: '0',
    GRPC_PORT: '0',
    AFD_LOG_LEVEL: 'warn',
    AFD_API_KEYS: JSON.stringify(keys),
    AFD_API_KEYS_FILE: '',
    AFD_ALLOW_OPEN: 'false',
    AFD_REDIS_URL: '',
    AFD_JOBS: 'local',
    AFD_GPU_SAMPLE_SECONDS: '0',
    ...settings,
  });
  const app: NestExpressApplication = await createApp(config);
  try {
    await app.listen(0, '127.0.0.1');
  } catch (error) {
    await app.close();
    throw error;
  }
  const port = (app.getHttpServer().address() as { port: number }).port;
  return { app, config, baseUrl: `http://127.0.0.1:${port}`, apiKey };
}

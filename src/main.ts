import { Logger } from '@nestjs/common';
import { Logger as PinoLogger } from 'nestjs-pino';
import { loadAppConfig } from './config/app-config';
import { createApp } from './create-app';
import { ReadinessService } from './health/readiness.service';
import { installGracefulShutdown } from './shutdown/graceful-shutdown';

/** `--allow-open` (used by `npm start` on the embedded demo) runs without API keys unless AFD_ALLOW_OPEN says otherwise. */
function environment(argv: readonly string[]): NodeJS.ProcessEnv {
  if (!argv.includes('--allow-open') || process.env['AFD_ALLOW_OPEN'] !== undefined) return process.env;
  return { ...process.env, AFD_ALLOW_OPEN: 'true' };
}

async function main(): Promise<void> {
  const config = loadAppConfig(environment(process.argv.slice(2)));
  const app = await createApp(config);
  // gRPC calls, then pool jobs, may each use the grace period; the watchdog allows both plus a margin.
  installGracefulShutdown(app, { graceMs: config.shutdownGraceMs, marginMs: config.shutdownGraceMs + 10_000, logger: app.get(PinoLogger), drain: (graceMs) => app.get(ReadinessService).drain(graceMs) });
  await app.listen(config.port, config.host);
  Logger.log(`listening on http://${config.host}:${config.port} (REST under /v1, OpenAPI at /docs, GraphQL at /graphql, health at /health/ready, metrics at /metrics)`, 'Main');
}

main().catch((error: unknown) => {
  console.error(`start-up failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});

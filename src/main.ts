import { Logger } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import { Logger as PinoLogger } from 'nestjs-pino';
import { loadAppConfig } from './config/app-config';
import { createApp } from './create-app';
import { appShutdownSteps } from './app/app-shutdown-steps';
import { installGracefulShutdown } from './observability/shutdown/graceful-shutdown';
import { startTracing, tracingRequested } from './observability/tracing/tracing-sdk';

/** `--allow-open` (used by `npm start` on the embedded demo) runs without API keys unless AFD_ALLOW_OPEN says otherwise. */
function environment(argv: readonly string[]): NodeJS.ProcessEnv {
  if (!argv.includes('--allow-open') || process.env['AFD_ALLOW_OPEN'] !== undefined) return process.env;
  return { ...process.env, AFD_ALLOW_OPEN: 'true' };
}

async function main(): Promise<void> {
  const config = loadAppConfig(environment(process.argv.slice(2)));
  // Off unless the standard OTEL_* variables ask for traces; started before the app, so its first spans are recorded.
  if (tracingRequested(process.env)) startTracing();
  const app = await createApp(config);
  // Drain for the grace period, end what is left (UNAVAILABLE), let the workers finish their current call, close, exit 0.
  installGracefulShutdown(app, { graceMs: config.shutdown.graceMs, logger: app.get(PinoLogger), steps: appShutdownSteps(app) });
  await app.listen(config.http.port, config.http.host);
  // The bound port (PORT=0 picks a free one).
  const { port } = app.getHttpServer().address() as AddressInfo;
  Logger.log(`listening on http://${config.http.host}:${port} (REST under /v1, OpenAPI at /docs, GraphQL at /graphql, health at /health/ready, metrics at /metrics)`, 'Main');
}

main().catch((error: unknown) => {
  console.error(`start-up failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});

/** Builds the Nest application (used by main.ts and by the end-to-end tests). */
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger as PinoLogger } from 'nestjs-pino';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import { AppModule } from './app.module';
import { MetricsService } from './observability/metrics/metrics.service';
import { RestMetricsMiddleware } from './observability/metrics/rest-metrics.middleware';
import { httpTracing } from './observability/tracing/http-tracing.middleware';
import { loadRegistry } from './checkpoints/checkpoint-registry';
import type { AppConfig } from './config/app-config';
import { openApiDocument } from './openapi-document';

export async function createApp(config: AppConfig): Promise<NestExpressApplication> {
  const registry = loadRegistry(config.registryFile);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.create(config, registry), { bodyParser: false, bufferLogs: true });
  app.useLogger(app.get(PinoLogger));
  // Naming the framework helps only an attacker matching known flaws.
  app.disable('x-powered-by');
  // A span per request (when tracing is on), active for everything that serves it.
  app.use(httpTracing);
  // Timed from the first byte: requests the body parser refuses (400, 413) count too.
  const restMetrics = new RestMetricsMiddleware(app.get(MetricsService));
  app.use((request: Request, response: Response, next: NextFunction) => restMetrics.use(request, response, next));
  app.useBodyParser('json', { limit: config.http.bodyLimit, verify: rejectInvalidUtf8 });
  if (config.http.trustProxy !== undefined) app.set('trust proxy', trustProxySetting(config.http.trustProxy));
  const logger = new Logger('Access');
  if (config.auth.mode === 'open') logger.warn(`running OPEN: no API keys configured (AFD_ALLOW_OPEN=true); clients are told apart by address, rate-limited as tier ${config.auth.openTier}, and admin routes are refused`);
  else logger.log(`API keys required: ${config.auth.store.size} key(s) loaded${config.redis.url ? '; rate-limit counters in Redis' : ''}`);
  // Built from the route tables and the zod schemas, not from the controllers' decorators (docs/DESIGN.md, "Contract").
  SwaggerModule.setup('docs', app, openApiDocument());
  return app;
}

/** AFD_TRUST_PROXY as Express takes it: true/false, a hop count, or addresses/subnets. */
function trustProxySetting(value: string): boolean | number | string {
  if (value === 'true' || value === 'false') return value === 'true';
  return /^\d+$/.test(value) ? Number(value) : value;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The JSON parser would replace invalid UTF-8 with U+FFFD; refuse it instead (400 naming the body). */
function rejectInvalidUtf8(_request: unknown, _response: unknown, body: Buffer, encoding: string): void {
  if (!/^utf-?8$/i.test(encoding)) return;
  try {
    strictUtf8.decode(body);
  } catch {
    throw Object.assign(new Error('is not valid UTF-8'), { status: 400, statusCode: 400, type: 'encoding.invalid', expose: true });
  }
}

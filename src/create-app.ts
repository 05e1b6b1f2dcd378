/** Builds the Nest application (used by main.ts and by the end-to-end tests). */
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger as PinoLogger } from 'nestjs-pino';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import { json, type NextFunction, type Request, type Response } from 'express';
import { IMG2IMG_BODY_LIMIT_BYTES, IMG2IMG_PATH } from './a1111-compat/a1111-fields';
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
  // A1111's img2img sends its photo as base64 JSON: that one route reads up to the image limit (the global parser then skips the parsed body).
  const img2imgLimit = Math.max(IMG2IMG_BODY_LIMIT_BYTES, bodyLimitBytes(config.http.bodyLimit));
  app.use(IMG2IMG_PATH, json({ limit: img2imgLimit, verify: rejectInvalidUtf8 }));
  app.useBodyParser('json', { limit: config.http.bodyLimit, verify: rejectInvalidUtf8 });
  if (config.http.trustProxy !== undefined) app.set('trust proxy', trustProxySetting(config.http.trustProxy));
  const logger = new Logger('Access');
  if (config.auth.mode === 'open') logger.warn(`running OPEN: no API keys configured (AFD_ALLOW_OPEN=true); clients are told apart by address, rate-limited as tier ${config.auth.openTier}, and admin routes are refused`);
  else logger.log(`API keys required: ${config.auth.store.size} key(s) loaded${config.redis.url ? '; rate-limit counters in Redis' : ''}`);
  // Built from the route tables and the zod schemas, not from the controllers' decorators (docs/DESIGN.md, "Contract").
  SwaggerModule.setup('docs', app, openApiDocument());
  return app;
}

/** The configured JSON limit ("256kb", as app-config writes it) in bytes. */
function bodyLimitBytes(limit: string): number {
  const kb = /^(\d+)kb$/.exec(limit);
  return kb ? Number(kb[1]) * 1024 : 0;
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

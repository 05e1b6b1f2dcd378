/**
 * Structured JSON logs (pino through nestjs-pino): one line per request with its id (X-Request-Id,
 * taken from the caller when well-formed, else new, and echoed back), the client, status and time.
 * Log lines written while serving a request carry its id, also from work that request started.
 * Keys are redacted; prompts appear only at debug level.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { LoggerModule } from 'nestjs-pino';
import type { DynamicModule } from '@nestjs/common';
import { PRINCIPAL, type WithPrincipal } from '../auth/access.decorators';
import type { LogLevel } from '../config/app-config';

const PINO_LEVELS: Readonly<Record<LogLevel, string>> = { error: 'error', warn: 'warn', log: 'info', debug: 'debug' };
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/** Probes and scrapes are not logged per request. */
const QUIET_PATHS = /^\/(health\/|metrics)/;

export function requestId(request: IncomingMessage, response: ServerResponse): string {
  const given = request.headers['x-request-id'];
  const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  response.setHeader('X-Request-Id', id);
  return id;
}

export function loggingModule(levels: readonly LogLevel[]): DynamicModule {
  const level = PINO_LEVELS[levels[levels.length - 1] ?? 'log'];
  return LoggerModule.forRoot({
    pinoHttp: {
      level,
      genReqId: requestId,
      autoLogging: { ignore: (request) => QUIET_PATHS.test(request.url ?? '') },
      customLogLevel: (_request, response, error) => (error || response.statusCode >= 500 ? 'error' : response.statusCode >= 400 ? 'info' : 'info'),
      customProps: (request) => {
        const principal = (request as IncomingMessage & WithPrincipal)[PRINCIPAL];
        return principal ? { client: principal.clientId } : {};
      },
      serializers: {
        req: (request: { id: string; method: string; url: string; remoteAddress?: string }) => ({ id: request.id, method: request.method, url: request.url, remoteAddress: request.remoteAddress }),
        res: (response: { statusCode: number }) => ({ statusCode: response.statusCode }),
      },
      redact: { paths: ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers.cookie'], remove: true },
    },
  });
}

/**
 * Structured JSON logs (pino through nestjs-pino): one line per request with its id (X-Request-Id,
 * taken from the caller when well-formed, else new, and echoed back), the client, status and time.
 * Log lines written while serving a request carry its id, also from work that request started.
 * Keys are redacted, in headers and in query strings (a key sent as `?api_key=…` is refused, but
 * would otherwise sit in the log); prompts appear only at debug level.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { LoggerModule } from 'nestjs-pino';
import type { Options as PinoHttpOptions } from 'pino-http';
import type { DynamicModule } from '@nestjs/common';
import { PRINCIPAL, type WithPrincipal } from '../../auth/access.decorators';
import type { LogLevel } from '../../config/app-config';

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

/** The path as written, every query value replaced: `/v1/x?api_key=[REDACTED]&base64=[REDACTED]`. */
export function redactQuery(url: string): string {
  const start = url.indexOf('?');
  if (start === -1) return url;
  const query = url
    .slice(start + 1)
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      // A bare value (`?afd_…`) may be the key itself.
      return equals === -1 ? '[REDACTED]' : `${pair.slice(0, equals)}=[REDACTED]`;
    })
    .join('&');
  return `${url.slice(0, start)}?${query}`;
}

export function loggingModule(levels: readonly LogLevel[]): DynamicModule {
  return LoggerModule.forRoot({ pinoHttp: httpLoggerOptions(PINO_LEVELS[levels[levels.length - 1] ?? 'log']) });
}

/** pino-http's options: what every request line carries, and what it never does. */
export function httpLoggerOptions(level: string): PinoHttpOptions {
  return {
    level,
    genReqId: requestId,
    autoLogging: { ignore: (request) => QUIET_PATHS.test(request.url ?? '') },
    customLogLevel: (_request, response, error) => (error || response.statusCode >= 500 ? 'error' : response.statusCode >= 400 ? 'info' : 'info'),
    customProps: (request) => {
      const principal = (request as IncomingMessage & WithPrincipal)[PRINCIPAL];
      return principal ? { client: principal.clientId } : {};
    },
    serializers: {
      req: (request: { id: string; method: string; url: string; remoteAddress?: string }) => ({ id: request.id, method: request.method, url: redactQuery(request.url), remoteAddress: request.remoteAddress }),
      res: (response: { statusCode: number }) => ({ statusCode: response.statusCode }),
    },
    redact: { paths: ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers.cookie'], remove: true },
  };
}

/**
 * Logs (pino through nestjs-pino): JSON lines, or pino-pretty's coloured lines when AFD_LOG_FORMAT is
 * `pretty` (the default on a terminal). One line per request with its id (X-Request-Id,
 * taken from the caller when well-formed, else new, and echoed back), the client, status and time.
 * Log lines written while serving a request carry its id, also from work that request started.
 * Keys are redacted, in headers and in query strings (a key sent as `?api_key=…` is refused, but
 * would otherwise sit in the log); prompts appear only at debug level. When tracing is on, a line
 * written while a span is active carries its `trace_id` and `span_id` (logs and traces join on them).
 * gRPC calls (grpc-handlers.ts), GraphQL operations (graphql-logging.plugin.ts over HTTP,
 * websocket-operation-log.ts over the websocket) and websocket connections (graphql-ws.server.ts)
 * log their own lines.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { LoggerModule } from 'nestjs-pino';
import type { Options as PinoHttpOptions } from 'pino-http';
import { isSpanContextValid, trace } from '@opentelemetry/api';
import pretty from 'pino-pretty';
import type { DynamicModule } from '@nestjs/common';
import { PRINCIPAL, type WithPrincipal } from '../../auth/access.decorators';
import type { LogFormat, LogLevel } from '../../config/app-config';

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

export function loggingModule(levels: readonly LogLevel[], format: LogFormat = 'json'): DynamicModule {
  const options = httpLoggerOptions(PINO_LEVELS[levels[levels.length - 1] ?? 'log']);
  return LoggerModule.forRoot({ pinoHttp: format === 'pretty' ? [options, prettyStream()] : options });
}

/**
 * pino-pretty in this thread (not a transport worker), so lines appear in order with the process's
 * other output and nothing is lost at exit; colours only on a terminal.
 */
export function prettyStream(destination: NodeJS.WritableStream = process.stdout): NodeJS.WritableStream {
  return pretty({ destination, colorize: destination === process.stdout && process.stdout.isTTY === true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,context', messageFormat: '{if context}({context}) {end}{msg}', sync: true });
}

/** The active span's ids, for every log line written while one is active (none without tracing). */
export function traceLogFields(): Record<string, string> {
  const span = trace.getActiveSpan()?.spanContext();
  return span && isSpanContextValid(span) ? { trace_id: span.traceId, span_id: span.spanId } : {};
}

/** pino-http's options: what every request line carries, and what it never does. */
export function httpLoggerOptions(level: string): PinoHttpOptions {
  return {
    level,
    mixin: traceLogFields,
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

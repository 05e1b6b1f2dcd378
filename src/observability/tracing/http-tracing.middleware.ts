/**
 * A server span per HTTP request (REST, and GraphQL's POST /graphql, whose operation gets a child
 * span from graphql-tracing.plugin.ts), named by method and route pattern once the route is known
 * (`POST /v1/generations`, never the raw URL). A caller's W3C `traceparent` makes it a child of the
 * caller's span. Probes and scrapes get none.
 *
 * The rest of the request runs with the span active, so the spans made for it (its generation) are
 * its children. The request and response are bound to that context too: body parsing continues from
 * the socket's callbacks, which AsyncLocalStorage would otherwise attribute to the connection.
 */
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { NextFunction, Request, Response } from 'express';
import { GRAPHQL_PATH } from '../../common/route-paths';
import { restRoute } from '../metrics/rest-metrics.middleware';
import { tracer } from './tracer';

const UNTRACED_PATHS = /^\/(health\/|metrics(\/|$))/;

export function httpTracing(request: Request, response: Response, next: NextFunction): void {
  const path = request.originalUrl.split('?')[0] ?? '';
  if (UNTRACED_PATHS.test(path)) return next();
  const parent = propagation.extract(context.active(), request.headers);
  const span = tracer.startSpan(request.method, { kind: SpanKind.SERVER, attributes: { 'http.request.method': request.method, 'url.path': path } }, parent);
  const active = trace.setSpan(parent, span);
  // Not sampled (or tracing off): what the request starts inherits that decision, nothing else to do.
  if (!span.isRecording()) return context.with(active, next);
  let ended = false;
  const end = (): void => {
    if (ended) return;
    ended = true;
    const route = path === GRAPHQL_PATH ? `${request.method} ${GRAPHQL_PATH}` : restRoute(request);
    if (route !== undefined && route !== 'unmatched') {
      span.updateName(route);
      span.setAttribute('http.route', route.slice(request.method.length + 1));
    }
    if (response.writableFinished) {
      span.setAttribute('http.response.status_code', response.statusCode);
      if (response.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    } else {
      span.setStatus({ code: SpanStatusCode.ERROR, message: 'client closed the connection before the response ended' });
    }
    span.end();
  };
  response.once('finish', end);
  response.once('close', end);
  context.bind(active, request);
  context.bind(active, response);
  context.with(active, next);
}

/**
 * Times every REST request into `afd_request_duration_seconds{transport="rest"}`, labelled with the
 * method and the Express route pattern that handled it (`GET /v1/generations/:id`), never the raw
 * URL; requests no route handled are `unmatched`. GraphQL (its own plugin times operations) and
 * the scrape itself are left out. A response the client abandoned before it finished is `aborted`.
 */
import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { GRAPHQL_PATH } from '../../common/route-paths';
import { MetricsService } from './metrics.service';

export const METRICS_PATH = '/metrics';

/**
 * Nest mounts middleware as catch-all routes (`/{*path}`), so a request no controller handled is
 * left with such a route: those count as `unmatched`.
 */
const CATCH_ALL = /^\/?(\{\/?\*\w*\}|\*\w*|\(\.\*\))$/;

/** The route label of a finished request, or undefined when it is not counted as REST. */
export function restRoute(request: Pick<Request, 'method' | 'originalUrl'> & { route?: { path?: unknown } }): string | undefined {
  const path = request.originalUrl.split('?')[0];
  if (path === GRAPHQL_PATH || path === METRICS_PATH) return undefined;
  const pattern = request.route?.path;
  return typeof pattern === 'string' && !CATCH_ALL.test(pattern) ? `${request.method} ${pattern}` : 'unmatched';
}

@Injectable()
export class RestMetricsMiddleware implements NestMiddleware {
  constructor(@Inject(MetricsService) private readonly metrics: MetricsService) {}

  use(request: Request, response: Response, next: NextFunction): void {
    const started = performance.now();
    let recorded = false;
    const record = (): void => {
      if (recorded) return;
      recorded = true;
      const route = restRoute(request);
      if (route === undefined) return;
      const status = response.writableFinished ? String(response.statusCode) : 'aborted';
      this.metrics.observeRequest('rest', route, status, (performance.now() - started) / 1000);
    };
    response.once('finish', record);
    response.once('close', record);
    next();
  }
}

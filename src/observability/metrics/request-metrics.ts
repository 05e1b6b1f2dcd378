/**
 * `afd_request_duration_seconds{transport, route, status}`: one observation per finished request on
 * every transport. Routes are patterns or operation names, never raw URLs, ids or prompts:
 * REST `GET /v1/generations/:id`, GraphQL `mutation generate`, gRPC `/afrofashion.v1.DiffusionService/Generate`.
 */
import { Histogram, type Registry } from 'prom-client';

export type Transport = 'rest' | 'graphql' | 'grpc';

/** Seconds; synchronous generations take tens of seconds on a CPU. */
const REQUEST_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

export class RequestMetrics {
  private readonly duration: Histogram<'transport' | 'route' | 'status'>;

  constructor(registry: Registry) {
    this.duration = new Histogram({
      name: 'afd_request_duration_seconds',
      help: 'Requests by transport, route pattern (REST), operation type and root field (GraphQL) or method (gRPC), and status',
      labelNames: ['transport', 'route', 'status'],
      buckets: REQUEST_BUCKETS,
      registers: [registry],
    });
  }

  observe(transport: Transport, route: string, status: string, seconds: number): void {
    if (!Number.isFinite(seconds) || seconds < 0) return;
    this.duration.observe({ transport, route, status }, seconds);
  }
}

/**
 * The application's Prometheus registry (its own, not prom-client's global one, so that several
 * applications in one process do not collide) and the recorder API the transports and services call.
 * Every name starts with `afd_`, except prom-client's default process and Node.js metrics, which
 * keep their standard names (process_…, nodejs_…); labels are bounded vocabularies (checkpoint and device ids from the
 * configuration, route patterns, status names), never prompts, ids or keys.
 */
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { grpcCallObservers, type GrpcCallObserver } from './grpc-call-observers';
import { PoolEventBus } from '../../inference/pool-event-bus';
import { InferencePool, type JobResult } from '../../pool';
import { GenerationMetrics } from './generation-metrics';
import { GpuMetrics } from './gpu-metrics';
import { GpuSampler, runNvidiaSmi } from './gpu-sampler';
import { METRICS_CONFIG, type MetricsConfig } from './metrics-config';
import { PoolMetrics } from './pool-metrics';
import { RequestMetrics, type Transport } from './request-metrics';
import { WebhookMetrics, type WebhookAttemptOutcome } from './webhook-metrics';

const MISNAMED_DEFAULT_GAUGES = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

@Injectable()
export class MetricsService implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly registry = new Registry();
  private readonly requests = new RequestMetrics(this.registry);
  private readonly generations = new GenerationMetrics(this.registry);
  private readonly gpu = new GpuMetrics(this.registry);
  private readonly webhooks = new WebhookMetrics(this.registry);
  private readonly pool: PoolMetrics;
  private readonly sampler: GpuSampler;
  private readiness: (() => Promise<boolean>) | undefined;
  private readonly grpcObserver: GrpcCallObserver = (method, status, seconds) => this.observeRequest('grpc', method, status, seconds);

  constructor(
    @Inject(METRICS_CONFIG) config: MetricsConfig,
    @Inject(InferencePool) pool: InferencePool,
    @Inject(PoolEventBus) events: PoolEventBus,
  ) {
    // Standard names, no prefix: the community Node.js dashboards and alerts query process_… and nodejs_….
    collectDefaultMetrics({ register: this.registry });
    // Gauges named like counters, which `promtool check metrics` flags; the per-type gauges without
    // the suffix (nodejs_active_handles{type}, …) stay, and their sum is the same number.
    for (const name of MISNAMED_DEFAULT_GAUGES) this.registry.removeSingleMetric(name);
    this.pool = new PoolMetrics(this.registry, pool, events);
    const readiness = (): Promise<boolean> | undefined => this.readiness?.();
    new Gauge({
      name: 'afd_ready',
      help: 'Whether this replica takes traffic, as GET /health/ready answers (1) or not (0: warming up, no device, draining); the readiness alert reads it',
      registers: [this.registry],
      async collect() {
        const ready = readiness();
        if (ready) this.set((await ready) ? 1 : 0);
      },
    });
    const logger = new Logger('Metrics');
    this.sampler = new GpuSampler({
      intervalMs: config.gpuSampleSeconds * 1000,
      query: () => runNvidiaSmi(),
      onSample: (samples) => this.gpu.update(samples),
      onUnavailable: () => this.gpu.clear(),
      log: (message) => logger.log(message),
    });
    grpcCallObservers.add(this.grpcObserver);
  }

  onApplicationBootstrap(): void {
    this.sampler.start();
  }

  onApplicationShutdown(): void {
    this.sampler.stop();
    this.pool.close();
    grpcCallObservers.delete(this.grpcObserver);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The text exposition of every metric. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  /** Where afd_ready reads readiness at scrape time (the ReadinessService registers itself; absent: no series). */
  readinessFrom(read: () => Promise<boolean>): void {
    this.readiness = read;
  }

  /** One finished request: `route` is a pattern or operation name (never a raw URL), `status` an HTTP code, ok/error or a gRPC status name. */
  observeRequest(transport: Transport, route: string, status: string, seconds: number): void {
    this.requests.observe(transport, route, status, seconds);
  }

  /** A generation whose images were encoded: the pool's phase timings, plus the encoding time. */
  generationSucceeded(checkpoint: string, result: Pick<JobResult, 'timings' | 'images'>, imageEncodingSeconds: number): void {
    this.generations.succeeded(checkpoint, result.timings, result.images.length, imageEncodingSeconds);
  }

  /** A generation refused at submission or failed later; the reason comes from the error's code. */
  generationFailed(error: unknown): void {
    this.generations.failed(error);
  }

  /** One webhook delivery attempt: delivered, failed with a retry to come, or failed for good. */
  webhookAttempt(outcome: WebhookAttemptOutcome, seconds: number): void {
    this.webhooks.attempt(outcome, seconds);
  }
}

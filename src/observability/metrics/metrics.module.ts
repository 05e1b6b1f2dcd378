/**
 * Prometheus metrics: the registry and recorders (MetricsService, global so services and transports
 * can record), REST timing (mounted by create-app.ts ahead of the body parser, so refused bodies count), the GraphQL timing plugin, GPU sampling, and /metrics on the
 * main port or on AFD_METRICS_PORT. gRPC calls are timed in src/transports/grpc/grpc-handlers.ts (reported through grpc-call-observers.ts); pool events
 * arrive through the InferenceModule's PoolEventBus.
 */
import { Global, Module, type DynamicModule } from '@nestjs/common';
import { GraphqlMetricsPlugin } from './graphql-metrics.plugin';
import { METRICS_CONFIG, type MetricsConfig } from './metrics-config';
import { MetricsController } from './metrics.controller';
import { MetricsServer } from './metrics-server';
import { MetricsService } from './metrics.service';

@Global()
@Module({})
export class MetricsModule {
  static forRoot(config: MetricsConfig): DynamicModule {
    return {
      module: MetricsModule,
      controllers: config.metricsPort === 0 ? [MetricsController] : [],
      providers: [{ provide: METRICS_CONFIG, useValue: config }, MetricsService, MetricsServer, GraphqlMetricsPlugin],
      exports: [MetricsService],
    };
  }
}

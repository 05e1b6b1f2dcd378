/** The application: configuration and registry are read once, then every capability module. */
import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { AccessModule } from './auth/access.module';
import type { CheckpointEntry } from './checkpoints/checkpoint-registry';
import { CheckpointsModule } from './checkpoints/checkpoints.module';
import { ComparisonsModule } from './comparisons/comparisons.module';
import { poolMaxBatch, type AppConfig } from './config/app-config';
import { RedisGenerations } from './distributed/redis-generations';
import { DISTRIBUTED_GENERATIONS, GENERATION_BACKEND } from './generation/generation-backend';
import { GenerationModule } from './generation/generation.module';
import { GenerationService } from './generation/generation.service';
import { LocalGenerationBackend } from './generation/local-generation-backend';
import { InferenceModule } from './inference/inference.module';
import { InferencePool } from './pool';
import { GraphqlApiModule } from './app/graphql-api.module';
import { GRPC_APP_CONFIG, GrpcServer } from './app/grpc.server';
import { HealthController } from './observability/health/health.controller';
import { GraphqlLoggingPlugin } from './observability/logging/graphql-logging.plugin';
import { TracingModule } from './observability/tracing/tracing.module';
import { ReadinessService } from './observability/health/readiness.service';
import { loggingModule } from './observability/logging/logging.module';
import { MetricsModule } from './observability/metrics/metrics.module';
import { PromptsModule } from './prompts/prompts.module';
import { StudioModule } from './studio/studio.module';
import { HttpErrorFilter } from './transports/rest/http-error.filter';

@Module({})
export class AppModule {
  static create(config: AppConfig, registry: readonly CheckpointEntry[]): DynamicModule {
    const generations = GenerationModule.forRoot(config.results, [
      // Local or distributed is decided here, once: the transports call Generations, which calls the chosen backend.
      {
        provide: DISTRIBUTED_GENERATIONS,
        inject: [GenerationService, InferencePool],
        useFactory: (local: GenerationService, pool: InferencePool) =>
          config.distributed ? new RedisGenerations({ ...config.distributed, resultTtlMs: config.results.resultTtlMs }, local, pool, registry.map((c) => c.id)) : null,
      },
      {
        provide: GENERATION_BACKEND,
        inject: [GenerationService, DISTRIBUTED_GENERATIONS],
        useFactory: (local: GenerationService, distributed: RedisGenerations | null) => distributed ?? new LocalGenerationBackend(local),
      },
    ]);
    return {
      module: AppModule,
      imports: [
        loggingModule(config.logLevels, config.logFormat),
        AccessModule.forRoot(config.auth, config.redis.url, config.redis.prefix),
        InferenceModule.forRoot({
          devices: config.pool.devices.map((device) => ({ device, memoryBudgetBytes: config.pool.memoryBudgetBytes, maxBatch: poolMaxBatch(config.pool) })),
          checkpoints: registry.map((c) => ({ id: c.id, dir: c.path, pinned: c.pinned })),
          maxQueuedTotal: config.pool.maxQueuedTotal,
          // One device takes the whole queue; with several, each may hold all of it (the global bound still applies).
          maxQueuedPerDevice: config.pool.maxQueuedTotal,
        }, config.shutdown.graceMs),
        CheckpointsModule.forRoot(registry),
        PromptsModule,
        StudioModule,
        generations,
        ComparisonsModule.forRoot(generations, config.results.resultTtlMs),
        GraphqlApiModule.forRoot(config.graphql),
        MetricsModule.forRoot({ host: config.http.host, metricsPort: config.metrics.port, gpuSampleSeconds: config.metrics.gpuSampleSeconds }),
        TracingModule,
        TerminusModule.forRoot({ logger: false }),
      ],
      controllers: [HealthController],
      providers: [
        { provide: APP_FILTER, useClass: HttpErrorFilter },
        ReadinessService,
        GraphqlLoggingPlugin,
        { provide: GRPC_APP_CONFIG, useValue: config },
        GrpcServer,
      ],
    };
  }
}

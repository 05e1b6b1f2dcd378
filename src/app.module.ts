/** The application: configuration and registry are read once, then every capability module. */
import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { AccessModule } from './auth/access.module';
import type { CheckpointEntry } from './checkpoints/checkpoint-registry';
import { CheckpointsModule } from './checkpoints/checkpoints.module';
import { SamplersModule } from './samplers/samplers.module';
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
import { A1111_ERROR_FACE } from './a1111-compat/a1111-errors';
import { A1111CompatModule } from './a1111-compat/a1111-compat.module';
import { OPENAI_ERROR_FACE } from './openai-compat/openai-errors';
import { OpenAiCompatModule } from './openai-compat/openai-compat.module';
import { PromptsModule } from './prompts/prompts.module';
import { StudioModule } from './studio/studio.module';
import { HttpErrorFilter } from './transports/rest/http-error.filter';
import { REST_ERROR_FACES } from './transports/rest/rest-error-face';
import { WebhooksModule } from './webhooks/webhooks.module';
import { WebhooksService } from './webhooks/webhooks.service';
import { redisKeys } from './config/distributed-config';

@Module({})
export class AppModule {
  static create(config: AppConfig, registry: readonly CheckpointEntry[]): DynamicModule {
    const generations = GenerationModule.forRoot(config.results, [
      // Local or distributed is decided here, once: the transports call Generations, which calls the chosen backend.
      {
        provide: DISTRIBUTED_GENERATIONS,
        inject: [GenerationService, InferencePool, WebhooksService],
        useFactory: (local: GenerationService, pool: InferencePool, webhooks: WebhooksService) =>
          config.distributed ? new RedisGenerations({ ...config.distributed, resultTtlMs: config.results.resultTtlMs }, local, pool, registry.map((c) => c.id), webhooks) : null,
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
          devices: config.pool.devices.map((device) => ({
            device,
            memoryBudgetBytes: config.pool.memoryBudgetBytes,
            maxBatch: poolMaxBatch(config.pool),
            vaeTileAbovePixels: config.pool.vaeTileAbovePixels,
            ...(config.pool.optimizedModelCache ? { optimizedModelCache: config.pool.optimizedModelCache } : {}),
          })),
          checkpoints: registry.map((c) => ({ id: c.id, dir: c.path, pinned: c.pinned })),
          maxQueuedTotal: config.pool.maxQueuedTotal,
          // One device takes the whole queue; with several, each may hold all of it (the global bound still applies).
          maxQueuedPerDevice: config.pool.maxQueuedTotal,
        }, config.shutdown.graceMs),
        CheckpointsModule.forRoot(registry),
        PromptsModule,
        SamplersModule,
        StudioModule,
        // Deliveries are BullMQ jobs shared by the replicas when generations are (AFD_JOBS=redis).
        WebhooksModule.forRoot({
          settings: config.webhooks,
          ...(config.distributed
            ? {
                redis: {
                  url: config.distributed.redisUrl,
                  prefix: config.distributed.prefix,
                  bullPrefix: redisKeys(config.distributed.prefix).bullPrefix,
                  runsJobs: config.distributed.runsJobs,
                  lockMs: config.distributed.lockMs,
                },
              }
            : {}),
        }),
        generations,
        ComparisonsModule.forRoot(generations, config.results.resultTtlMs),
        OpenAiCompatModule.forRoot(generations),
        A1111CompatModule.forRoot(generations),
        GraphqlApiModule.forRoot(config.graphql),
        MetricsModule.forRoot({ host: config.http.host, metricsPort: config.metrics.port, gpuSampleSeconds: config.metrics.gpuSampleSeconds }),
        TracingModule,
        TerminusModule.forRoot({ logger: false }),
      ],
      controllers: [HealthController],
      providers: [
        // The OpenAI- and AUTOMATIC1111-compatible routes answer errors in their API's shapes; every other route in the API's own.
        { provide: REST_ERROR_FACES, useValue: [OPENAI_ERROR_FACE, A1111_ERROR_FACE] },
        { provide: APP_FILTER, useClass: HttpErrorFilter },
        ReadinessService,
        GraphqlLoggingPlugin,
        { provide: GRPC_APP_CONFIG, useValue: config },
        GrpcServer,
      ],
    };
  }
}

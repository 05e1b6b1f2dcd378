/** The application: configuration and registry are read once, then every capability module. */
import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { AccessModule } from './auth/access.module';
import { CheckpointsController } from './checkpoints/checkpoints.controller';
import { CHECKPOINT_REGISTRY, CheckpointsService } from './checkpoints/checkpoints.service';
import type { CheckpointEntry } from './checkpoints/checkpoint-registry';
import { HttpErrorFilter } from './transports/rest/http-error.filter';
import { ComparisonStore } from './comparisons/comparison-store';
import { ComparisonsController } from './comparisons/comparisons.controller';
import { ComparisonsService } from './comparisons/comparisons.service';
import { poolMaxBatch, type AppConfig } from './config/app-config';
import { GenerationController } from './generation/generation.controller';
import { GenerationService } from './generation/generation.service';
import { GenerationStore } from './generation/generation-store';
import { ResultBudget } from './generation/result-budget';
import { StreamSlots } from './generation/stream-slots';
import { DISTRIBUTED_GENERATIONS, GENERATION_BACKEND } from './generation/generation-backend';
import { Generations } from './generation/generations';
import { LocalGenerationBackend } from './generation/local-generation-backend';
import { RedisGenerations } from './distributed/redis-generations';
import { InferencePool } from './pool';
import { GRAPHQL_RESOLVERS, GraphqlApiModule } from './app/graphql-api.module';
import { GRPC_APP_CONFIG, GrpcServer } from './app/grpc.server';
import { HealthController } from './observability/health/health.controller';
import { ReadinessService } from './observability/health/readiness.service';
import { InferenceModule } from './inference/inference.module';
import { loggingModule } from './observability/logging/logging.module';
import { MetricsModule } from './observability/metrics/metrics.module';
import { PromptsController } from './prompts/prompts.controller';
import { PromptsService } from './prompts/prompts.service';

export const APP_CONFIG = Symbol('APP_CONFIG');

@Module({})
export class AppModule {
  static create(config: AppConfig, registry: readonly CheckpointEntry[]): DynamicModule {
    return {
      module: AppModule,
      imports: [
        loggingModule(config.logLevels),
        AccessModule.forRoot(config.auth, config.redisUrl, config.redisPrefix),
        InferenceModule.forRoot({
          devices: config.devices.map((device) => ({ device, memoryBudgetBytes: config.memoryBudgetBytes, maxBatch: poolMaxBatch(config) })),
          checkpoints: registry.map((c) => ({ id: c.id, dir: c.path, pinned: c.pinned })),
          maxQueuedTotal: config.maxQueuedTotal,
          // One device takes the whole queue; with several, each may hold all of it (the global bound still applies).
          maxQueuedPerDevice: config.maxQueuedTotal,
        }, config.shutdownGraceMs),
        GraphqlApiModule.forRoot(config),
        MetricsModule.forRoot(config),
        TerminusModule.forRoot({ logger: false }),
      ],
      controllers: [HealthController, GenerationController, CheckpointsController, PromptsController, ComparisonsController],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: CHECKPOINT_REGISTRY, useValue: registry },
        // One byte budget (AFD_RESULT_STORE_MB) for every image kept: generations and comparisons together.
        { provide: ResultBudget, useValue: new ResultBudget(config.resultStoreBytes) },
        { provide: GenerationStore, inject: [ResultBudget], useFactory: (budget: ResultBudget) => new GenerationStore(config.resultTtlMs, { budget }) },
        { provide: ComparisonStore, inject: [ResultBudget], useFactory: (budget: ResultBudget) => new ComparisonStore(config.resultTtlMs, { budget }) },
        { provide: APP_FILTER, useClass: HttpErrorFilter },
        CheckpointsService,
        GenerationService,
        { provide: StreamSlots, useValue: new StreamSlots(config.maxStreamsPerClient) },
        // Local or distributed is decided here, once: the transports call Generations, which calls the chosen backend.
        {
          provide: DISTRIBUTED_GENERATIONS,
          inject: [GenerationService, InferencePool],
          useFactory: (local: GenerationService, pool: InferencePool) =>
            config.distributed ? new RedisGenerations({ ...config.distributed, resultTtlMs: config.resultTtlMs }, local, pool, registry.map((c) => c.id)) : null,
        },
        {
          provide: GENERATION_BACKEND,
          inject: [GenerationService, DISTRIBUTED_GENERATIONS],
          useFactory: (local: GenerationService, distributed: RedisGenerations | null) => distributed ?? new LocalGenerationBackend(local),
        },
        Generations,
        PromptsService,
        ComparisonsService,
        ...GRAPHQL_RESOLVERS,
        ReadinessService,
        { provide: GRPC_APP_CONFIG, useValue: config },
        GrpcServer,
      ],
    };
  }
}

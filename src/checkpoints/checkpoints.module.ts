/**
 * Checkpoints: the registry read at start-up and what the pool knows of each entry, over REST,
 * GraphQL and gRPC. Global: every other feature resolves checkpoints through it.
 */
import { Module, type DynamicModule } from '@nestjs/common';
import type { CheckpointEntry } from './checkpoint-registry';
import { CheckpointsController } from './checkpoints.controller';
import { CheckpointsResolver } from './checkpoints.resolver';
import { CHECKPOINT_REGISTRY, CheckpointsService } from './checkpoints.service';

@Module({})
export class CheckpointsModule {
  static forRoot(registry: readonly CheckpointEntry[]): DynamicModule {
    return {
      module: CheckpointsModule,
      global: true,
      controllers: [CheckpointsController],
      providers: [{ provide: CHECKPOINT_REGISTRY, useValue: registry }, CheckpointsService, CheckpointsResolver],
      exports: [CHECKPOINT_REGISTRY, CheckpointsService],
    };
  }
}

/**
 * Generations over REST, GraphQL and gRPC. The backend (in this process, or shared by replicas) is
 * chosen once by the application and handed in as the GENERATION_BACKEND provider, so this folder
 * imports nothing of the backends built on it. Also holds the one result byte budget.
 */
import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { PromptsModule } from '../prompts/prompts.module';
import { GenerationController } from './generation.controller';
import { GenerationService } from './generation.service';
import { GenerationStore } from './generation-store';
import { Generations } from './generations';
import { GeneratedImageResolver, GenerationsResolver } from './generations.resolver';
import { ResultBudget } from './result-budget';
import { StreamSlots } from './stream-slots';

export interface GenerationSettings {
  readonly resultTtlMs: number;
  readonly resultStoreBytes: number;
  readonly maxStreamsPerClient: number;
}

@Module({})
export class GenerationModule {
  /** `backend` provides GENERATION_BACKEND (and whatever it needs); it may inject GenerationService. */
  static forRoot(settings: GenerationSettings, backend: readonly Provider[]): DynamicModule {
    return {
      module: GenerationModule,
      imports: [PromptsModule],
      controllers: [GenerationController],
      providers: [
        // One byte budget (AFD_RESULT_STORE_MB) for every image kept: generations and comparisons together.
        { provide: ResultBudget, useValue: new ResultBudget(settings.resultStoreBytes) },
        { provide: GenerationStore, inject: [ResultBudget], useFactory: (budget: ResultBudget) => new GenerationStore(settings.resultTtlMs, { budget }) },
        GenerationService,
        { provide: StreamSlots, useValue: new StreamSlots(settings.maxStreamsPerClient) },
        ...backend,
        Generations,
        GenerationsResolver,
        GeneratedImageResolver,
      ],
      exports: [ResultBudget, StreamSlots, GenerationService, Generations, ...backend],
    };
  }
}

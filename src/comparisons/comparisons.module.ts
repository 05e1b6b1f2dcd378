/** Comparisons: one prompt set on many checkpoints with one seed, as grids, over REST, GraphQL and gRPC. */
import { Module, type DynamicModule } from '@nestjs/common';
import { ResultBudget } from '../generation/result-budget';
import { ComparisonStore } from './comparison-store';
import { ComparisonsController } from './comparisons.controller';
import { ComparisonsResolver } from './comparisons.resolver';
import { ComparisonsService } from './comparisons.service';

@Module({})
export class ComparisonsModule {
  /** `generations` is the application's GenerationModule, whose result budget comparisons share. */
  static forRoot(generations: DynamicModule, resultTtlMs: number): DynamicModule {
    return {
      module: ComparisonsModule,
      imports: [generations],
      controllers: [ComparisonsController],
      providers: [
        { provide: ComparisonStore, inject: [ResultBudget], useFactory: (budget: ResultBudget) => new ComparisonStore(resultTtlMs, { budget }) },
        ComparisonsService,
        ComparisonsResolver,
      ],
      exports: [ComparisonsService],
    };
  }
}

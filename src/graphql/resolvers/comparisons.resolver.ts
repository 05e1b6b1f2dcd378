import { Inject } from '@nestjs/common';
import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { ComparisonsService } from '../../comparisons/comparisons.service';
import { ComparisonModel } from '../types/comparison.model';
import { CompareInput } from '../types/generate.input';
import { GRAPHQL_CLIENT, setFields } from './graphql-input';

@Resolver(() => ComparisonModel)
export class ComparisonsResolver {
  constructor(@Inject(ComparisonsService) private readonly comparisons: ComparisonsService) {}

  @Mutation(() => ComparisonModel, { description: 'Runs every prompt on every checkpoint with one seed; answers when the grid is ready', complexity: 20 })
  async compare(@Args('input', { type: () => CompareInput }) input: CompareInput): Promise<ComparisonModel> {
    const record = await this.comparisons.create(setFields(input), GRAPHQL_CLIENT);
    return this.comparisons.view(record) as ComparisonModel;
  }

  @Query(() => ComparisonModel)
  comparison(@Args('id', { type: () => ID }) id: string): ComparisonModel {
    return this.comparisons.view(this.comparisons.get(id)) as ComparisonModel;
  }
}

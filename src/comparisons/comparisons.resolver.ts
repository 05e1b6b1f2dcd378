import { Inject } from '@nestjs/common';
import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { ComparisonsService } from './comparisons.service';
import { ComparisonModel } from './comparison.model';
import { CompareInput } from '../generation/generate.input';
import { CurrentPrincipal, RateLimit } from '../auth/access.decorators';
import { viewerOf, type Principal } from '../auth/api-keys';
import { setFields } from '../transports/graphql/graphql-input';

@Resolver(() => ComparisonModel)
export class ComparisonsResolver {
  constructor(@Inject(ComparisonsService) private readonly comparisons: ComparisonsService) {}

  @Mutation(() => ComparisonModel, { description: 'Runs every prompt on every checkpoint with one seed; answers when the grid is ready', complexity: 20 })
  @RateLimit('generations')
  async compare(@CurrentPrincipal() principal: Principal, @Args('input', { type: () => CompareInput }) input: CompareInput): Promise<ComparisonModel> {
    const record = await this.comparisons.create(setFields(input), principal.clientId, { referenceImageField: 'referenceImageBase64' });
    return this.comparisons.view(record) as ComparisonModel;
  }

  @Query(() => ComparisonModel)
  comparison(@CurrentPrincipal() principal: Principal, @Args('id', { type: () => ID }) id: string): ComparisonModel {
    return this.comparisons.view(this.comparisons.get(id, viewerOf(principal))) as ComparisonModel;
  }
}

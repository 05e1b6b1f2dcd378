import { Inject } from '@nestjs/common';
import { Args, ID, Int, Mutation, Query, Resolver, Subscription } from '@nestjs/graphql';
import { eventStream } from '../generation/event-stream';
import { GenerationStatusEnum } from '../transports/graphql/enums';
import { ComparisonsService, type ComparisonEvent, type ComparisonPage, type ComparisonView } from './comparisons.service';
import { ComparisonPageModel } from './comparison-page.model';
import { ComparisonEventKind, ComparisonEventModel, ComparisonModel } from './comparison.model';
import { CompareInput } from '../generation/generate.input';
import { CurrentPrincipal, RateLimit } from '../auth/access.decorators';
import { viewerOf, type Principal } from '../auth/api-keys';
import { setFields } from '../transports/graphql/graphql-input';

@Resolver(() => ComparisonModel)
export class ComparisonsResolver {
  constructor(@Inject(ComparisonsService) private readonly comparisons: ComparisonsService) {}

  @Mutation(() => ComparisonModel, {
    description: 'Runs every prompt on every checkpoint with one seed; answers when the grid is ready, or at once with wait: false (subscribe to comparisonEvents for each cell\'s progress)',
    complexity: 20,
  })
  @RateLimit('generations')
  async compare(
    @CurrentPrincipal() principal: Principal,
    @Args('input', { type: () => CompareInput }) input: CompareInput,
    @Args('wait', { type: () => Boolean, defaultValue: true }) wait: boolean,
  ): Promise<ComparisonModel> {
    const started = await this.comparisons.start(setFields(input), principal.clientId, { referenceImageField: 'referenceImageBase64' });
    if (!wait) return comparisonModel(this.comparisons.state(started.id, viewerOf(principal)));
    return comparisonModel(this.comparisons.view(await started.done));
  }

  @Mutation(() => ComparisonModel, {
    description: "Stops a queued or running comparison's cells (within one step) and answers it as it is now: CANCELLED, cells already done keeping their images; an ended one is answered as it is",
  })
  cancelComparison(@CurrentPrincipal() principal: Principal, @Args('id', { type: () => ID }) id: string): ComparisonModel {
    return comparisonModel(this.comparisons.cancel(id, viewerOf(principal)));
  }

  @Query(() => ComparisonModel)
  comparison(@CurrentPrincipal() principal: Principal, @Args('id', { type: () => ID }) id: string): ComparisonModel {
    return comparisonModel(this.comparisons.state(id, viewerOf(principal)));
  }

  @Query(() => ComparisonPageModel, {
    name: 'comparisons',
    description: "The caller's kept comparisons (an administrator's: everyone's), newest first: limit 1 to 100 (default 20), cursor the previous page's nextCursor",
  })
  history(
    @CurrentPrincipal() principal: Principal,
    @Args('limit', { type: () => Int, nullable: true }) limit: number | null,
    @Args('cursor', { type: () => String, nullable: true }) cursor: string | null,
  ): ComparisonPageModel {
    return pageModel(this.comparisons.list({ limit, cursor }, viewerOf(principal)));
  }

  @Subscription(() => ComparisonEventModel, {
    description: "A comparison's progress: one CELL event per step of each cell (the latest only, for a client that reads slower than the steps come), then DONE",
    resolve: (event: ComparisonEventModel) => event,
  })
  comparisonEvents(@CurrentPrincipal() principal: Principal, @Args('id', { type: () => ID }) id: string): AsyncIterableIterator<ComparisonEventModel> {
    const viewer = viewerOf(principal);
    // Throws NOT_FOUND / GONE before the stream starts for an unknown or expired id.
    this.comparisons.state(id, viewer);
    // RESOURCE_EXHAUSTED past the client's open streams; given back when the stream ends.
    const slot = this.comparisons.openStream(principal.clientId);
    return eventStream<ComparisonEventModel, ComparisonEvent>(
      async (sink) => this.comparisons.subscribe(id, sink, viewer),
      (published) => published.encoded('graphql', (event) => eventModel(id, event)),
      () => slot.release(),
    );
  }
}

function comparisonModel(view: ComparisonView): ComparisonModel {
  return { ...view, status: view.status as GenerationStatusEnum, cells: view.cells.map((cell) => ({ ...cell, status: cell.status as GenerationStatusEnum })) };
}

function pageModel(page: ComparisonPage): ComparisonPageModel {
  return { ...page, items: page.items.map((item) => ({ ...item, status: item.status as GenerationStatusEnum })) };
}

function eventModel(id: string, event: ComparisonEvent): ComparisonEventModel {
  if (event.event === 'done') {
    return { id, kind: ComparisonEventKind.DONE, status: event.data.status as GenerationStatusEnum, ...(event.data.error ? { error: { ...event.data.error } } : {}) };
  }
  const { preview, ...cell } = event.data;
  return { id, kind: ComparisonEventKind.CELL, ...cell, ...(preview ? { preview: { ...preview } } : {}) };
}

import { Inject } from '@nestjs/common';
import { generationImageUrl } from '../common/result-urls';
import { Args, ID, Mutation, Parent, Query, ResolveField, Resolver, Subscription } from '@nestjs/graphql';
import type { GenerationEvent } from './generation.service';
import { Generations } from './generations';
import type { GenerationRecord } from './generation-store';
import { eventStream } from './event-stream';
import { GenerationEventKind, GenerationStatusEnum } from '../transports/graphql/enums';
import { GenerateInput } from './generate.input';
import { GenerationEventModel, GenerationModel, ImageModel } from './generation.model';
import { setFields } from '../transports/graphql/graphql-input';
import { CurrentPrincipal, RateLimit } from '../auth/access.decorators';
import { viewerOf, type Principal } from '../auth/api-keys';

/** Cost of asking for an image's bytes inline, against the complexity limit. */
export const BASE64_COMPLEXITY = 100;

@Resolver(() => GenerationModel)
export class GenerationsResolver {
  constructor(@Inject(Generations) private readonly generations: Generations) {}

  @Query(() => GenerationModel, { description: 'A generation: status, progress and image URLs' })
  async generation(@CurrentPrincipal() principal: Principal, @Args('id', { type: () => ID }) id: string): Promise<GenerationModel> {
    return generationModel(await this.generations.get(id, viewerOf(principal)));
  }

  @Mutation(() => GenerationModel, {
    description: 'Queues a generation and answers at once (subscribe to generationEvents for progress), or when it has ended with wait: true',
    complexity: 10,
  })
  @RateLimit('generations')
  async generate(
    @CurrentPrincipal() principal: Principal,
    @Args('input', { type: () => GenerateInput }) input: GenerateInput,
    @Args('wait', { type: () => Boolean, defaultValue: false }) wait: boolean,
  ): Promise<GenerationModel> {
    const { record, done } = await this.generations.start(setFields(input), principal.clientId);
    return generationModel(wait ? await done : record);
  }

  @Mutation(() => GenerationModel, { description: 'Cancels a queued or running generation; its rows leave the batch at the next step' })
  async cancelGeneration(@CurrentPrincipal() principal: Principal, @Args('id', { type: () => ID }) id: string): Promise<GenerationModel> {
    return generationModel(await this.generations.cancel(id, viewerOf(principal)));
  }

  @Subscription(() => GenerationEventModel, {
    description: "A generation's progress: its state at once, one event per step (the latest only, for a client that reads slower than the steps come), then DONE",
    resolve: (event: GenerationEventModel) => event,
  })
  async generationEvents(@CurrentPrincipal() principal: Principal, @Args('id', { type: () => ID }) id: string): Promise<AsyncIterableIterator<GenerationEventModel>> {
    const viewer = viewerOf(principal);
    // Throws NOT_FOUND / GONE before the stream starts for an unknown or expired id.
    await this.generations.get(id, viewer);
    // RESOURCE_EXHAUSTED past the client's open streams; given back when the stream ends.
    const slot = this.generations.openStream(principal.clientId);
    return eventStream<GenerationEventModel>(
      (sink) => this.generations.subscribe(id, sink, viewer),
      (published) => published.encoded('graphql', (event) => eventModel(id, event)),
      () => slot.release(),
    );
  }
}

@Resolver(() => ImageModel)
export class GeneratedImageResolver {
  constructor(@Inject(Generations) private readonly generations: Generations) {}

  @ResolveField(() => String, { description: 'The image bytes in base64 (costly: prefer url)', complexity: BASE64_COMPLEXITY })
  async base64(@Parent() image: ImageModel, @CurrentPrincipal() principal: Principal): Promise<string> {
    return (await this.generations.image(image.generationId, String(image.index), viewerOf(principal))).bytes.toString('base64');
  }
}

export function generationModel(record: GenerationRecord): GenerationModel {
  return {
    id: record.id,
    status: record.status as GenerationStatusEnum,
    checkpoint: record.checkpointId,
    progress: { ...record.progress },
    images: record.images.map((image) => ({
      generationId: record.id,
      index: image.index,
      seed: image.seed,
      mimeType: image.mimeType,
      url: generationImageUrl(record.id, image.index),
    })),
    ...(record.error ? { error: { ...record.error } } : {}),
    ...(record.imageToImage ? { imageToImage: { ...record.imageToImage } } : {}),
  };
}

function eventModel(id: string, event: GenerationEvent): GenerationEventModel {
  const data = event.data;
  return {
    id,
    kind: event.event === 'done' ? GenerationEventKind.DONE : GenerationEventKind.PROGRESS,
    status: data.status as GenerationStatusEnum,
    step: data.step,
    totalSteps: data.totalSteps,
    etaMs: event.event === 'progress' ? event.data.etaMs : 0,
    ...(event.event === 'done' && event.data.error ? { error: { ...event.data.error } } : {}),
    ...(event.event === 'progress' && event.data.preview ? { preview: { ...event.data.preview } } : {}),
  };
}

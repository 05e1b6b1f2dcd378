import { Inject } from '@nestjs/common';
import { Args, Int, Query, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal } from '../auth/access.decorators';
import type { Principal } from '../auth/api-keys';
import { WebhookDeliveryOutcomeEnum, WebhookDeliveryPageModel } from './webhook.models';
import { WebhooksService } from './webhooks.service';

@Resolver(() => WebhookDeliveryPageModel)
export class WebhooksResolver {
  constructor(@Inject(WebhooksService) private readonly webhooks: WebhooksService) {}

  @Query(() => WebhookDeliveryPageModel, {
    description: "The calling key's recent webhook delivery attempts, newest first: limit 1 to 100 (default 20), cursor the previous page's nextCursor",
  })
  async webhookDeliveries(
    @CurrentPrincipal() principal: Principal,
    @Args('limit', { type: () => Int, nullable: true }) limit: number | null,
    @Args('cursor', { type: () => String, nullable: true }) cursor: string | null,
  ): Promise<WebhookDeliveryPageModel> {
    const page = await this.webhooks.deliveries(principal.clientId, { limit, cursor });
    return { ...page, items: page.items.map((attempt) => ({ ...attempt, outcome: attempt.outcome as WebhookDeliveryOutcomeEnum })) };
  }
}

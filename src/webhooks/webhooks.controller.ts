import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../auth/access.decorators';
import type { Principal } from '../auth/api-keys';
import type { DeliveryPage } from './webhook.schemas';
import { WebhooksService } from './webhooks.service';

@ApiTags('webhooks')
@Controller('v1/webhooks')
export class WebhooksController {
  constructor(@Inject(WebhooksService) private readonly webhooks: WebhooksService) {}

  /** The calling key's recent delivery attempts, newest first, a page at a time (a read, rate-limited as one). */
  @Get('deliveries')
  deliveries(@Query('limit') limit: unknown, @Query('cursor') cursor: unknown, @CurrentPrincipal() principal: Principal): Promise<DeliveryPage> {
    return this.webhooks.deliveries(principal.clientId, { limit, cursor });
  }
}

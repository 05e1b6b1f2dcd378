/**
 * Webhooks: the request-time checks and event queueing (WebhooksService, global, so generations and
 * comparisons reach it), the deliveries log and queue chosen once here (in this process, or in Redis
 * with BullMQ when jobs are distributed), and the deliveries endpoint on REST and GraphQL.
 */
import { Module, type DynamicModule } from '@nestjs/common';
import IORedis from 'ioredis';
import { AUTH_CONFIG } from '../auth/access.service';
import type { AuthConfig } from '../auth/auth-config';
import type { WebhookSettings } from '../config/webhook-config';
import { MetricsService } from '../observability/metrics/metrics.service';
import type { DeliveryLog } from './delivery';
import { DeliveryAttempts } from './delivery-attempts';
import { MemoryDeliveryLog, RedisDeliveryLog } from './delivery-log';
import { LocalDeliveryQueue } from './local-delivery-queue';
import { RedisDeliveryQueue } from './redis-delivery-queue';
import { systemLookup } from './webhook-address';
import { WebhooksController } from './webhooks.controller';
import { WebhooksResolver } from './webhooks.resolver';
import { WEBHOOK_ADDRESS_LOOKUP, WEBHOOK_DELIVERY_LOG, WEBHOOK_DELIVERY_QUEUE, WEBHOOK_SETTINGS, WebhooksService } from './webhooks.service';

export interface WebhookModuleOptions {
  readonly settings: WebhookSettings;
  /** With AFD_JOBS=redis: deliveries are BullMQ jobs and the log is shared by the replicas. */
  readonly redis?: { readonly url: string; readonly prefix: string; readonly bullPrefix: string; readonly runsJobs: boolean; readonly lockMs: number };
}

@Module({})
export class WebhooksModule {
  static forRoot(options: WebhookModuleOptions): DynamicModule {
    const { settings, redis } = options;
    return {
      module: WebhooksModule,
      global: true,
      controllers: [WebhooksController],
      providers: [
        { provide: WEBHOOK_SETTINGS, useValue: settings },
        { provide: WEBHOOK_ADDRESS_LOOKUP, useValue: systemLookup },
        {
          provide: WEBHOOK_DELIVERY_LOG,
          useFactory: (): DeliveryLog =>
            redis ? new RedisDeliveryLog(new IORedis(redis.url, { maxRetriesPerRequest: 3 }), redis.prefix, settings.logSize) : new MemoryDeliveryLog(settings.logSize),
        },
        {
          provide: WEBHOOK_DELIVERY_QUEUE,
          inject: [AUTH_CONFIG, WEBHOOK_DELIVERY_LOG, WEBHOOK_ADDRESS_LOOKUP, { token: MetricsService, optional: true }],
          useFactory: (auth: AuthConfig, log: DeliveryLog, lookup: typeof systemLookup, metrics: MetricsService | undefined) => {
            // The secret is read at each attempt: a key removed from the keys file stops its deliveries.
            const secretOf = (clientId: string): string | undefined => (auth.mode === 'keys' ? auth.store.entry(clientId)?.webhookSecret : undefined);
            const attempts = new DeliveryAttempts(settings, secretOf, log, (outcome, seconds) => metrics?.webhookAttempt(outcome, seconds), lookup);
            return redis
              ? new RedisDeliveryQueue(attempts, { redisUrl: redis.url, bullPrefix: redis.bullPrefix, runsJobs: redis.runsJobs, lockMs: redis.lockMs, concurrency: settings.concurrency })
              : new LocalDeliveryQueue(attempts, settings.concurrency);
          },
        },
        WebhooksService,
        WebhooksResolver,
      ],
      exports: [WebhooksService, WEBHOOK_DELIVERY_QUEUE],
    };
  }
}

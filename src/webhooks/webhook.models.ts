/** GraphQL: the `webhook` input of generate and compare, and the webhookDeliveries query's answer. */
import { Field, Float, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { WebhookRequestSchema } from './webhook.schemas';

export enum WebhookEventEnum {
  STARTED = 'started',
  SUCCEEDED = 'succeeded',
  FAILED = 'failed',
  CANCELLED = 'cancelled',
}
registerEnumType(WebhookEventEnum, { name: 'WebhookEvent', description: 'When the work starts running, and how it ends' });

export enum WebhookDeliveryOutcomeEnum {
  DELIVERED = 'delivered',
  RETRYING = 'retrying',
  FAILED = 'failed',
}
registerEnumType(WebhookDeliveryOutcomeEnum, { name: 'WebhookDeliveryOutcome', description: 'DELIVERED: a 2xx answer; RETRYING: another attempt is due at nextAttemptAt; FAILED: no attempt will follow' });

@InputType('WebhookInput', { description: WebhookRequestSchema.description })
export class WebhookInput {
  @Field(() => String, { description: WebhookRequestSchema.shape.url.description })
  url!: string;

  @Field(() => [WebhookEventEnum], { nullable: true, description: WebhookRequestSchema.shape.events.description })
  events?: WebhookEventEnum[] | null;
}

@ObjectType('WebhookDeliveryAttempt', { description: 'One delivery attempt of a webhook event' })
export class WebhookDeliveryAttemptModel {
  @Field(() => String, { description: "The attempt's id (time-ordered)" })
  id!: string;

  @Field(() => String, { description: 'The webhook-id header: the same on every attempt of one event' })
  webhookId!: string;

  @Field(() => String, { description: 'generation.succeeded, comparison.failed, …' })
  type!: string;

  @Field(() => String, { description: 'The generation or comparison reported' })
  subjectId!: string;

  @Field(() => String)
  url!: string;

  @Field(() => Int, { description: '1 for the first attempt' })
  attempt!: number;

  @Field(() => WebhookDeliveryOutcomeEnum)
  outcome!: WebhookDeliveryOutcomeEnum;

  @Field(() => Int, { nullable: true, description: "The receiver's HTTP status, when it answered" })
  statusCode?: number;

  @Field(() => String, { nullable: true, description: 'Why the attempt failed' })
  error?: string;

  @Field(() => Float)
  durationMs!: number;

  @Field(() => String, { description: 'When the attempt was made (ISO 8601)' })
  at!: string;

  @Field(() => String, { nullable: true, description: 'With outcome retrying: when the next attempt is due (ISO 8601)' })
  nextAttemptAt?: string;
}

@ObjectType('WebhookDeliveryPage')
export class WebhookDeliveryPageModel {
  @Field(() => [WebhookDeliveryAttemptModel], { description: "The calling key's recent delivery attempts, newest first" })
  items!: WebhookDeliveryAttemptModel[];

  @Field(() => String, { nullable: true, description: 'Present when more exist: pass it as cursor for the next page' })
  nextCursor?: string;
}

/** The webhook routes in the OpenAPI document. */
import { errors, GATED_ERRORS, json, ref, type PathTable } from '../common/openapi';
import { DEFAULT_DELIVERY_PAGE, DeliveryPageSchema, MAX_DELIVERY_PAGE, WebhookRequestSchema } from './webhook.schemas';

export const WEBHOOK_SCHEMAS = { Webhook: WebhookRequestSchema, WebhookDeliveryPage: DeliveryPageSchema };

export const WEBHOOK_PATHS: PathTable = {
  '/v1/webhooks/deliveries': {
    get: {
      operationId: 'listWebhookDeliveries',
      summary: "This key's recent webhook delivery attempts, newest first",
      description:
        'Each attempt of each event (its webhook-id, type, URL, attempt number, HTTP status or error, duration, and when a retry is due), newest first. ' +
        'When more exist the answer has `nextCursor`: pass it as `cursor` for the next page.',
      tags: ['webhooks'],
      parameters: [
        {
          name: 'limit',
          in: 'query',
          required: false,
          description: `How many to answer, 1 to ${MAX_DELIVERY_PAGE} (400 otherwise)`,
          schema: { type: 'integer', minimum: 1, maximum: MAX_DELIVERY_PAGE, default: DEFAULT_DELIVERY_PAGE },
        },
        { name: 'cursor', in: 'query', required: false, description: "The previous page's `nextCursor` (400 for anything else)", schema: { type: 'string' } },
        { $ref: '#/components/parameters/X-Request-Id' },
      ],
      responses: { '200': json({ description: 'A page of delivery attempts', schema: ref('WebhookDeliveryPage') }), ...errors(...GATED_ERRORS) },
    },
  },
};

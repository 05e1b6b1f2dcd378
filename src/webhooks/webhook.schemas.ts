/**
 * The `webhook` request field of generations and comparisons, and GET /v1/webhooks/deliveries'
 * answer. The checks themselves are in webhook-target.ts (shape) and webhook-address.ts (addresses);
 * this states the same rules to clients.
 */
import { z } from 'zod';
import { DEFAULT_WEBHOOK_EVENTS, MAX_WEBHOOK_URL_LENGTH, WEBHOOK_EVENTS } from '../common/webhook-events';

export const MAX_DELIVERY_PAGE = 100;
export const DEFAULT_DELIVERY_PAGE = 20;

export const WebhookRequestSchema = z
  .object({
    url: z
      .string()
      .max(MAX_WEBHOOK_URL_LENGTH)
      .describe(
        `An http or https URL, at most ${MAX_WEBHOOK_URL_LENGTH} characters, without credentials. Its host must resolve to public addresses only (no private, loopback, link-local, CGNAT, multicast or metadata address) unless the server allows it`,
      ),
    events: z
      .array(z.enum(WEBHOOK_EVENTS))
      .min(1)
      .max(WEBHOOK_EVENTS.length)
      .nullable()
      .optional()
      .describe(`Which events to deliver, not repeated (default ${DEFAULT_WEBHOOK_EVENTS.join(', ')})`),
  })
  .strict()
  .describe(
    "Where to POST the events of this work, signed per Standard Webhooks with the key's webhook secret (webhook-id, webhook-timestamp, webhook-signature). Needs an API key; without it, the key's default webhook (if any) is used",
  );

export const DeliveryAttemptSchema = z.object({
  id: z.string().describe("The attempt's id (time-ordered)"),
  webhookId: z.string().describe('The webhook-id header: the same on every attempt of one event'),
  type: z.string().describe('generation.succeeded, comparison.failed, …'),
  subjectId: z.string().describe('The generation or comparison reported'),
  url: z.string(),
  attempt: z.int().min(1),
  outcome: z.enum(['delivered', 'retrying', 'failed']).describe('failed: no attempt will follow'),
  statusCode: z.int().optional().describe("The receiver's HTTP status, when it answered"),
  error: z.string().optional().describe('Why the attempt failed'),
  durationMs: z.number().min(0),
  at: z.iso.datetime().describe('When the attempt was made'),
  nextAttemptAt: z.iso.datetime().optional().describe('With outcome retrying: when the next attempt is due'),
});

export const DeliveryPageSchema = z
  .object({
    items: z.array(DeliveryAttemptSchema).describe("The calling key's recent delivery attempts, newest first"),
    nextCursor: z.string().optional().describe('Present when more exist: pass it as `cursor` for the next page'),
  })
  .meta({
    example: {
      items: [
        {
          id: '0193c5a0-7b2e-7c41-9a3f-2b6d8e1f4a50',
          webhookId: 'msg_0193c5a0-7000-7c41-9a3f-2b6d8e1f4a4f_succeeded',
          type: 'generation.succeeded',
          subjectId: '0193c5a0-7000-7c41-9a3f-2b6d8e1f4a4f',
          url: 'https://partner.example.com/afd-webhooks',
          attempt: 1,
          outcome: 'delivered',
          statusCode: 200,
          durationMs: 41.2,
          at: '2026-12-07T08:00:00.000Z',
        },
      ],
    },
  });
export type DeliveryPage = z.infer<typeof DeliveryPageSchema>;

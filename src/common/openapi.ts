/**
 * Small builders for the OpenAPI 3.1 document's operations, so each feature states its routes in a
 * few lines (x.openapi.ts) and every error, header and security rule is written here once.
 */
import type { JsonSchema } from './api-contract';

export type OpenApiObject = Record<string, unknown>;
export type HttpMethod = 'get' | 'post' | 'delete';

export const ref = (component: string): { $ref: string } => ({ $ref: `#/components/schemas/${component}` });

/** What each error status means here; every one answers the `Error` schema. */
const ERROR_MEANINGS: Readonly<Record<number, string>> = {
  400: 'Bad input: `message` is `field: rule, got value`; `details` has `field` and `rule`',
  401: 'No API key, or one the server does not know (`WWW-Authenticate: Bearer`)',
  403: "The key's role may not do this",
  404: 'No such resource, or one that belongs to another client',
  406: '`Accept` lists none of the types this request can be answered with',
  409: 'The request conflicts with the resource: an Idempotency-Key reused with another body, a generation not (yet) succeeded, a cancelled generation, a pinned checkpoint',
  410: 'It existed, but its results have expired and were deleted',
  413: 'The body (or an uploaded image) is larger than the server accepts',
  429: "Too many requests for the client's tier, too many open progress streams, or a full queue: retry after `Retry-After` seconds",
  502: 'The model failed (a broken checkpoint file, a non-finite output); the server log has the details',
  503: 'Unavailable: the server is shutting down, or the checkpoint is broken; retry after `Retry-After` seconds when given',
  504: 'The generation did not finish before its deadline',
};

const RETRYABLE: ReadonlySet<number> = new Set([429, 503]);

function errorResponse(status: number, component: string, meanings: Readonly<Record<number, string>>): OpenApiObject {
  return {
    description: meanings[status] ?? ERROR_MEANINGS[status] ?? 'Error',
    headers: { 'X-Request-Id': { $ref: '#/components/headers/X-Request-Id' }, ...(RETRYABLE.has(status) ? { 'Retry-After': { $ref: '#/components/headers/Retry-After' } } : {}) },
    content: { 'application/json': { schema: ref(component) } },
  };
}

/** The errors any route behind the key gate can answer (a path it cannot decode, a missing key, the rate limit, shutdown). */
export const GATED_ERRORS = [400, 401, 429, 503] as const;

export function errors(...statuses: number[]): Record<string, OpenApiObject> {
  return errorsIn('Error', {}, ...statuses);
}

/** Errors answered in another body (`component`), for routes that speak another API's dialect; `meanings` override the API's own. */
export function errorsIn(component: string, meanings: Readonly<Record<number, string>>, ...statuses: number[]): Record<string, OpenApiObject> {
  return Object.fromEntries([...new Set(statuses)].sort((a, b) => a - b).map((status) => [String(status), errorResponse(status, component, meanings)]));
}

export interface JsonAnswer {
  readonly description: string;
  readonly schema: JsonSchema;
  /** Response headers besides X-Request-Id, by component name (`Location`). */
  readonly headers?: readonly string[];
}

export function json({ description, schema, headers = [] }: JsonAnswer): OpenApiObject {
  return { description, headers: headerRefs(headers), content: { 'application/json': { schema } } };
}

/** Image bytes in one of the given media types. */
export function binary(description: string, mediaTypes: readonly string[], headers: readonly string[] = []): OpenApiObject {
  return { description, headers: headerRefs(headers), content: Object.fromEntries(mediaTypes.map((type) => [type, { schema: { type: 'string', contentMediaType: type } }])) };
}

/** A `text/event-stream` answer whose frames are `event: <name>` / `data: <JSON of that event's schema>`. */
export function serverSentEvents(events: Record<string, { $ref: string }>, example: string): OpenApiObject {
  return {
    description: 'Server-sent events',
    headers: headerRefs([]),
    content: {
      'text/event-stream': {
        schema: { type: 'string', description: `Frames \`event: ${Object.keys(events).join('|')}\` / \`data: <JSON>\`` },
        // OpenAPI 3.1 cannot type each frame's data (3.2's itemSchema can): named here for generators and readers.
        'x-sse-events': events,
        example,
      },
    },
  };
}

function headerRefs(names: readonly string[]): Record<string, { $ref: string }> {
  return Object.fromEntries(['X-Request-Id', ...names].map((name) => [name, { $ref: `#/components/headers/${name}` }]));
}

export const pathParameter = (name: string, description: string, example: string): OpenApiObject => ({ name, in: 'path', required: true, description, schema: { type: 'string' }, example });

export interface Operation {
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  readonly tags: readonly string[];
  readonly parameters?: readonly OpenApiObject[];
  readonly requestBody?: OpenApiObject;
  readonly responses: Record<string, OpenApiObject>;
  /** `[]` for a public route; the document's global security otherwise. */
  readonly security?: readonly OpenApiObject[];
}

/** A feature's routes: path → method → operation. */
export type PathTable = Record<string, Partial<Record<HttpMethod, Operation>>>;

/** Headers every document shares, referenced by name from the operations. */
export const HEADER_COMPONENTS: Record<string, OpenApiObject> = {
  'X-Request-Id': { description: "The request's id in the server's log: the client's own `X-Request-Id` when it is 1 to 128 of `A-Za-z0-9._:-`, else a new UUID", schema: { type: 'string' } },
  'Retry-After': { description: 'Seconds to wait before trying again', schema: { type: 'integer', minimum: 1 } },
  Location: { description: 'Where the created resource is read', schema: { type: 'string' } },
};

/** Request headers and query parameters more than one route takes. */
export const PARAMETER_COMPONENTS: Record<string, OpenApiObject> = {
  base64: {
    name: 'base64',
    in: 'query',
    required: false,
    description: '`true` inlines every image as base64 in the JSON answer (`images[].base64`)',
    schema: { type: 'string', enum: ['true', 'false'] },
  },
  'X-Request-Id': { name: 'X-Request-Id', in: 'header', required: false, description: 'Your id for this request, echoed back and logged', schema: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,128}$' } },
};

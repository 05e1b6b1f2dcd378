/**
 * What every request and response schema shares: the error body all transports' REST face answers
 * with, the refusal of fields a request does not define (named, with the fields it does), and the
 * step from a zod schema to the JSON Schema 2020-12 that OpenAPI 3.1 takes as it is.
 */
import { z } from 'zod';
import { ErrorCode, invalidArgument } from './error-code';

/** Every REST error: `{code, message, details}` (http-error.filter.ts writes it). */
export const ErrorBodySchema = z
  .object({
    code: z.enum(ErrorCode).describe('One code of the API-wide vocabulary; GraphQL answers it as `extensions.code`, gRPC as the matching status'),
    message: z.string().describe('`field: rule, got value` for bad input; never a stack or a server path'),
    details: z.record(z.string(), z.unknown()).describe('For bad input `field` and `rule`; otherwise what identifies the failure (`id`, `reason`, `status`)'),
  })
  .meta({ example: { code: 'INVALID_ARGUMENT', message: 'width: must be a multiple of 8 (latents are 1/8 of the image), got 100', details: { field: 'width', rule: 'must be a multiple of 8 (latents are 1/8 of the image), got 100' } } });
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

/** A request schema: a strict zod object whose keys are the fields a body may carry. */
export type RequestSchema = z.ZodObject<z.ZodRawShape>;

/** The fields a request schema defines, in the order it lists them (the order error messages list them in). */
export function fieldsOf<S extends RequestSchema>(schema: S): ReadonlyArray<keyof S['shape'] & string> {
  return Object.keys(schema.shape) as Array<keyof S['shape'] & string>;
}

/**
 * Refuses a body that is not a JSON object, or that carries a field the schema does not define,
 * naming that field and listing the known ones: `seeds: is not a generation field (known: …)`.
 * `extraFields` are accepted besides the schema's (a transport's own name for one of them).
 */
export function refuseUnknownFields(schema: RequestSchema, body: unknown, rule: string, extraFields: readonly string[] = []): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw invalidArgument('body', 'must be a JSON object');
  const known = [...fieldsOf(schema), ...extraFields];
  const unknown = Object.keys(body).find((key) => !known.includes(key));
  if (unknown !== undefined) throw invalidArgument(unknown, `${rule} (known: ${known.join(', ')})`);
  return body as Record<string, unknown>;
}

/** A JSON Schema object (2020-12, as OpenAPI 3.1 embeds it). */
export type JsonSchema = Record<string, unknown>;

/**
 * The schemas of a registry as OpenAPI `components.schemas`: each as zod's JSON Schema 2020-12, with
 * references to the others as `#/components/schemas/<id>` and without the per-document `$schema`/`$id`.
 */
export function componentSchemas(registry: z.core.$ZodRegistry<{ id: string }>, io: 'input' | 'output'): Record<string, JsonSchema> {
  const { schemas } = z.toJSONSchema(registry, { target: 'draft-2020-12', io, uri: (id) => `#/components/schemas/${id}`, unrepresentable: 'any' });
  const components: Record<string, JsonSchema> = {};
  for (const [id, schema] of Object.entries(schemas)) {
    const rest: JsonSchema = { ...(schema as JsonSchema) };
    delete rest['$schema'];
    delete rest['$id'];
    components[id] = rest;
  }
  return components;
}

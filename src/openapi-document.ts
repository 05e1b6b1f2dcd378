/**
 * The OpenAPI 3.1 document served at /docs-json (and as a UI at /docs): the skeleton from
 * @nestjs/swagger's DocumentBuilder, the routes from each feature's table (x.openapi.ts), the
 * schemas from the zod schemas the server validates with, as JSON Schema 2020-12.
 */
import { DocumentBuilder, type OpenAPIObject } from '@nestjs/swagger';
import { z } from 'zod';
import { ErrorBodySchema, componentSchemas } from './common/api-contract';
import { HEADER_COMPONENTS, PARAMETER_COMPONENTS, type PathTable } from './common/openapi';
import { CHECKPOINT_PATHS, CHECKPOINT_SCHEMAS } from './checkpoints/checkpoint.openapi';
import { COMPARISON_PATHS, COMPARISON_SCHEMAS } from './comparisons/comparison.openapi';
import { GENERATION_PATHS, GENERATION_SCHEMAS } from './generation/generation.openapi';
import { HEALTH_PATHS, HEALTH_SCHEMAS } from './observability/health/health.openapi';
import { A1111_PATHS, A1111_SCHEMAS } from './a1111-compat/a1111.openapi';
import { OPENAI_PATHS, OPENAI_SCHEMAS } from './openai-compat/openai.openapi';
import { PROMPT_PATHS, PROMPT_SCHEMAS } from './prompts/prompt.openapi';
import { SAMPLER_PATHS, SAMPLER_SCHEMAS } from './samplers/sampler.openapi';
import { WEBHOOK_PATHS, WEBHOOK_SCHEMAS } from './webhooks/webhook.openapi';

const PATHS: readonly PathTable[] = [GENERATION_PATHS, COMPARISON_PATHS, CHECKPOINT_PATHS, SAMPLER_PATHS, PROMPT_PATHS, OPENAI_PATHS, A1111_PATHS, WEBHOOK_PATHS, HEALTH_PATHS];
const SCHEMAS: Record<string, z.ZodType> = {
  Error: ErrorBodySchema,
  ...GENERATION_SCHEMAS,
  ...COMPARISON_SCHEMAS,
  ...CHECKPOINT_SCHEMAS,
  ...SAMPLER_SCHEMAS,
  ...PROMPT_SCHEMAS,
  ...OPENAI_SCHEMAS,
  ...A1111_SCHEMAS,
  ...WEBHOOK_SCHEMAS,
  ...HEALTH_SCHEMAS,
};

const TAGS: Readonly<Record<string, string>> = {
  generations: 'Text-to-image generation: synchronous, asynchronous, with progress events',
  comparisons: 'One prompt, one seed, several checkpoints side by side',
  checkpoints: 'The released checkpoints and their residency',
  samplers: "The samplers (schedulers) a generation may name, with AUTOMATIC1111's names",
  prompts: 'Fashion prompts: vocabulary, build, parse, tokenize',
  openai: "OpenAI-compatible images API for clients built on OpenAI's SDKs (REST only; errors in OpenAI's shape)",
  webhooks: 'Signed event deliveries (Standard Webhooks) for generations and comparisons, and their log',
  a1111: "AUTOMATIC1111-compatible API (/sdapi/v1) for the web UI's clients (REST only; errors in FastAPI's and the web UI's shapes)",
  health: 'Probes (public)',
};

export function openApiDocument(): OpenAPIObject {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(SCHEMAS)) registry.add(schema, { id });
  const builder = new DocumentBuilder()
    .setTitle('Afro Fashion Diffusion API')
    .setDescription(
      'Text-to-image generation with the Afro Fashion Stable Diffusion checkpoints. Send your API key as `Authorization: Bearer <key>` or `X-API-Key: <key>` ' +
        '(keys are opaque strings). Every error answers `{code, message, details}`; bad input names the field and the rule.',
    )
    .setVersion('1')
    .setLicense('MIT', 'https://opensource.org/licenses/MIT')
    .addServer('/', 'This server');
  for (const [name, description] of Object.entries(TAGS)) builder.addTag(name, description);
  const skeleton = builder.build();
  const paths: Record<string, unknown> = {};
  for (const table of PATHS) for (const [path, item] of Object.entries(table)) paths[path] = item;
  const document = {
    ...skeleton,
    openapi: '3.1.0',
    paths,
    // Either scheme will do; routes that need none say `security: []`.
    security: [{ bearer: [] }, { apiKey: [] }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'An API key (an opaque string, not a JWT) as `Authorization: Bearer <key>`' },
        apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'The same API key in the `X-API-Key` header' },
      },
      schemas: componentSchemas(registry, 'input'),
      headers: HEADER_COMPONENTS,
      parameters: PARAMETER_COMPONENTS,
    },
  };
  // @nestjs/swagger types OpenAPI 3.0; the document is 3.1 (JSON Schema 2020-12), checked by redocly in test/openapi.e2e-spec.ts.
  return document as unknown as OpenAPIObject;
}

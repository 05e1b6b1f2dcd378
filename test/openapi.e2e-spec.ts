/**
 * The served OpenAPI document: 3.1, every route the server has (and none it lacks), every operation
 * typed with its errors, both key schemes applied globally, and `@redocly/cli lint` without errors.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import request from 'supertest';
import { z } from 'zod';
import { ErrorBodySchema } from '../src/common/api-contract';
import { CheckpointListSchema, CheckpointViewSchema } from '../src/checkpoints/checkpoint.schemas';
import { ComparisonViewSchema } from '../src/comparisons/comparison.schemas';
import { createApp } from '../src/create-app';
import { GenerationViewSchema } from '../src/generation/generation.schemas';
import { HealthReportSchema } from '../src/observability/health/health.schemas';
import {
  A1111ErrorSchema,
  A1111ImagesResponseSchema,
  A1111ModelListSchema,
  A1111OptionsSchema,
  A1111ProgressSchema,
  A1111SamplerListSchema,
  A1111SchedulerListSchema,
  A1111ValidationErrorSchema,
} from '../src/a1111-compat/a1111.schemas';
import { ImagesResponseSchema, OpenAiErrorSchema, OpenAiModelListSchema, OpenAiModelSchema } from '../src/openai-compat/openai.schemas';
import { BuiltPromptSchema, ParsedPromptSchema, TokenizedPromptSchema, VocabularySchema } from '../src/prompts/prompt.schemas';
import { testAppConfig } from './support/test-app-config';

interface Operation {
  operationId?: string;
  summary?: string;
  security?: unknown[];
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, { content?: Record<string, { schema?: { $ref?: string } }>; headers?: Record<string, unknown> }>;
}
type Document = {
  openapi: string;
  security: unknown[];
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, Record<string, unknown>> };
};

const ROOT = resolve(__dirname, '..');
const OPENAI_ROUTE = /^(GET|POST) \/v1\/(images|models)\b/;
const A1111_ROUTE = /^(GET|POST) \/sdapi\/v1\//;
const run = promisify(execFile);

describe('OpenAPI document (/docs-json)', () => {
  let app: NestExpressApplication;
  let document: Document;
  const operations = (): Array<[string, Operation]> => Object.entries(document.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]): [string, Operation] => [`${method.toUpperCase()} ${path}`, op]));

  beforeAll(async () => {
    app = await createApp(testAppConfig());
    await app.init();
    document = (await request(app.getHttpServer()).get('/docs-json').expect(200)).body as Document;
  }, 120_000);
  afterAll(() => app.close());

  it('is OpenAPI 3.1 and documents exactly the routes the server has', async () => {
    expect(document.openapi).toBe('3.1.0');
    // Nest's own scan of the controllers (the metrics scrape excluded): a route added without a table entry fails here.
    const scanned = SwaggerModule.createDocument(app, new DocumentBuilder().build()).paths;
    const served = Object.entries(scanned).flatMap(([path, item]) => Object.keys(item).filter((m) => ['get', 'post', 'delete', 'put', 'patch'].includes(m)).map((m) => `${m.toUpperCase()} ${path}`));
    expect(operations().map(([route]) => route).sort()).toEqual(served.sort());
    // And the browsable UI still serves it.
    await request(app.getHttpServer()).get('/docs').expect(200).expect('Content-Type', /html/);
  });

  it('gives every operation an operationId, a summary, a typed answer and its errors in the Error schema', () => {
    const ids = operations().map(([, op]) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining(['createGeneration', 'getGeneration', 'streamGenerationEvents', 'cancelGeneration', 'getGenerationImage', 'listCheckpoints', 'getCheckpoint', 'loadCheckpoint', 'unloadCheckpoint', 'createComparison', 'getComparison', 'cancelComparison']));
    for (const [route, op] of operations()) {
      expect({ route, summary: typeof op.summary }).toEqual({ route, summary: 'string' });
      const success = Object.keys(op.responses).filter((s) => s.startsWith('2'));
      expect({ route, success: success.length > 0 }).toEqual({ route, success: true });
      for (const status of success) expect({ route, status, typed: Object.keys(op.responses[status]?.content ?? {}).length > 0 }).toEqual({ route, status, typed: true });
      // The OpenAI- and AUTOMATIC1111-compatible routes answer errors in their API's shapes; every other route in the API's own.
      const errorSchema = (status: string): string =>
        OPENAI_ROUTE.test(route)
          ? '#/components/schemas/OpenAiError'
          : A1111_ROUTE.test(route)
            ? `#/components/schemas/${status === '422' ? 'A1111ValidationError' : 'A1111Error'}`
            : '#/components/schemas/Error';
      for (const [status, answer] of Object.entries(op.responses).filter(([s]) => /^[45]/.test(s) && !route.startsWith('GET /health'))) {
        expect({ route, status, schema: answer.content?.['application/json']?.schema?.$ref }).toEqual({ route, status, schema: errorSchema(status) });
      }
    }
    const create = document.paths['/v1/generations']?.['post'];
    expect(Object.keys(create?.responses ?? {})).toEqual(expect.arrayContaining(['200', '201', '202', '400', '401', '404', '406', '409', '413', '429', '503']));
    expect(Object.keys(create?.responses['200']?.content ?? {})).toEqual(['image/png', 'image/jpeg', 'image/webp']);
    expect(create?.responses['201']?.headers).toHaveProperty('Location');
    expect(create?.responses['429']?.headers).toHaveProperty('Retry-After');
    expect(Object.keys(document.paths['/v1/generations/{id}/events']?.['get']?.responses['200']?.content ?? {})).toEqual(['text/event-stream']);
    expect(create?.requestBody?.content['application/json']?.schema).toEqual({ $ref: '#/components/schemas/GenerateRequest' });
  });

  it('requires an opaque bearer key or X-API-Key everywhere but the probes', () => {
    expect(document.components.securitySchemes['bearer']).toEqual(expect.objectContaining({ type: 'http', scheme: 'bearer' }));
    expect(document.components.securitySchemes['bearer']).not.toHaveProperty('bearerFormat');
    expect(document.components.securitySchemes['apiKey']).toEqual(expect.objectContaining({ type: 'apiKey', in: 'header', name: 'X-API-Key' }));
    expect(document.security).toEqual([{ bearer: [] }, { apiKey: [] }]);
    const publicRoutes = operations().filter(([, op]) => Array.isArray(op.security) && op.security.length === 0).map(([route]) => route);
    expect(publicRoutes.sort()).toEqual(['GET /health/live', 'GET /health/ready']);
  });

  it('answers what it documents: real answers parse with the schemas the document is built from', async () => {
    const http = () => request(app.getHttpServer());
    // Deeply strict, so an answer's undocumented field fails too.
    const conforms = (schema: z.ZodType, body: unknown, what: string): void => {
      const result = strictly(schema).safeParse(body);
      expect({ what, issues: result.success ? [] : result.error.issues }).toEqual({ what, issues: [] });
    };
    conforms(CheckpointListSchema, (await http().get('/v1/checkpoints').expect(200)).body, 'listCheckpoints');
    conforms(CheckpointViewSchema, (await http().get('/v1/checkpoints/final').expect(200)).body, 'getCheckpoint');
    const created = (await http().post('/v1/generations').send({ prompt: 'red kente dress', width: 64, height: 64, steps: 2, seed: 3 }).expect(201)).body as { id: string };
    conforms(GenerationViewSchema, created, 'createGeneration');
    conforms(GenerationViewSchema, (await http().get(`/v1/generations/${created.id}?base64=true`).expect(200)).body, 'getGeneration');
    const comparison = await http().post('/v1/comparisons').send({ prompt: 'red kente dress', checkpoints: ['baseline', 'final'], width: 64, height: 64, steps: 2 }).expect(201);
    conforms(ComparisonViewSchema, comparison.body, 'createComparison');
    conforms(VocabularySchema, (await http().get('/v1/prompts/vocabulary').expect(200)).body, 'getPromptVocabulary');
    conforms(BuiltPromptSchema, (await http().post('/v1/prompts/build').send({ attributes: { garment: 'dress', colours: ['red'] } }).expect(200)).body, 'buildPrompt');
    conforms(ParsedPromptSchema, (await http().post('/v1/prompts/parse').send({ text: 'red kente dress' }).expect(200)).body, 'parsePrompt');
    conforms(ParsedPromptSchema, (await http().post('/v1/prompts/parse').send({ text: '1234' }).expect(200)).body, 'parsePrompt (language unknown)');
    conforms(TokenizedPromptSchema, (await http().post('/v1/prompts/tokenize').send({ text: 'red kente dress' }).expect(200)).body, 'tokenizePrompt');
    conforms(HealthReportSchema, (await http().get('/health/live').expect(200)).body, 'getLiveness');
    conforms(ErrorBodySchema, (await http().post('/v1/generations').send({ prompt: 'x', width: 100 }).expect(400)).body, 'a 400');
    conforms(ErrorBodySchema, (await http().get('/v1/generations/nope').expect(404)).body, 'a 404');
    conforms(ImagesResponseSchema, (await http().post('/v1/images/generations').send({ prompt: 'red kente dress', size: '64x64', steps: 2, n: 2 }).expect(200)).body, 'createOpenAiImage (url)');
    conforms(ImagesResponseSchema, (await http().post('/v1/images/generations').send({ prompt: 'red kente dress', size: '64x64', steps: 2, response_format: 'b64_json' }).expect(200)).body, 'createOpenAiImage (b64_json)');
    conforms(OpenAiModelListSchema, (await http().get('/v1/models').expect(200)).body, 'listOpenAiModels');
    conforms(OpenAiModelSchema, (await http().get('/v1/models/final').expect(200)).body, 'getOpenAiModel');
    conforms(OpenAiErrorSchema, (await http().post('/v1/images/generations').send({ prompt: 'x', size: '100x100' }).expect(400)).body, 'an OpenAI 400');
    conforms(OpenAiErrorSchema, (await http().get('/v1/models/nope').expect(404)).body, 'an OpenAI 404');
    conforms(A1111ImagesResponseSchema, (await http().post('/sdapi/v1/txt2img').send({ prompt: 'red kente dress', width: 64, height: 64, steps: 2 }).expect(200)).body, 'a1111Txt2Img');
    conforms(A1111ModelListSchema, (await http().get('/sdapi/v1/sd-models').expect(200)).body, 'a1111ListModels');
    conforms(A1111SamplerListSchema, (await http().get('/sdapi/v1/samplers').expect(200)).body, 'a1111ListSamplers');
    conforms(A1111SchedulerListSchema, (await http().get('/sdapi/v1/schedulers').expect(200)).body, 'a1111ListSchedulers');
    conforms(A1111OptionsSchema, (await http().get('/sdapi/v1/options').expect(200)).body, 'a1111GetOptions');
    conforms(A1111ProgressSchema, (await http().get('/sdapi/v1/progress').expect(200)).body, 'a1111GetProgress');
    conforms(A1111ValidationErrorSchema, (await http().post('/sdapi/v1/txt2img').send({ prompt: 'x', tiling: true }).expect(422)).body, 'an A1111 422');
    conforms(A1111ErrorSchema, (await http().post('/sdapi/v1/options').send({ sd_model_checkpoint: 'nope' }).expect(404)).body, 'an A1111 404');
  });

  it('passes @redocly/cli lint (recommended rules) without errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'afd-openapi-'));
    try {
      const file = join(dir, 'openapi.json');
      writeFileSync(file, JSON.stringify(document));
      const result = await run(join(ROOT, 'node_modules/.bin/redocly'), ['lint', file, '--format=json', `--config=${join(ROOT, 'redocly.yaml')}`], { cwd: ROOT }).catch(
        (error: { stdout: string; stderr: string }) => error,
      );
      const report = JSON.parse(result.stdout) as { totals: { errors: number; warnings: number }; problems: Array<{ ruleId: string; severity: string; message: string; location: Array<{ pointer: string }> }> };
      const errors = report.problems.filter((p) => p.severity === 'error').map((p) => `${p.ruleId} ${p.location[0]?.pointer ?? ''}: ${p.message}`);
      expect(errors).toEqual([]);
      expect(report.totals.errors).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

/** The schema with every object refusing fields it does not define (answers are documented whole). */
function strictly(schema: z.ZodType): z.ZodType {
  if (schema instanceof z.ZodObject) return z.strictObject(Object.fromEntries(Object.entries(schema.shape as Record<string, z.ZodType>).map(([key, value]) => [key, strictly(value)])));
  if (schema instanceof z.ZodArray) return z.array(strictly(schema.element as z.ZodType));
  if (schema instanceof z.ZodOptional) return strictly(schema.unwrap() as z.ZodType).optional();
  if (schema instanceof z.ZodNullable) return strictly(schema.unwrap() as z.ZodType).nullable();
  return schema;
}

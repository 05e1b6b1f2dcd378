/**
 * One contract on every transport: GraphQL's GenerateInput/CompareInput and the .proto's
 * GenerateRequest/CompareRequest take the fields of the REST request schemas, with the same kinds of
 * value and the same limits (GraphQL states the schema's own descriptions; the .proto's comments
 * state the ranges and choices). Read from the built GraphQL schema and the loaded proto descriptor.
 * The OpenAI-compatible images API is REST only by design (it exists for OpenAI's SDKs, issue 17):
 * it has no GraphQL or gRPC face to compare, so what is checked is that its extensions are the
 * native request's own fields, rules and all. The AUTOMATIC1111-compatible API (/sdapi/v1, issue
 * 18) is REST only by the same design (it exists for the web UI's clients): its documented ranges
 * are checked to be the native fields' own.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { GraphQLEnumType, GraphQLInputObjectType, GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLScalarType, type GraphQLInputType } from 'graphql';
import { z } from 'zod';
import { createApp } from '../src/create-app';
import { CompareFieldsSchema, ComparisonSummarySchema, ComparisonViewSchema } from '../src/comparisons/comparison.schemas';
import { GenerateRequestSchema } from '../src/generation/generation.schemas';
import { ImageGenerationRequestSchema } from '../src/openai-compat/openai.schemas';
import { SCHEDULER_NAMES } from '../src/engine/schedulers';
import { Img2ImgRequestSchema, Txt2ImgRequestSchema } from '../src/a1111-compat/a1111.schemas';
import { loadProtos, PROTO_ROOT } from '../src/transports/grpc/grpc-protos';
import { testAppConfig } from './support/test-app-config';

/** A field as the JSON Schema of the REST contract states it. */
interface ContractField {
  readonly kind: 'integer' | 'number' | 'string' | 'boolean' | 'enum' | 'seed' | 'object' | 'list';
  readonly values?: readonly string[];
  readonly minimum?: number;
  readonly maximum?: number;
  readonly default?: unknown;
  readonly description?: string;
}

type Json = Record<string, unknown>;

function contractFields(schema: z.ZodObject<z.ZodRawShape>): Record<string, ContractField> {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { properties: Record<string, Json> };
  return Object.fromEntries(
    Object.entries(json.properties).map(([name, property]) => {
      // Optional fields are `anyOf: [<the value>, {type: null}]`.
      const value = ((property['anyOf'] as Json[] | undefined)?.find((s) => s['type'] !== 'null') ?? property) as Json;
      const kind: ContractField['kind'] = Array.isArray(value['anyOf'])
        ? 'seed'
        : Array.isArray(value['enum'])
          ? 'enum'
          : value['type'] === 'array'
            ? 'list'
            : (value['type'] as ContractField['kind']);
      const field: ContractField = {
        kind,
        ...(Array.isArray(value['enum']) ? { values: value['enum'] as string[] } : {}),
        ...(typeof value['minimum'] === 'number' ? { minimum: value['minimum'] } : {}),
        ...(typeof value['maximum'] === 'number' ? { maximum: value['maximum'] } : {}),
        ...(value['default'] !== undefined ? { default: value['default'] } : {}),
        ...(typeof value['description'] === 'string' ? { description: value['description'] } : {}),
      };
      return [name, field];
    }),
  );
}

function graphqlKind(type: GraphQLInputType): { kind: ContractField['kind']; values?: string[] } {
  const inner = type instanceof GraphQLNonNull ? type.ofType : type;
  if (inner instanceof GraphQLList) return { kind: 'list' };
  // Sorted: the built schema lists enum values alphabetically.
  if (inner instanceof GraphQLEnumType) return { kind: 'enum', values: inner.getValues().map((v) => String(v.value)).sort() };
  if (inner instanceof GraphQLInputObjectType) return { kind: 'object' };
  const names: Record<string, ContractField['kind']> = { Int: 'integer', Float: 'number', String: 'string', Boolean: 'boolean', Seed: 'seed' };
  return { kind: names[(inner as GraphQLScalarType).name] ?? 'object' };
}

/**
 * The choices a typed transport spells out. The scheduler field also takes AUTOMATIC1111's display
 * names ("DPM++ 2M Karras"), which REST's enum lists; GraphQL's enum (whose values cannot be
 * spelled so) and the .proto's comment give the ids, and the samplers list every name.
 */
function documentedValues(name: string, values: readonly string[]): string[] {
  return name === 'scheduler' ? values.filter((v) => (SCHEDULER_NAMES as readonly string[]).includes(v)) : [...values];
}

/** The .proto's kind for each contract kind: enums and seeds travel as strings (u64 seeds above 2^53 stay exact). */
const PROTO_TYPES: Readonly<Record<ContractField['kind'], string>> = { integer: 'TYPE_UINT32', number: 'TYPE_DOUBLE', string: 'TYPE_STRING', boolean: 'TYPE_BOOL', enum: 'TYPE_STRING', seed: 'TYPE_STRING', object: 'TYPE_MESSAGE', list: 'TYPE_STRING' };

/** Image fields are base64 text in JSON and GraphQL, bytes in protobuf. */
const protoType = (name: string, field: ContractField): string => (name === 'initImage' ? 'TYPE_BYTES' : name === 'attributes' ? 'TYPE_MESSAGE' : PROTO_TYPES[field.kind]);

interface ProtoField {
  readonly name: string;
  readonly type: string;
  readonly label: string;
}

function protoFields(message: string): Record<string, ProtoField> {
  const definition = loadProtos().definition[`afrofashion.v1.${message}`] as unknown as { type: { field: ProtoField[] } };
  return Object.fromEntries(definition.type.field.map((f) => [f.name.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase()), f]));
}

/** Each field's comment in the .proto source: the comment lines above it, or the previous field's (width's covers height). */
function protoComments(message: string): Record<string, string> {
  const source = readFileSync(join(PROTO_ROOT, 'afrofashion/v1/diffusion.proto'), 'utf8');
  const body = source.slice(source.indexOf(`message ${message} {`));
  const comments: Record<string, string> = {};
  let pending: string[] = [];
  let last = '';
  for (const line of body.split('\n').slice(1)) {
    if (line.startsWith('}')) break;
    const comment = /^\s*\/\/\s?(.*)$/.exec(line);
    if (comment) {
      pending.push(comment[1] ?? '');
      continue;
    }
    const field = /^\s*(?:optional |repeated )?\w+ (\w+) = \d+;/.exec(line);
    if (!field?.[1]) continue;
    if (pending.length > 0) last = pending.join(' ');
    comments[field[1].replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase())] = last;
    pending = [];
  }
  return comments;
}

describe('one contract on REST, GraphQL and gRPC', () => {
  let app: NestExpressApplication;
  const generation = contractFields(GenerateRequestSchema);
  const comparison = contractFields(CompareFieldsSchema);

  beforeAll(async () => {
    app = await createApp(testAppConfig());
    await app.init();
  }, 120_000);
  afterAll(() => app.close());

  const graphqlInput = (name: string): GraphQLInputObjectType => app.get(GraphQLSchemaHost).schema.getType(name) as GraphQLInputObjectType;

  it('GraphQL GenerateInput has the schema\'s fields, kinds, choices and descriptions', () => {
    const fields = graphqlInput('GenerateInput').getFields();
    expect(Object.keys(fields).sort()).toEqual(Object.keys(generation).sort());
    for (const [name, field] of Object.entries(generation)) {
      const input = fields[name];
      expect({ name, ...graphqlKind(input!.type) }).toEqual({ name, kind: field.kind, ...(field.values ? { values: documentedValues(name, field.values).sort() } : {}) });
      // The description is the schema's, limits and all (set from it in generate.input.ts).
      if (field.description !== undefined) expect({ name, description: input?.description }).toEqual({ name, description: field.description });
    }
  });

  it('GraphQL CompareInput has the comparison schema\'s fields (the reference image as referenceImageBase64)', () => {
    const fields = graphqlInput('CompareInput').getFields();
    // GraphQL takes the prompts as a list only (`prompt` is REST's shorthand for one).
    expect(Object.keys(fields).sort()).toEqual([...Object.keys(comparison).filter((f) => f !== 'prompt'), 'referenceImageBase64'].sort());
    for (const [name, field] of Object.entries(comparison)) {
      if (name === 'prompt') continue;
      expect({ name, ...graphqlKind(fields[name]!.type) }).toEqual({ name, kind: field.kind, ...(field.values ? { values: documentedValues(name, field.values).sort() } : {}) });
    }
  });

  it('the .proto GenerateRequest has the schema\'s fields and kinds, and its comments state the same limits', () => {
    const fields = protoFields('GenerateRequest');
    const comments = protoComments('GenerateRequest');
    expect(Object.keys(fields).sort()).toEqual(Object.keys(generation).sort());
    for (const [name, field] of Object.entries(generation)) {
      const proto = fields[name]!;
      expect({ name, type: proto.type }).toEqual({ name, type: protoType(name, field) });
      const comment = comments[name] ?? '';
      if (field.minimum !== undefined && field.maximum !== undefined && field.kind !== 'seed') expect({ name, comment }).toEqual({ name, comment: expect.stringContaining(`${field.minimum} to ${field.maximum}`) });
      for (const value of documentedValues(name, field.values ?? [])) expect({ name, comment }).toEqual({ name, comment: expect.stringContaining(value) });
      if (field.default !== undefined && field.default !== '') {
        const value = String(field.default).replace(/[.+]/g, '\\$&');
        expect({ name, comment }).toEqual({ name, comment: expect.stringMatching(new RegExp(`\\(default ${value}\\)|${value} \\(default\\)`)) });
      }
    }
  });

  it('the OpenAI-compatible request (REST only) takes its extensions with the native fields\' own schemas', () => {
    const openai = ImageGenerationRequestSchema.shape;
    const native = GenerateRequestSchema.shape;
    expect([openai.seed, openai.steps, openai.scheduler, openai.negative_prompt, openai.guidance_scale]).toEqual([native.seed, native.steps, native.scheduler, native.negativePrompt, native.guidanceScale]);
    const extensions = contractFields(ImageGenerationRequestSchema);
    expect(extensions['n']).toMatchObject({ minimum: generation['numImages']?.minimum, maximum: generation['numImages']?.maximum });
    expect(extensions['output_format']?.values).toEqual(generation['outputFormat']?.values);
  });

  it('the AUTOMATIC1111-compatible requests (REST only) document the native fields\' ranges under their A1111 names', () => {
    for (const schema of [Txt2ImgRequestSchema, Img2ImgRequestSchema]) {
      const a1111 = contractFields(schema as unknown as z.ZodObject<z.ZodRawShape>);
      for (const [name, nativeName] of [['steps', 'steps'], ['cfg_scale', 'guidanceScale'], ['width', 'width'], ['height', 'height'], ['eta', 'eta']] as const) {
        expect({ name, minimum: a1111[name]?.minimum, maximum: a1111[name]?.maximum }).toEqual({ name, minimum: generation[nativeName]?.minimum, maximum: generation[nativeName]?.maximum });
      }
    }
    expect(contractFields(Img2ImgRequestSchema as unknown as z.ZodObject<z.ZodRawShape>)['denoising_strength']?.maximum).toBe(generation['strength']?.maximum);
  });

  it('the .proto CompareRequest has the comparison schema\'s fields and kinds', () => {
    const fields = protoFields('CompareRequest');
    expect(Object.keys(fields).sort()).toEqual([...Object.keys(comparison).filter((f) => f !== 'prompt'), 'referenceImage'].sort());
    for (const [name, field] of Object.entries(comparison)) {
      if (name === 'prompt') continue;
      expect({ name, type: fields[name]!.type }).toEqual({ name, type: protoType(name, field) });
    }
  });

  it("a comparison's state and history summary have the same fields on REST, GraphQL and gRPC, cells included, and cancelling it exists on each", () => {
    const view = ComparisonViewSchema.shape;
    const cell = ComparisonViewSchema.shape.cells.element.shape;
    const graphqlOutput = (name: string): string[] => Object.keys((app.get(GraphQLSchemaHost).schema.getType(name) as GraphQLObjectType).getFields()).sort();
    expect(graphqlOutput('Comparison')).toEqual(Object.keys(view).sort());
    expect(graphqlOutput('ComparisonCell')).toEqual(Object.keys(cell).sort());
    expect(Object.keys(protoFields('ComparisonState')).sort()).toEqual(Object.keys(view).sort());
    expect(Object.keys(protoFields('ComparisonCellState')).sort()).toEqual(Object.keys(cell).sort());
    // The history's summaries too.
    expect(graphqlOutput('ComparisonSummary')).toEqual(Object.keys(ComparisonSummarySchema.shape).sort());
    expect(Object.keys(protoFields('ComparisonSummary')).sort()).toEqual(Object.keys(ComparisonSummarySchema.shape).sort());
    // Every status the schema names is one GraphQL and the .proto can say.
    const statuses = ComparisonViewSchema.shape.status.options;
    const graphqlStatuses = (app.get(GraphQLSchemaHost).schema.getType('GenerationStatus') as GraphQLEnumType).getValues().map((v) => String(v.value));
    expect(graphqlStatuses).toEqual(expect.arrayContaining([...statuses]));
    const protoStatuses = (loadProtos().definition['afrofashion.v1.GenerationStatus'] as unknown as { type: { value: Array<{ name: string }> } }).type.value.map((v) => v.name);
    expect(protoStatuses).toEqual(expect.arrayContaining(statuses.map((s) => `GENERATION_STATUS_${s.toUpperCase()}`)));
    const mutations = app.get(GraphQLSchemaHost).schema.getMutationType()?.getFields() ?? {};
    expect(mutations['cancelComparison']?.args.map((a) => a.name)).toEqual(['id']);
    const service = loadProtos().definition['afrofashion.v1.DiffusionService'] as unknown as Record<string, { requestType: { type: { name: string } }; responseType: { type: { name: string } } }>;
    for (const method of ['GetComparison', 'CancelComparison']) expect({ method, reply: service[method]?.responseType.type.name }).toEqual({ method, reply: 'ComparisonState' });
  });
});

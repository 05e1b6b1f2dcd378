/**
 * Traces end to end: the real application with the OpenTelemetry SDK started as main.ts starts it,
 * spans read back from the in-memory exporter. Three concurrent REST generations batched into one
 * UNet call give one UNet span linked to the three requests; each request's trace holds its
 * generation and phases; gRPC and GraphQL get their own spans, and a caller's traceparent is kept.
 * `AFD_PRINT_TRACE=1` prints the rendering the README's Operations section shows.
 */
import { credentials, Metadata, type Client, type ServiceError } from '@grpc/grpc-js';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { GrpcServer } from '../src/app/grpc.server';
import { createApp } from '../src/create-app';
import { renderTraces } from '../src/observability/tracing/testing/render-trace';
import { flushSpans, startTracing, tracingRequested, type Tracing } from '../src/observability/tracing/tracing-sdk';
import { loadProtos } from '../src/transports/grpc/grpc-protos';
import { testAppConfig } from './support/test-app-config';
import { waitUntilReady } from './support/wait-until-ready';

type UnaryClient = Client & Record<string, (request: unknown, metadata: Metadata, callback: (error: ServiceError | null, response: unknown) => void) => void>;

const exporter = new InMemorySpanExporter();
const CALLER_TRACE = '0af7651916cd43dd8448eb211c80319c';
const CALLER_SPAN = 'b7ad6b7169203331';
const STEPS = 40;

describe('traces (OpenTelemetry)', () => {
  let tracing: Tracing;
  let app: NestExpressApplication;
  const http = () => request(app.getHttpServer());
  let spans: ReadableSpan[] = [];
  const named = (name: string) => spans.filter((s) => s.name === name);
  const parentOf = (span: ReadableSpan) => spans.find((s) => s.spanContext().spanId === span.parentSpanContext?.spanId);
  const childrenOf = (span: ReadableSpan) => spans.filter((s) => s.parentSpanContext?.spanId === span.spanContext().spanId);
  let generationIds: string[] = [];

  beforeAll(async () => {
    tracing = startTracing({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
    app = await createApp(testAppConfig());
    await app.init();
    await waitUntilReady(app);
    // The warm-up's spans are exported (processors wait for the resource) before the slate is wiped.
    await flushSpans();
    exporter.reset();

    // Three generations at once: the continuous batcher serves their sequences in shared UNet calls.
    // STEPS keeps the first denoising long after the third request arrives, even on a loaded machine.
    const prompts = ['indigo adire gown', 'kente wrap dress', 'ankara bomber jacket'];
    const answers = await Promise.all(prompts.map((prompt, i) => http().post('/v1/generations').send({ prompt, width: 64, height: 64, steps: STEPS, seed: 100 + i, scheduler: 'euler' }).expect(201)));
    generationIds = answers.map((a) => a.body.id as string);

    await http().post('/graphql').send({ query: 'query Checkpoints { checkpoints { id } }', operationName: 'Checkpoints' }).expect(200);
    await http().get('/health/ready').expect(200);

    const port = app.get(GrpcServer).port as number;
    const diffusion = new (loadProtos().diffusion)(`127.0.0.1:${port}`, credentials.createInsecure()) as UnaryClient;
    const metadata = new Metadata();
    metadata.set('traceparent', `00-${CALLER_TRACE}-${CALLER_SPAN}-01`);
    await new Promise<void>((resolve, reject) => diffusion['ListCheckpoints']?.call(diffusion, {}, metadata, (error) => (error ? reject(error) : resolve())));
    diffusion.close();
    await flushSpans();
    spans = exporter.getFinishedSpans();
    if (process.env['AFD_PRINT_TRACE'] === '1') {
      const requestTraces = named('POST /v1/generations').map((s) => s.spanContext().traceId);
      console.log(renderTraces(spans, requestTraces));
    }
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await tracing?.shutdown();
  });

  it('is off unless the standard OTEL_* variables ask for it', () => {
    expect(tracingRequested({})).toBe(false);
    expect(tracingRequested({ OTEL_TRACES_EXPORTER: 'otlp' })).toBe(true);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })).toBe(true);
    expect(tracingRequested({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(false);
    expect(tracingRequested({ OTEL_SDK_DISABLED: 'true', OTEL_TRACES_EXPORTER: 'otlp' })).toBe(false);
    expect(() => tracingRequested({ OTEL_TRACES_EXPORTER: 'jaeger' })).toThrow('OTEL_TRACES_EXPORTER: "jaeger" is not an exporter this server has; use otlp, console, none');
  });

  it('gives each REST request a server span named by its route, with the generation and its phases as children', () => {
    const requests = named('POST /v1/generations');
    expect(requests).toHaveLength(3);
    for (const span of requests) {
      expect(span.kind).toBe(SpanKind.SERVER);
      expect(span.attributes).toMatchObject({ 'http.request.method': 'POST', 'http.route': '/v1/generations', 'http.response.status_code': 201 });
      const [generation, ...others] = childrenOf(span).filter((c) => c.name === 'generation');
      expect(others).toEqual([]);
      expect(generation?.attributes).toMatchObject({ 'afd.checkpoint': 'final', 'afd.steps': STEPS, 'afd.images': 1 });
      expect(generationIds).toContain(generation?.attributes['afd.generation.id']);
      const phases = childrenOf(generation as ReadableSpan).sort((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1]);
      expect(phases.map((p) => p.name)).toEqual(['queue wait', 'model load', 'text encoder', 'denoise', 'vae decoder', 'image encode']);
    }
  });

  it('makes one span per UNet call with its batch composition, linked to the requests it served: one call served all three', () => {
    const generations = named('generation').filter((g) => generationIds.includes(String(g.attributes['afd.generation.id'])));
    const unetCalls = named('unet call');
    expect(unetCalls.length).toBeGreaterThanOrEqual(STEPS);
    for (const call of unetCalls) {
      expect(call.parentSpanContext).toBeUndefined();
      expect(call.attributes).toMatchObject({ 'afd.checkpoint': 'final', 'afd.device': expect.any(String) });
      // Guided: two rows per sequence; each link says how many of the call's sequences were that request's.
      expect(call.attributes['afd.unet.rows']).toBe(2 * Number(call.attributes['afd.unet.sequences']));
      expect(call.links.reduce((n, l) => n + Number(l.attributes?.['afd.unet.sequences']), 0)).toBe(call.attributes['afd.unet.sequences']);
    }
    const shared = unetCalls.filter((c) => c.links.length === 3);
    expect(shared.length).toBeGreaterThan(0);
    const call = shared[0] as ReadableSpan;
    expect(call.attributes).toMatchObject({ 'afd.unet.rows': 6, 'afd.unet.sequences': 3, 'afd.unet.jobs': 3 });
    expect(new Set(call.links.map((l) => l.context.spanId))).toEqual(new Set(generations.map((g) => g.spanContext().spanId)));
    // Each link leads, through the generation, to a different request's server span.
    const requests = call.links.map((l) => parentOf(spans.find((s) => s.spanContext().spanId === l.context.spanId) as ReadableSpan));
    expect(new Set(requests.map((r) => r?.name))).toEqual(new Set(['POST /v1/generations']));
    expect(new Set(requests.map((r) => r?.spanContext().traceId)).size).toBe(3);
    // Every request's denoise phase was served by the calls linked to it, one per step, and holds them
    // (the worker's clock places both; 1 ms for rounding).
    const ms = (time: [number, number]) => time[0] * 1000 + time[1] / 1e6;
    for (const generation of generations) {
      const served = unetCalls.filter((c) => c.links.some((l) => l.context.spanId === generation.spanContext().spanId));
      expect(served).toHaveLength(STEPS);
      const denoise = childrenOf(generation).find((p) => p.name === 'denoise') as ReadableSpan;
      expect(Math.min(...served.map((c) => ms(c.startTime)))).toBeGreaterThanOrEqual(ms(denoise.startTime) - 1);
      expect(Math.max(...served.map((c) => ms(c.endTime)))).toBeLessThanOrEqual(ms(denoise.endTime) + 1);
    }
  });

  it('gives gRPC calls a server span, child of the caller\'s traceparent, and GraphQL operations a span under their HTTP request', () => {
    const [grpc] = named('afrofashion.v1.DiffusionService/ListCheckpoints');
    expect(grpc?.kind).toBe(SpanKind.SERVER);
    expect(grpc?.attributes).toMatchObject({ 'rpc.system': 'grpc', 'rpc.method': 'ListCheckpoints', 'rpc.grpc.status_code': 0 });
    expect(grpc?.spanContext().traceId).toBe(CALLER_TRACE);
    expect(grpc?.parentSpanContext?.spanId).toBe(CALLER_SPAN);
    const [operation] = named('graphql query checkpoints');
    expect(operation?.attributes).toMatchObject({ 'graphql.operation.type': 'query', 'graphql.operation.name': 'Checkpoints' });
    expect(parentOf(operation as ReadableSpan)?.name).toBe('POST /graphql');
    // Probes are not traced.
    expect(spans.filter((s) => String(s.attributes['url.path']).startsWith('/health'))).toEqual([]);
  });

  it('renders as a text tree (the README shows one)', () => {
    const traceIds = named('POST /v1/generations').map((s) => s.spanContext().traceId);
    const text = renderTraces(spans, traceIds);
    expect(text).toMatch(/^trace 1:\nPOST \/v1\/generations {2}0\.\d\.\.\d+\.\d ms {2}http\.route=\/v1\/generations http\.response\.status_code=201\n└─ generation/);
    expect(text).toMatch(/unet call .* afd\.unet\.rows=6 afd\.unet\.sequences=3 afd\.unet\.jobs=3\n {3}↳ link: generation \(trace \d\) {2}afd\.unet\.sequences=1\n {3}↳ link: generation \(trace \d\)/);
  });
});

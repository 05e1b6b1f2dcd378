/** Metrics end to end: the real application, traffic on REST, GraphQL and gRPC, then one scrape of GET /metrics. */
import { credentials, type Client, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { createApp } from '../src/create-app';
import { GrpcServer } from '../src/app/grpc.server';
import { loadProtos } from '../src/transports/grpc/grpc-protos';
import { promtool, promtoolAvailable, PROMTOOL_MISSING } from '../src/observability/metrics/testing/promtool';
import { testAppConfig } from './support/test-app-config';

interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** The samples of a Prometheus text exposition (label values here never contain `",` or escapes). */
function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[key as string] = value as string;
    samples.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return samples;
}

type UnaryClient = Client & Record<string, (request: unknown, callback: (error: ServiceError | null, response: unknown) => void) => void>;
type StreamingClient = Client & Record<string, (request: unknown) => ClientReadableStream<unknown>>;

describe('GET /metrics', () => {
  let app: NestExpressApplication;
  const http = () => request(app.getHttpServer());
  const prompt = 'zq-metrics-probe indigo adire gown';
  let generationId = '';
  let cancelledId = '';
  let samples: Sample[] = [];
  let exposition = '';
  const find = (name: string, labels: Record<string, string> = {}) => samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  const sum = (name: string, labels: Record<string, string> = {}) => find(name, labels).reduce((n, s) => n + s.value, 0);

  beforeAll(async () => {
    app = await createApp(testAppConfig());
    await app.init();

    // REST: a generation, its status, a bad request, an unknown path, and a cancelled generation.
    const created = await http().post('/v1/generations').send({ prompt, width: 64, height: 64, steps: 3, seed: 11, scheduler: 'euler' }).expect(201);
    generationId = created.body.id;
    await http().get(`/v1/generations/${generationId}`).expect(200);
    await http().post('/v1/generations').send({ prompt, width: 100 }).expect(400);
    await http().get(`/no-such-path/${generationId}`).expect(404);
    // Refused by the body parser, before any route: still counted.
    await http().post('/v1/generations').set('Content-Type', 'application/json').send('{"prompt": ').expect(400);
    const started = await http().post('/v1/generations').set('Prefer', 'respond-async').send({ prompt, width: 64, height: 64, steps: 150, seed: 12 }).expect(202);
    cancelledId = started.body.id;
    await http().delete(`/v1/generations/${cancelledId}`).expect(202);
    for (let i = 0; i < 400; i++) {
      const { body } = await http().get(`/v1/generations/${cancelledId}`).expect(200);
      if (body.status !== 'queued' && body.status !== 'running') break;
      await new Promise((r) => setTimeout(r, 25));
    }

    // GraphQL: a query, and a document that does not validate.
    await http().post('/graphql').send({ query: '{ checkpoints { id } }' }).expect(200);
    await http().post('/graphql').send({ query: `{ ${'zqUnknownField'} { id } }` });

    // gRPC: a unary call and a streamed generation.
    const port = app.get(GrpcServer).port as number;
    const protos = loadProtos({ defaults: true });
    const diffusion = new protos.diffusion(`127.0.0.1:${port}`, credentials.createInsecure()) as UnaryClient & StreamingClient;
    await new Promise<void>((resolve, reject) => (diffusion['ListCheckpoints'] as UnaryClient[string]).call(diffusion, {}, (error) => (error ? reject(error) : resolve())));
    const notFound = await new Promise<ServiceError | null>((resolve) =>
      (diffusion['GetGeneration'] as UnaryClient[string]).call(diffusion, { id: generationId.replace(/[0-9a-f]/g, '0') }, (error) => resolve(error)),
    );
    expect(notFound?.code).toBe(5); // NOT_FOUND
    const stream = (diffusion['Generate'] as StreamingClient[string]).call(diffusion, { prompt, width: 64, height: 64, steps: 2, seed: '13', scheduler: 'euler' });
    await new Promise<void>((resolve, reject) => {
      stream.on('data', () => undefined);
      stream.on('error', reject);
      stream.on('end', resolve);
    });
    diffusion.close();

    const scrape = await http().get('/metrics').expect(200).expect('Content-Type', /^text\/plain; version=0\.0\.4/);
    exposition = scrape.text;
    samples = parseExposition(exposition);
  }, 120_000);
  afterAll(() => app?.close());

  it('names every series afd_… (prom-client defaults keep their standard names) and never puts prompts or ids in a label', () => {
    expect(samples.length).toBeGreaterThan(100);
    expect(samples.filter((s) => !/^(afd|process|nodejs)_/.test(s.name))).toEqual([]);
    const values = samples.flatMap((s) => Object.values(s.labels));
    for (const secret of [prompt, 'zq-metrics-probe', generationId, cancelledId, 'zqUnknownField', 'no-such-path']) {
      expect(values.filter((v) => v.includes(secret))).toEqual([]);
    }
  });

  it('times requests per transport by route pattern or operation, with their status', () => {
    const count = 'afd_request_duration_seconds_count';
    expect(sum(count, { transport: 'rest', route: 'POST /v1/generations', status: '201' })).toBeGreaterThanOrEqual(1);
    expect(sum(count, { transport: 'rest', route: 'POST /v1/generations', status: '400' })).toBe(1);
    expect(sum(count, { transport: 'rest', route: 'GET /v1/generations/:id', status: '200' })).toBeGreaterThanOrEqual(2);
    expect(sum(count, { transport: 'rest', route: 'DELETE /v1/generations/:id', status: '202' })).toBe(1);
    expect(sum(count, { transport: 'rest', route: 'unmatched', status: '404' })).toBe(1);
    expect(sum(count, { transport: 'rest', route: 'unmatched', status: '400' })).toBe(1);
    expect(sum(count, { transport: 'graphql', route: 'query checkpoints', status: 'ok' })).toBe(1);
    expect(sum(count, { transport: 'graphql', route: 'invalid', status: 'error' })).toBe(1);
    expect(sum(count, { transport: 'grpc', route: '/afrofashion.v1.DiffusionService/ListCheckpoints', status: 'OK' })).toBe(1);
    expect(sum(count, { transport: 'grpc', route: '/afrofashion.v1.DiffusionService/Generate', status: 'OK' })).toBe(1);
    expect(sum(count, { transport: 'grpc', route: '/afrofashion.v1.DiffusionService/GetGeneration', status: 'NOT_FOUND' })).toBe(1);
    // Neither the scrape nor GraphQL's own HTTP requests count as REST routes.
    const restRoutes = new Set(find(count, { transport: 'rest' }).map((s) => s.labels['route']));
    expect([...restRoutes].filter((r) => r === undefined || !/^(unmatched|(GET|POST|DELETE|PUT|PATCH|HEAD|OPTIONS) \/[\w/:.{}*-]*)$/.test(r) || /metrics|graphql/.test(r))).toEqual([]);
    const buckets = find('afd_request_duration_seconds_bucket', { transport: 'rest', route: 'POST /v1/generations', status: '201', le: '+Inf' });
    expect(buckets.map((b) => b.value)).toEqual([sum(count, { transport: 'rest', route: 'POST /v1/generations', status: '201' })]);
  });

  it('times generations by phase, counts images and failures by reason', () => {
    for (const phase of ['queue', 'model_load', 'text_encoding', 'denoising', 'decoding', 'image_encoding']) {
      expect([phase, sum('afd_generation_phase_seconds_count', { phase, checkpoint: 'final' })]).toEqual([phase, 2]);
    }
    expect(sum('afd_generation_phase_seconds_sum', { phase: 'denoising' })).toBeGreaterThan(0);
    // One generation over REST, one over gRPC.
    expect(sum('afd_generation_duration_seconds_count', { checkpoint: 'final' })).toBe(2);
    expect(sum('afd_images_generated_total', { checkpoint: 'final' })).toBe(2);
    const failures = Object.fromEntries(find('afd_generation_failures_total').map((s) => [s.labels['reason'], s.value]));
    expect(failures).toEqual({ rejected: 0, cancelled: 1, timeout: 0, model_error: 0, invalid: 1 });
  });

  it('reports UNet calls, batch sizes, queue depth and active sequences per device', () => {
    const [step] = find('afd_unet_step_seconds_count', { checkpoint: 'final' });
    expect(step?.labels['device']).toEqual(expect.any(String));
    expect(step?.value).toBeGreaterThanOrEqual(3);
    expect(sum('afd_unet_step_seconds_sum', { checkpoint: 'final' })).toBeGreaterThan(0);
    expect(sum('afd_unet_batch_rows_count', { checkpoint: 'final' })).toBe(step?.value);
    expect(sum('afd_unet_batch_rows_sum', { checkpoint: 'final' })).toBeGreaterThanOrEqual(2 * 3); // guided: two rows per image
    expect(sum('afd_unet_batch_sequences_count', { checkpoint: 'final' })).toBe(step?.value);
    const device = step?.labels['device'] as string;
    expect(find('afd_queue_depth', { device })).toEqual([expect.objectContaining({ value: 0 })]);
    expect(find('afd_active_sequences', { device })).toHaveLength(1);
    expect(find('afd_device_ready', { device })).toEqual([expect.objectContaining({ value: 1 })]);
    // Warmed up long before the scrape: GET /health/ready's answer, as the readiness alert reads it.
    expect(find('afd_ready')).toEqual([expect.objectContaining({ value: 1 })]);
  });

  it('reports model memory by component and short hash, and loads (the pinned ones at start-up included)', () => {
    const memory = find('afd_model_memory_bytes');
    expect(new Set(memory.map((s) => s.labels['component']))).toEqual(new Set(['text_encoder', 'unet', 'vae_decoder', 'vae_encoder']));
    for (const s of memory) {
      expect(s.labels['hash']).toMatch(/^[0-9a-f]{12}$/);
      expect(s.value).toBeGreaterThan(0);
    }
    // No AFD_MEMORY_BUDGET_BYTES: the budget is unlimited, and has no series.
    expect(find('afd_model_memory_budget_bytes')).toEqual([]);
    expect(exposition).toContain('# TYPE afd_model_memory_budget_bytes gauge');
    expect(sum('afd_model_loads_total', { component: 'unet' })).toBeGreaterThanOrEqual(1);
    expect(sum('afd_model_load_seconds_count')).toBe(sum('afd_model_loads_total'));
    expect(exposition).toContain('# TYPE afd_model_evictions_total counter');
    const finalUnet = find('afd_checkpoint_component_info', { checkpoint: 'final', component: 'unet' })[0]?.labels['hash'];
    expect(memory.some((s) => s.labels['component'] === 'unet' && s.labels['hash'] === finalUnet)).toBe(true);
  });

  it('has process metrics under their standard names, and GPU metrics only where nvidia-smi reports a GPU', () => {
    // The queries of the community "Node.js application" dashboard find their series.
    expect(sum('process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(sum('process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(sum('nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    expect(find('nodejs_eventloop_lag_seconds')).toHaveLength(1);
    expect(find('nodejs_eventloop_lag_p99_seconds')).toHaveLength(1);
    expect(samples.filter((s) => s.name.startsWith('afd_process_') || s.name.startsWith('afd_nodejs_'))).toEqual([]);
    for (const s of samples.filter((x) => x.name.startsWith('afd_gpu_'))) expect(s.labels['gpu']).toMatch(/^\d+$/);
    expect(exposition).toContain('# TYPE afd_gpu_memory_used_bytes gauge');
  });

  (promtoolAvailable ? it : it.skip)('passes `promtool check metrics` (skipped, saying why, without promtool)', () => {
    expect(promtool(['check', 'metrics'], exposition)).toEqual({ status: 0, output: '' });
  });
  if (!promtoolAvailable) console.warn(PROMTOOL_MISSING);
});

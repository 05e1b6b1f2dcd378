/**
 * `npm run bench:api`: the cost of the API around one generation. In one process it starts the real
 * application (REST, GraphQL and gRPC over the inference pool, on the registry's default checkpoint)
 * and loads the same checkpoint into a bare engine pipeline, then times one generation at
 * concurrency 1 four ways, interleaved round-robin so drift on the machine touches all alike:
 * - engine: the pipeline on this thread: UNet steps, VAE decode and the PNG with its `parameters`
 *   chunk, exactly the work the pool's worker and the generation service do for one request;
 * - REST: POST /v1/generations answered synchronously with JSON (image URLs);
 * - GraphQL: POST /graphql, `generate(input, wait: true)`;
 * - gRPC: DiffusionService.Generate, its stream (progress, then the result with the PNG) read to the end.
 * It prints the median, p10 and p90 of each and median(transport) / median(engine), checks that every
 * transport's image is byte-identical to the engine's, and writes the figures to models/bench/api-benchmark.json.
 * Target: at most 1.05 for each transport. Options: --size, --steps, --runs, --warmup (api-benchmark-support.ts).
 *
 * Fairness: the pool caches prompt embeddings, so repeated API requests skip the text encoder; the
 * engine baseline encodes the prompt once up front too (its time is printed apart). The baseline's
 * onnxruntime sessions take the pool worker's thread settings. The pool is idle while the engine
 * runs (one request at a time, awaited), and nothing else runs while the engine blocks this thread.
 */
import { runBenchmarkCli } from './benchmark-cli';
import { credentials, type Client, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import { CheckpointsService } from '../../checkpoints/checkpoints.service';
import { loadAppConfig } from '../../config/app-config';
import { createApp } from '../../create-app';
import { encodeImage } from '../../engine/image/encode-image';
import { formatGenerationParameters } from '../../engine/image/generation-parameters';
import { seedForImage } from '../../engine/noise';
import { parseGenerationRequest, type GenerationRequest } from '../../engine/pipeline/generation-request';
import { StableDiffusionPipeline } from '../../engine/pipeline/stable-diffusion-pipeline';
import type { RuntimeOptions } from '../../engine/runtime/onnx-runtime';
import { GrpcServer } from '../../app/grpc.server';
import { loadProtos } from '../../transports/grpc/grpc-protos';
import { INFERENCE_POOL_CONFIG } from '../../inference/inference.module';
import { defaultModelsRoot } from '../../model-generator/ensure-model-directory';
import type { InferencePoolConfig } from '../../pool';
import { API_BENCH_USAGE, API_RATIO_TARGET, parseApiBenchArgs, ratioVerdict, reproduceCommand, summarise, type ApiBenchOptions, type Summary } from './api-benchmark-support';
import { median, nowMs } from './timing';

const VARIANTS = ['engine', 'rest', 'graphql', 'grpc'] as const;
type Variant = (typeof VARIANTS)[number];
const LABELS: Readonly<Record<Variant, string>> = { engine: 'engine', rest: 'REST', graphql: 'GraphQL', grpc: 'gRPC' };

const PROMPT = 'a woman wearing a red and gold kente dress, african fashion, studio photo';
const NEGATIVE = 'blurry, low quality';
const SEED = 42;
const GUIDANCE = 7.5;

const GRAPHQL_GENERATE = 'mutation($input: GenerateInput!){ generate(input:$input, wait:true){ id status images{url} } }';

/** One measured call: resolves with the PNG bytes when the variant returns them, else with the image URL. */
type Call = () => Promise<Buffer | string>;

interface GrpcGenerateEvent {
  event?: 'progress' | 'result';
  result?: { images?: Array<{ data?: Buffer }> };
}

// ---- the four variants ----

async function engineVariant(app: NestExpressApplication, request: GenerationRequest): Promise<{ call: Call; pipeline: StableDiffusionPipeline; textEncoderMs: number; runtime: RuntimeOptions; checkpoint: { id: string; path: string } }> {
  const checkpoints = app.get(CheckpointsService);
  const checkpoint = checkpoints.resolve(undefined);
  // The session options the pool gives its first device's worker, read from the pool's own configuration.
  const device = app.get<InferencePoolConfig>(INFERENCE_POOL_CONFIG).devices?.[0] ?? {};
  const runtime: RuntimeOptions = {
    device: device.device ?? 'cpu',
    ...(device.intraOpThreads !== undefined ? { intraOpThreads: device.intraOpThreads } : {}),
    ...(device.interOpThreads !== undefined ? { interOpThreads: device.interOpThreads } : {}),
    ...(device.graphOptimization !== undefined ? { graphOptimization: device.graphOptimization } : {}),
  };
  const pipeline = await StableDiffusionPipeline.load(checkpoint.path, runtime);
  const textEncoderMs: number[] = [];
  let embeddings: Awaited<ReturnType<StableDiffusionPipeline['encodeRequest']>> | undefined;
  for (let i = 0; i < 3; i++) {
    const t = nowMs();
    embeddings = await pipeline.encodeRequest(request);
    textEncoderMs.push(nowMs() - t);
  }
  const { cond, uncond } = embeddings!;
  const parameters = formatGenerationParameters({ ...request, seed: seedForImage(request.seed, 0), checkpointId: checkpoint.id, checkpointHash: checkpoints.unetHash(checkpoint.id), noiseMode: request.noiseMode });
  const call: Call = async () => {
    const sequences = pipeline.createSequences(request, { cond, uncond });
    const first = sequences[0];
    if (!first) throw new Error('the engine made no sequence');
    while (!first.done) await pipeline.step(sequences);
    const [image] = await pipeline.decode(sequences);
    if (!image) throw new Error('the engine decoded no image');
    return encodeImage(image, { format: 'png', parameters });
  };
  return { call, pipeline, textEncoderMs: median(textEncoderMs), runtime, checkpoint: { id: checkpoint.id, path: checkpoint.path } };
}

function restVariant(baseUrl: string, body: Record<string, unknown>): Call {
  const payload = JSON.stringify(body);
  return async () => {
    const res = await fetch(`${baseUrl}/v1/generations`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: payload });
    const json = (await res.json()) as { status?: string; images?: Array<{ url: string }> };
    if (res.status !== 201 || json.status !== 'succeeded' || !json.images?.[0]) throw new Error(`REST answered ${res.status}: ${JSON.stringify(json).slice(0, 300)}`);
    return json.images[0].url;
  };
}

function graphqlVariant(baseUrl: string, input: Record<string, unknown>): Call {
  const payload = JSON.stringify({ query: GRAPHQL_GENERATE, variables: { input } });
  return async () => {
    const res = await fetch(`${baseUrl}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: payload });
    const json = (await res.json()) as { data?: { generate?: { status: string; images: Array<{ url: string }> } }; errors?: unknown[] };
    const generation = json.data?.generate;
    if (res.status !== 200 || json.errors || generation?.status !== 'SUCCEEDED' || !generation.images[0]) throw new Error(`GraphQL answered ${res.status}: ${JSON.stringify(json).slice(0, 300)}`);
    return generation.images[0].url;
  };
}

function grpcVariant(client: Client, request: Record<string, unknown>): Call {
  const generate = (client as unknown as { Generate: (r: unknown) => ClientReadableStream<GrpcGenerateEvent> }).Generate.bind(client);
  return () =>
    new Promise<Buffer>((resolve, reject) => {
      let image: Buffer | undefined;
      const stream = generate(request);
      stream.on('data', (event: GrpcGenerateEvent) => {
        if (event.event === 'result') image = event.result?.images?.[0]?.data;
      });
      stream.on('error', (error: ServiceError) => reject(new Error(`gRPC Generate failed: ${error.code} ${error.details}`)));
      stream.on('end', () => (image ? resolve(image) : reject(new Error('gRPC Generate ended without a result image'))));
    });
}

function describeRuntime(runtime: RuntimeOptions): string {
  const threads = (n: number | undefined): string => (n === undefined || n === 0 ? "0 (onnxruntime's default)" : String(n));
  return `intra-op threads ${threads(runtime.intraOpThreads)}, inter-op threads ${threads(runtime.interOpThreads)}, graph optimisation ${runtime.graphOptimization ?? 'all'}`;
}

// ---- other processes' CPU (the machine may be shared) ----

/** Busy ticks of the machine and of this process (all threads, the pool's worker included), from /proc; undefined elsewhere. */
function cpuTicks(): { machine: number; self: number } | undefined {
  try {
    const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] as string).trim().split(/\s+/).slice(1).map(Number);
    const machine = [0, 1, 2, 5, 6, 7].reduce((n, i) => n + (fields[i] ?? 0), 0); // user nice system irq softirq steal
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { machine, self: Number(rest[11]) + Number(rest[12]) }; // utime stime
  } catch {
    return undefined;
  }
}

const USER_HZ = 100;

// ---- the run ----

interface Measured {
  readonly samples: Record<Variant, number[]>;
  /** Share of the machine's CPUs used by other processes during each variant's measured calls. */
  readonly otherCpu: Record<Variant, number | undefined>;
  readonly last: Record<Variant, Buffer | string>;
}

async function measure(calls: Readonly<Record<Variant, Call>>, options: ApiBenchOptions): Promise<Measured> {
  const samples = { engine: [], rest: [], graphql: [], grpc: [] } as Record<Variant, number[]>;
  const others = { engine: { ticks: 0, ms: 0 }, rest: { ticks: 0, ms: 0 }, graphql: { ticks: 0, ms: 0 }, grpc: { ticks: 0, ms: 0 } } as Record<Variant, { ticks: number; ms: number }>;
  const last = {} as Record<Variant, Buffer | string>;
  let cpuKnown = true;
  for (let round = 0; round < options.warmup + options.runs; round++) {
    const warm = round < options.warmup;
    const timesOfRound: string[] = [];
    for (const variant of VARIANTS) {
      const before = cpuTicks();
      const start = nowMs();
      last[variant] = await calls[variant]();
      const ms = nowMs() - start;
      const after = cpuTicks();
      timesOfRound.push(`${LABELS[variant]} ${ms.toFixed(0)}`);
      if (warm) continue;
      samples[variant].push(ms);
      if (before && after) {
        others[variant].ticks += after.machine - before.machine - (after.self - before.self);
        others[variant].ms += ms;
      } else cpuKnown = false;
    }
    process.stderr.write(`  ${warm ? `warm-up ${round + 1}/${options.warmup}` : `run ${round - options.warmup + 1}/${options.runs}`}: ${timesOfRound.join(', ')} ms\n`);
  }
  const otherCpu = Object.fromEntries(
    VARIANTS.map((v) => [v, cpuKnown && others[v].ms > 0 ? Math.max(0, others[v].ticks / USER_HZ / (others[v].ms / 1000) / availableParallelism()) : undefined]),
  ) as Record<Variant, number | undefined>;
  return { samples, otherCpu, last };
}

async function fetchBytes(baseUrl: string, url: string): Promise<Buffer> {
  const res = await fetch(`${baseUrl}${url}`);
  if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

async function run(options: ApiBenchOptions): Promise<void> {
  // Open mode on the highest built-in tier (where the application has API keys and rate limits), so
  // the requests still pass the access checks but a short run is never throttled.
  const config = loadAppConfig({
    ...process.env,
    HOST: '127.0.0.1',
    PORT: '0',
    GRPC_PORT: '0',
    AFD_LOG_LEVEL: 'warn',
    AFD_API_KEYS: '',
    AFD_API_KEYS_FILE: '',
    AFD_ALLOW_OPEN: 'true',
    AFD_OPEN_TIER: 'internal',
    AFD_REDIS_URL: '',
  });
  const app = await createApp(config);
  let pipeline: StableDiffusionPipeline | undefined;
  let grpcClient: Client | undefined;
  try {
    await app.listen(0, '127.0.0.1');
    const baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    const grpcPort = app.get(GrpcServer).port;
    if (!grpcPort) throw new Error('the gRPC server did not report a port');
    grpcClient = new (loadProtos().diffusion)(`127.0.0.1:${grpcPort}`, credentials.createInsecure());

    const common = { prompt: PROMPT, negativePrompt: NEGATIVE, width: options.size, height: options.size, steps: options.steps, guidanceScale: GUIDANCE };
    const request = parseGenerationRequest({ ...common, seed: SEED, scheduler: 'pndm' });
    const engine = await engineVariant(app, request);
    pipeline = engine.pipeline;
    const calls: Record<Variant, Call> = {
      engine: engine.call,
      rest: restVariant(baseUrl, { ...common, seed: SEED, scheduler: 'pndm' }),
      graphql: graphqlVariant(baseUrl, { ...common, seed: SEED, scheduler: 'PNDM' }),
      grpc: grpcVariant(grpcClient, { ...common, seed: String(SEED), scheduler: 'pndm' }),
    };

    const threads = `onnxruntime sessions as the pool's worker: ${describeRuntime(engine.runtime)}`;
    console.log(`API benchmark on ${process.platform} ${process.arch}, ${availableParallelism()} CPUs, Node ${process.version}, device ${engine.runtime.device}`);
    console.log(`model: ${engine.checkpoint.id} (${relative(process.cwd(), engine.checkpoint.path) || engine.checkpoint.path}), the registry's default checkpoint`);
    console.log(`request: ${options.size}x${options.size}, ${options.steps} steps, pndm, guidance ${GUIDANCE} (2 UNet rows), seed ${SEED}, 1 image, PNG`);
    console.log(`engine baseline: the pipeline on the main thread, UNet steps + VAE decode + PNG with its parameters chunk; ${threads}`);
    console.log(`prompt embeddings: computed once up front for the engine (text encoder ${engine.textEncoderMs.toFixed(1)} ms), as the pool's embedding cache serves them to repeated requests`);
    console.log(`rounds: ${options.warmup} warm-up + ${options.runs} measured, each engine → REST → GraphQL → gRPC, one request at a time\n`);

    const measured = await measure(calls, options);

    // The same generation everywhere: the gRPC bytes and the images behind the REST and GraphQL URLs equal the engine's PNG.
    const enginePng = measured.last.engine as Buffer;
    const identical: Record<Exclude<Variant, 'engine'>, boolean> = {
      rest: Buffer.compare(await fetchBytes(baseUrl, measured.last.rest as string), enginePng) === 0,
      graphql: Buffer.compare(await fetchBytes(baseUrl, measured.last.graphql as string), enginePng) === 0,
      grpc: Buffer.compare(measured.last.grpc as Buffer, enginePng) === 0,
    };

    report(options, measured, identical, engine.textEncoderMs, threads, engine.checkpoint);
  } finally {
    grpcClient?.close();
    await pipeline?.release();
    await app.close();
  }
}

function report(
  options: ApiBenchOptions,
  measured: Measured,
  identical: Readonly<Record<Exclude<Variant, 'engine'>, boolean>>,
  textEncoderMs: number,
  threads: string,
  checkpoint: { id: string; path: string },
): void {
  const summaries = Object.fromEntries(VARIANTS.map((v) => [v, summarise(measured.samples[v])])) as Record<Variant, Summary>;
  const engineMedian = summaries.engine.median;
  const f = (x: number, digits = 1): string => (Number.isFinite(x) ? x.toFixed(digits) : '-');
  const pct = (x: number | undefined): string => (x === undefined ? '-' : `${(100 * x).toFixed(0)}%`);
  console.log(`\n${'variant'.padEnd(8)} ${['median ms', 'p10 ms', 'p90 ms', 'min ms', 'max ms', 'ratio', '+ms', 'other CPU', 'same PNG'].map((c) => c.padStart(10)).join(' ')}   target ≤ ${API_RATIO_TARGET}`);
  const verdicts: Array<{ variant: Variant; ratio: number; pass: boolean }> = [];
  for (const v of VARIANTS) {
    const s = summaries[v];
    const verdict = v === 'engine' ? undefined : ratioVerdict(s.median, engineMedian);
    if (verdict) verdicts.push({ variant: v, ...verdict });
    const same = v === 'engine' ? '' : identical[v] ? 'yes' : 'NO';
    const cells = [f(s.median), f(s.p10), f(s.p90), f(s.min), f(s.max), verdict ? f(verdict.ratio, 3) : '1', verdict ? f(s.median - engineMedian) : '', pct(measured.otherCpu[v]), same];
    console.log(`${LABELS[v].padEnd(8)} ${cells.map((c) => c.padStart(10)).join(' ')}   ${verdict ? (verdict.pass ? 'PASS' : 'FAIL') : '(baseline)'}`);
  }
  console.log('\nratio: median(transport) / median(engine); +ms: median(transport) - median(engine); other CPU: share of the machine used by other processes during those calls');
  console.log('same PNG: the image behind the answer is byte-identical to the engine\'s (REST and GraphQL answer URLs; gRPC streams the bytes)');
  const failed = verdicts.filter((v) => !v.pass);
  console.log(
    failed.length === 0
      ? `\ntarget met: every transport within ${API_RATIO_TARGET} × the engine's median`
      : `\nTARGET NOT MET for ${failed.map((v) => `${LABELS[v.variant]} (${v.ratio.toFixed(3)})`).join(', ')}: at most ${API_RATIO_TARGET} × the engine's median`,
  );
  if (Object.values(identical).some((same) => !same)) console.log('WARNING: a transport returned an image that differs from the engine\'s: the variants did not run the same generation');
  const busy = VARIANTS.filter((v) => (measured.otherCpu[v] ?? 0) > 0.1);
  if (busy.length > 0) console.log(`note: other processes used over 10% of the machine during ${busy.map((v) => LABELS[v]).join(', ')}: the figures and ratios are unreliable; rerun on a quiet machine`);

  const dir = join(defaultModelsRoot(), 'bench');
  const file = join(dir, 'api-benchmark.json');
  mkdirSync(dir, { recursive: true });
  const json = {
    at: new Date().toISOString(),
    command: reproduceCommand(options),
    machine: { platform: process.platform, arch: process.arch, cpus: availableParallelism(), node: process.version },
    options,
    checkpoint,
    request: { prompt: PROMPT, negativePrompt: NEGATIVE, seed: SEED, guidanceScale: GUIDANCE, scheduler: 'pndm', width: options.size, height: options.size, steps: options.steps },
    threads,
    textEncoderMs,
    target: API_RATIO_TARGET,
    variants: Object.fromEntries(
      VARIANTS.map((v) => [v, { ...summaries[v], samplesMs: measured.samples[v], otherCpu: measured.otherCpu[v], ratio: summaries[v].median / engineMedian, ...(v === 'engine' ? {} : { samePng: identical[v] }) }]),
    ),
    pass: failed.length === 0,
  };
  writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
  console.log(`\nresults: ${relative(process.cwd(), file) || file}`);
  console.log(`reproduce with: ${reproduceCommand(options)}`);
}

runBenchmarkCli('bench:api', API_BENCH_USAGE, parseApiBenchArgs, run);

/**
 * Fault test: SIGTERM to the real server process (dist/main.js) while long generations run, with a
 * 1 s grace period. The jobs must end FAILED / UNAVAILABLE "server shutting down", their progress
 * streams (REST SSE, GraphQL subscription, gRPC Generate) must receive that final status, and the process must exit 0,
 * never by a signal (a worker thread stopped inside onnxruntime aborts the process with SIGABRT).
 */
import { credentials, status, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import { createClient } from 'graphql-ws';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get, request, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import WebSocket from 'ws';
import { loadProtos } from '../src/transports/grpc/grpc-protos';
import { TINY_PRESET } from '../src/model-generator/config/presets';
import { ensureModelDirectory } from '../src/model-generator/ensure-model-directory';

const ROOT = resolve(__dirname, '..');
/** 384 × 384 on the tiny model: a few hundred milliseconds per UNet call, so 40 steps outlast the grace period many times over. */
const LONG_GENERATION = { prompt: 'a red kente dress', width: 384, height: 384, steps: 40 };

interface ServerProcess {
  readonly child: ChildProcess;
  readonly output: string[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly httpPort: number;
  readonly grpcPort: number;
}

/** Starts dist/main.js and resolves once it has logged both of its ports. */
function startServer(env: Record<string, string>): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['dist/main.js'], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.once('exit', (code, signal) => done({ code, signal })));
  return new Promise((resolvePorts, reject) => {
    let httpPort: number | undefined;
    let grpcPort: number | undefined;
    const onData = (chunk: Buffer): void => {
      const text = chunk.toString();
      output.push(text);
      httpPort ??= Number(/listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(text)?.[1]) || undefined;
      grpcPort ??= Number(/gRPC listening on 127\.0\.0\.1:(\d+)/.exec(text)?.[1]) || undefined;
      if (httpPort !== undefined && grpcPort !== undefined) resolvePorts({ child, output, exited, httpPort, grpcPort });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then(({ code, signal }) => reject(new Error(`server exited (code ${code}, signal ${signal}) before listening:\n${output.join('')}`)));
  });
}

function httpJson(port: number, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((done, fail) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request({ host: '127.0.0.1', port, method, path, headers: { ...headers, ...(payload ? { 'Content-Type': 'application/json' } : {}) } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => done({ status: res.statusCode ?? 0, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} }));
    });
    req.on('error', fail);
    req.end(payload);
  });
}

async function waitUntilReady(port: number): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if ((await httpJson(port, 'GET', '/health/ready')).status === 200) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the server never became ready');
}

interface SseEvent {
  readonly event: string;
  readonly data: Record<string, unknown>;
}

/** GET …/events: the parsed events, `running` once a step was reported, `ended` when the response ends (or how it broke). */
function subscribeSse(port: number, id: string): { events: SseEvent[]; running: Promise<void>; ended: Promise<string> } {
  const events: SseEvent[] = [];
  let onRunning!: () => void;
  const running = new Promise<void>((r) => (onRunning = r));
  const ended = new Promise<string>((done) => {
    const fail = (error: Error): void => done(`broken: ${error.message}`);
    get({ host: '127.0.0.1', port, path: `/v1/generations/${id}/events` }, (res: IncomingMessage) => {
      let buffer = '';
      res.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const [eventLine, dataLine] = buffer.slice(0, end).split('\n');
          buffer = buffer.slice(end + 2);
          const event = { event: (eventLine ?? '').replace('event: ', ''), data: JSON.parse((dataLine ?? '').replace('data: ', '')) as Record<string, unknown> };
          events.push(event);
          if (event.event === 'progress' && (event.data['step'] as number) >= 1) onRunning();
        }
      });
      res.on('end', () => done('ended'));
      res.on('error', fail);
    }).on('error', fail);
  });
  return { events, running, ended };
}

/** A gRPC Generate stream: its messages, `running` once a progress message came, `ended` with the final status. */
function grpcGenerate(port: number): { messages: Record<string, unknown>[]; running: Promise<void>; ended: Promise<{ code: number; details: string }>; close: () => void } {
  const client = new (loadProtos().diffusion)(`127.0.0.1:${port}`, credentials.createInsecure());
  const call = (client as unknown as { Generate: (request: unknown) => ClientReadableStream<Record<string, unknown>> }).Generate({ ...LONG_GENERATION, seed: '2' });
  const messages: Record<string, unknown>[] = [];
  let onRunning!: () => void;
  const running = new Promise<void>((r) => (onRunning = r));
  call.on('data', (message: Record<string, unknown>) => {
    messages.push(message);
    if (message['progress'] && ((message['progress'] as { step: number }).step ?? 0) >= 1) onRunning();
  });
  const ended = new Promise<{ code: number; details: string }>((done) => {
    call.on('error', (error: ServiceError) => done({ code: error.code, details: error.details }));
    call.on('status', (s: { code: number; details: string }) => {
      if (s.code === status.OK) done({ code: s.code, details: s.details });
    });
  });
  return { messages, running, ended, close: () => client.close() };
}

interface GraphqlEvent {
  readonly kind: string;
  readonly status: string;
  readonly error: { code: string; message: string } | null;
}

/** The generationEvents subscription over graphql-ws: its events, `subscribed` at the first one, `ended` once it completed (or how it broke). */
function subscribeGraphql(port: number, id: string): { events: GraphqlEvent[]; subscribed: Promise<void>; ended: Promise<string> } {
  const client = createClient({ url: `ws://127.0.0.1:${port}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true });
  const events: GraphqlEvent[] = [];
  let onSubscribed!: () => void;
  const subscribed = new Promise<void>((r) => (onSubscribed = r));
  const ended = (async () => {
    try {
      const query = 'subscription($id: ID!) { generationEvents(id: $id) { kind status error { code message } } }';
      for await (const message of client.iterate<{ generationEvents: GraphqlEvent }>({ query, variables: { id } })) {
        if (message.data) events.push(message.data.generationEvents);
        onSubscribed();
      }
      onSubscribed();
      return 'completed';
    } catch (error) {
      onSubscribed();
      return `broken: ${JSON.stringify(error instanceof Error ? error.message : error)}`;
    } finally {
      void client.dispose();
    }
  })();
  return { events, subscribed, ended };
}

describe('SIGTERM while generations run (1 s grace)', () => {
  let dir: string;
  let server: ServerProcess | undefined;

  beforeAll(() => {
    // The test runs the real entry point, as deployed: compile it (incremental, so quick when dist/ is current).
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
    dir = mkdtempSync(join(tmpdir(), 'afd-shutdown-'));
    writeFileSync(join(dir, 'registry.json'), JSON.stringify({ checkpoints: [{ id: 'tiny', path: ensureModelDirectory(TINY_PRESET), default: true, pinned: true }] }));
  }, 180_000);
  afterAll(() => {
    if (server && server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('ends each job FAILED/UNAVAILABLE "server shutting down", delivers that to its SSE, GraphQL and gRPC streams, and exits 0', async () => {
    server = await startServer({
      HOST: '127.0.0.1',
      PORT: '0',
      GRPC_PORT: '0',
      AFD_REGISTRY: join(dir, 'registry.json'),
      AFD_ALLOW_OPEN: 'true',
      AFD_OPEN_TIER: 'internal',
      AFD_API_KEYS: '',
      AFD_API_KEYS_FILE: '',
      AFD_JOBS: 'local',
      AFD_REDIS_URL: '',
      AFD_SHUTDOWN_GRACE_SECONDS: '1',
      AFD_GPU_SAMPLE_SECONDS: '0',
      AFD_METRICS_PORT: '0',
      AFD_LOG_LEVEL: 'log',
    });
    await waitUntilReady(server.httpPort);

    const started = await httpJson(server.httpPort, 'POST', '/v1/generations', { ...LONG_GENERATION, seed: 1 }, { Prefer: 'respond-async' });
    expect(started.status).toBe(202);
    const id = started.body['id'] as string;
    const sse = subscribeSse(server.httpPort, id);
    const graphql = subscribeGraphql(server.httpPort, id);
    const grpc = grpcGenerate(server.grpcPort);
    try {
      // Both jobs are stepping (a UNet call is in progress or about to be) and every stream is open when the signal comes.
      await Promise.all([sse.running, grpc.running, graphql.subscribed]);
      server.child.kill('SIGTERM');

      const [exit, grpcEnd, sseEnd, graphqlEnd] = await Promise.all([server.exited, grpc.ended, sse.ended, graphql.ended]);
      // On failure, the server's last lines say how it stopped.
      expect({ exit, lastLines: exit.code === 0 ? '' : server.output.join('').slice(-2000) }).toEqual({ exit: { code: 0, signal: null }, lastLines: '' });
      expect(sseEnd).toBe('ended');

      const done = sse.events.filter((e) => e.event === 'done');
      expect(done).toEqual([{ event: 'done', data: expect.objectContaining({ status: 'failed', error: { code: 'UNAVAILABLE', message: 'server shutting down' } }) }]);
      expect(sse.events[sse.events.length - 1]).toBe(done[0]);
      expect((done[0]?.data['step'] as number) < (done[0]?.data['totalSteps'] as number)).toBe(true);

      expect(graphqlEnd).toBe('completed');
      expect(graphql.events[graphql.events.length - 1]).toEqual({ kind: 'DONE', status: 'FAILED', error: { code: 'UNAVAILABLE', message: 'server shutting down' } });

      expect(grpc.messages.some((m) => m['result'] !== undefined)).toBe(false);
      expect(grpcEnd).toEqual({ code: status.UNAVAILABLE, details: 'server shutting down' });
    } finally {
      grpc.close();
    }
  });
});

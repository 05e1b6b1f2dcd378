/**
 * Logs and trace export from the real entry point (dist/main.js), as an operator runs it: JSON lines
 * when stdout is not a terminal, one per gRPC call and GraphQL operation and per websocket connect
 * and disconnect, with the trace id of the span they were written in when the standard OTEL_*
 * variables turn tracing on (spans are sent to a local OTLP/HTTP collector stand-in); pino-pretty
 * lines with AFD_LOG_FORMAT=pretty.
 */
import { credentials, Metadata, type Client, type ServiceError } from '@grpc/grpc-js';
import { createClient } from 'graphql-ws';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { TINY_PRESET } from '../src/model-generator/config/presets';
import { ensureModelDirectory } from '../src/model-generator/ensure-model-directory';
import { loadProtos } from '../src/transports/grpc/grpc-protos';
import { buildEntryPoint, httpJson, startServer, waitUntilServing, type ServerProcess } from './support/server-process';

type Json = Record<string, unknown>;
type UnaryClient = Client & Record<string, (request: unknown, metadata: Metadata, callback: (error: ServiceError | null) => void) => void>;

/** The JSON lines of the output (a line that is not JSON fails the caller). */
function jsonLines(server: ServerProcess): Json[] {
  return server.output
    .join('')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Json);
}

async function eventually<T>(find: () => T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const found = find();
    if (found !== undefined) return found;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`never found: ${what}`);
}

/** Spans an OTLP/HTTP JSON exporter sent: name, trace id and span id. */
interface ExportedSpan {
  readonly name: string;
  readonly traceId: string;
  readonly spanId: string;
}

const BASE_ENV = {
  AFD_ALLOW_OPEN: 'true',
  AFD_OPEN_TIER: 'internal',
  AFD_API_KEYS: '',
  AFD_API_KEYS_FILE: '',
  AFD_JOBS: 'local',
  AFD_REDIS_URL: '',
  AFD_GPU_SAMPLE_SECONDS: '0',
  AFD_METRICS_PORT: '0',
  AFD_LOG_LEVEL: 'log',
  AFD_SHUTDOWN_GRACE_SECONDS: '1',
};

describe('operations: logs and trace export of dist/main.js', () => {
  let dir: string;
  let registry: string;
  const servers: ServerProcess[] = [];

  beforeAll(() => {
    buildEntryPoint();
    dir = mkdtempSync(join(tmpdir(), 'afd-ops-'));
    registry = join(dir, 'registry.json');
    writeFileSync(registry, JSON.stringify({ checkpoints: [{ id: 'tiny', path: ensureModelDirectory(TINY_PRESET), default: true, pinned: true }] }));
  }, 180_000);
  afterAll(() => {
    for (const server of servers) if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  describe('JSON lines (stdout is a pipe), tracing on through OTEL_EXPORTER_OTLP_ENDPOINT', () => {
    let server: ServerProcess;
    let collector: Server;
    const spans: ExportedSpan[] = [];

    beforeAll(async () => {
      // A stand-in OTLP/HTTP collector: what the SDK's JSON exporter posts to /v1/traces.
      collector = createServer((request, response) => {
        let body = '';
        request.on('data', (chunk: Buffer) => (body += chunk.toString()));
        request.on('end', () => {
          if (request.url === '/v1/traces') {
            const payload = JSON.parse(body) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: ExportedSpan[] }> }> };
            for (const resource of payload.resourceSpans) for (const scope of resource.scopeSpans) spans.push(...scope.spans);
          }
          response.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
        });
      });
      await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
      const { port } = collector.address() as AddressInfo;
      server = await startServer({
        ...BASE_ENV,
        AFD_REGISTRY: registry,
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_BSP_SCHEDULE_DELAY: '100',
      });
      servers.push(server);
      await waitUntilServing(server.httpPort);
    }, 120_000);
    afterAll(async () => {
      server.child.kill('SIGTERM');
      expect(await server.exited).toEqual({ code: 0, signal: null });
      await new Promise<void>((resolve) => collector.close(() => resolve()));
    });

    it('writes one line per gRPC call, with its method, status, duration and the trace id of its exported span', async () => {
      const diffusion = new (loadProtos().diffusion)(`127.0.0.1:${server.grpcPort}`, credentials.createInsecure()) as unknown as UnaryClient;
      await new Promise<void>((resolve, reject) => diffusion['ListCheckpoints']?.call(diffusion, {}, new Metadata(), (error) => (error ? reject(error) : resolve())));
      const notFound = await new Promise<ServiceError | null>((resolve) => diffusion['GetGeneration']?.call(diffusion, { id: 'zq-missing' }, new Metadata(), resolve));
      expect(notFound?.code).toBe(5);
      diffusion.close();
      const grpcLine = (method: string) => jsonLines(server).find((l) => (l['grpc'] as Json | undefined)?.['method'] === method);
      const ok = await eventually(() => grpcLine('/afrofashion.v1.DiffusionService/ListCheckpoints'), 'the ListCheckpoints line');
      expect(ok).toMatchObject({ level: 30, msg: 'gRPC call completed', context: 'GrpcServer', grpc: { status: 'OK', durationMs: expect.any(Number) }, trace_id: expect.stringMatching(/^[0-9a-f]{32}$/), span_id: expect.stringMatching(/^[0-9a-f]{16}$/) });
      expect(await eventually(() => grpcLine('/afrofashion.v1.DiffusionService/GetGeneration'), 'the GetGeneration line')).toMatchObject({ grpc: { status: 'NOT_FOUND' } });
      const exported = await eventually(() => spans.find((s) => s.traceId === ok['trace_id']), 'the exported span of the logged trace');
      expect(exported).toMatchObject({ name: 'afrofashion.v1.DiffusionService/ListCheckpoints', spanId: ok['span_id'] });
    });

    it('writes one line per GraphQL operation: operation, name, status (with the error code) and duration', async () => {
      expect((await httpJson(server.httpPort, 'POST', '/graphql', { query: 'query Shelf { checkpoints { id } }', operationName: 'Shelf' })).status).toBe(200);
      await httpJson(server.httpPort, 'POST', '/graphql', { query: '{ zqNoSuchField }' });
      const lines = () => jsonLines(server).filter((l) => l['msg'] === 'GraphQL operation completed');
      await eventually(() => (lines().length >= 2 ? true : undefined), 'two GraphQL lines');
      expect(lines().map((l) => l['graphql'])).toEqual([
        { operation: 'query checkpoints', operationName: 'Shelf', status: 'ok', durationMs: expect.any(Number) },
        { operation: 'invalid', status: 'error', code: 'GRAPHQL_VALIDATION_FAILED', durationMs: expect.any(Number) },
      ]);
      expect(lines()[0]).toMatchObject({ context: 'GraphQL', trace_id: expect.stringMatching(/^[0-9a-f]{32}$/) });
    });

    it('writes a line when a websocket connects, per operation on it, and when it disconnects', async () => {
      const started = await httpJson(server.httpPort, 'POST', '/v1/generations', { prompt: 'zq-ws-probe kente', width: 64, height: 64, steps: 2, seed: 5 }, { Prefer: 'respond-async' });
      const client = createClient({ url: `ws://127.0.0.1:${server.httpPort}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0, lazy: false });
      await new Promise<void>((resolve) => client.on('connected', () => resolve()));
      const query = 'subscription Progress($id: ID!) { generationEvents(id: $id) { kind status } }';
      const run = async (id: string) => {
        try {
          for await (const message of client.iterate({ query, variables: { id }, operationName: 'Progress' })) void message;
        } catch {
          // The unknown id's errors end the iteration.
        }
      };
      await run(String(started.body['id']));
      await run('zq-no-such-generation');
      await client.dispose();
      const operations = () => jsonLines(server).flatMap((l) => ((l['graphql'] as Json | undefined)?.['transport'] === 'websocket' ? [l['graphql'] as Json] : []));
      await eventually(() => (operations().length >= 2 ? true : undefined), 'two websocket operation lines');
      expect(operations()).toEqual([
        { operation: 'subscription generationEvents', operationName: 'Progress', transport: 'websocket', status: 'ok', durationMs: expect.any(Number) },
        { operation: 'subscription generationEvents', operationName: 'Progress', transport: 'websocket', status: 'error', code: 'NOT_FOUND', durationMs: expect.any(Number) },
      ]);
      const websocket = () => jsonLines(server).flatMap((l) => (l['websocket'] ? [l['websocket'] as Json] : []));
      await eventually(() => (websocket().length >= 2 ? true : undefined), 'two websocket lines');
      expect(websocket()).toEqual([
        { event: 'connected', remoteAddress: '127.0.0.1', protocol: 'graphql-transport-ws' },
        { event: 'disconnected', remoteAddress: '127.0.0.1', client: 'ip:127.0.0.1', code: 1000, reason: 'Normal Closure', durationMs: expect.any(Number) },
      ]);
    });
  });

  it('writes pino-pretty lines with AFD_LOG_FORMAT=pretty', async () => {
    const server = await startServer({ ...BASE_ENV, AFD_REGISTRY: registry, AFD_LOG_FORMAT: 'pretty' });
    servers.push(server);
    server.child.kill('SIGTERM');
    expect(await server.exited).toEqual({ code: 0, signal: null });
    const lines = server.output.join('').split('\n').filter((l) => l.trim() !== '');
    expect(lines.filter((l) => l.startsWith('{'))).toEqual([]);
    expect(lines.find((l) => l.includes('listening on http://127.0.0.1:'))).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: \(Main\) listening on/);
  }, 60_000);
});

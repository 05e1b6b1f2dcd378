/**
 * `npm run bench:graphql-limits -- [--requests N] [--concurrency C]`:
 * what hostile GraphQL documents cost the process now that they are refused cheaply (issue 13). It
 * starts the real application (open mode) and sends, for each kind of document, N requests with C in
 * flight: a 40-level fragment bomb (2^40 expansions; the old depth limit walked it for days), one
 * nested 2,500 deep (it overflowed the parser's stack) and 10 aliases of `__schema`. Meanwhile it
 * polls GET /health/live and samples the event loop's delay (monitorEventLoopDelay). It prints, per
 * kind, the answers' status and latency (p50, p99) and the probe's and the event loop's p99 and max,
 * after a baseline of valid queries; each kind is sent once unmeasured first (warm-up). Client and
 * server share the process, so the figures include the client's own work: an upper bound.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { UsageError } from './api-benchmark-support';
import { runBenchmarkCli } from './benchmark-cli';
import { loadAppConfig } from '../../config/app-config';
import { createApp } from '../../create-app';

interface Options {
  readonly requests: number;
  readonly concurrency: number;
}

const USAGE = 'usage: npm run bench:graphql-limits -- [--requests N (default 200)] [--concurrency C (default 16)]';

function parseOptions(argv: readonly string[]): Options {
  const options = { requests: 200, concurrency: 16 };
  for (let i = 0; i < argv.length; i += 2) {
    const [name, raw] = [argv[i], argv[i + 1]];
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1) throw new UsageError(`${name}: needs a positive integer, got ${String(raw)}`);
    if (name === '--requests') options.requests = value;
    else if (name === '--concurrency') options.concurrency = value;
    else throw new UsageError(`unknown option ${String(name)}`);
  }
  return options;
}

const bomb = (levels: number): string =>
  `{ ...F0 } ${Array.from({ length: levels }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`).join(' ')} fragment F${levels} on Query { checkpoints { id } }`;

const DOCUMENTS: ReadonlyArray<readonly [string, string]> = [
  ['baseline: a valid query', '{ checkpoints { id label } }'],
  ['40-level fragment bomb', bomb(40)],
  ['brackets nested 2,500 deep', `${'{a'.repeat(2500)}${'}'.repeat(2500)}`],
  ['10 aliases of __schema', `{ ${Array.from({ length: 10 }, (_, i) => `s${i}: __schema { types { name fields { name } } }`).join(' ')} }`],
];

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

const ms = (value: number): string => `${value.toFixed(1)} ms`;

async function run(options: Options): Promise<void> {
  const app = await createApp(loadAppConfig({ ...process.env, PORT: '0', GRPC_PORT: '0', AFD_LOG_LEVEL: 'error', AFD_API_KEYS: '', AFD_API_KEYS_FILE: '', AFD_ALLOW_OPEN: 'true', AFD_OPEN_TIER: 'internal', AFD_REDIS_URL: '' }));
  try {
    await app.listen(0, '127.0.0.1');
    const base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    const post = (query: string) => fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
    for (const [, query] of DOCUMENTS) for (let i = 0; i < 10; i++) await (await post(query)).arrayBuffer();
    for (const [label, query] of DOCUMENTS) {
      const statuses = new Map<number, number>();
      const latencies: number[] = [];
      const probes: number[] = [];
      const loop = monitorEventLoopDelay({ resolution: 1 });
      loop.enable();
      let sending = true;
      const probing = (async () => {
        while (sending) {
          const started = performance.now();
          const res = await fetch(`${base}/health/live`);
          await res.arrayBuffer();
          if (res.status !== 200) throw new Error(`/health/live answered ${res.status}`);
          probes.push(performance.now() - started);
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      })();
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next++ < options.requests) {
          const started = performance.now();
          const res = await post(query);
          await res.arrayBuffer();
          latencies.push(performance.now() - started);
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        }
      };
      await Promise.all(Array.from({ length: options.concurrency }, worker));
      sending = false;
      await probing;
      loop.disable();
      latencies.sort((a, b) => a - b);
      probes.sort((a, b) => a - b);
      console.log(
        `${label}: ${[...statuses].map(([status, count]) => `${count}× ${status}`).join(', ')}; answered in p50 ${ms(percentile(latencies, 50))}, p99 ${ms(percentile(latencies, 99))}` +
          `; /health/live (${probes.length} probes) p99 ${ms(percentile(probes, 99))}, max ${ms(probes.at(-1) ?? NaN)}` +
          `; event loop delay p99 ${ms(loop.percentile(99) / 1e6)}, max ${ms(loop.max / 1e6)}`,
      );
    }
    console.log(`reproduce with: npm run bench:graphql-limits -- --requests ${options.requests} --concurrency ${options.concurrency}`);
  } finally {
    await app.close();
  }
}

runBenchmarkCli('graphql-limits-benchmark', USAGE, parseOptions, run);

/**
 * Cold start of the real server process: the time from spawning `node dist/main.js` until
 * `/health/ready` answers 200 (the default checkpoint loaded and warmed up by a 64×64 one-step
 * generation), then the time an administrator's `POST /v1/checkpoints/{id}/load` takes to make a
 * second checkpoint resident. `measureColdStart` is what `bench:real` calls; `bench:cold-start`
 * runs it three times: the optimised-graph cache off, on with no entries (it writes them), on again
 * (it reuses them).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { generateApiKey, hashApiKey } from '../../auth/api-keys';
import { OPTIMIZED_CACHE_FOLDER } from '../../engine/model/optimized-model-cache';
import { nowMs } from './timing';

export interface ColdStartOptions {
  /** The default checkpoint: loaded and warmed up before the server is ready. */
  readonly modelDir: string;
  /** A checkpoint loaded on demand once the server is ready (not measured when absent). */
  readonly secondModelDir?: string;
  /** AFD_ONNX_CACHE for the server. */
  readonly cache: 'on' | 'off';
  /** AFD_ONNX_CACHE_DIR (where entries go when a component folder is read-only). */
  readonly cacheDir?: string;
  /** The server's entry point; default this repository's dist/main.js. */
  readonly mainPath?: string;
  /** Extra environment for the server (AFD_… settings). */
  readonly env?: Readonly<Record<string, string>>;
  /** Give up after this long; default 10 minutes. */
  readonly timeoutMs?: number;
}

export interface ColdStartResult {
  readonly cache: 'on' | 'off';
  /** Spawn to the HTTP listener logging its port. */
  readonly listeningMs: number;
  /** Spawn to the first 200 from /health/ready. */
  readonly readyMs: number;
  /** The second checkpoint's load call, when one was given. */
  readonly secondLoadMs?: number;
}

const POLL_MS = 50;

export async function measureColdStart(options: ColdStartOptions): Promise<ColdStartResult> {
  const work = mkdtempSync(join(tmpdir(), 'afd-cold-start-'));
  const apiKey = generateApiKey();
  const registry = join(work, 'registry.json');
  const checkpoints = [{ id: 'first', path: resolve(options.modelDir), default: true }];
  if (options.secondModelDir !== undefined) checkpoints.push({ id: 'second', path: resolve(options.secondModelDir), default: false });
  writeFileSync(registry, JSON.stringify({ checkpoints }));
  const keys = { tiers: { unlimited: { generations: 1e9, reads: 1e9 } }, keys: [{ name: 'cold-start', tier: 'unlimited', roles: ['admin'], sha256: hashApiKey(apiKey) }] };
  const env = {
    ...process.env,
    HOST: '127.0.0.1',
    PORT: '0',
    GRPC_PORT: '0',
    AFD_REGISTRY: registry,
    AFD_API_KEYS: JSON.stringify(keys),
    AFD_API_KEYS_FILE: '',
    AFD_ALLOW_OPEN: 'false',
    AFD_REDIS_URL: '',
    AFD_JOBS: 'local',
    AFD_GPU_SAMPLE_SECONDS: '0',
    AFD_LOG_FORMAT: 'json',
    AFD_ONNX_CACHE: options.cache,
    ...(options.cacheDir !== undefined ? { AFD_ONNX_CACHE_DIR: options.cacheDir } : {}),
    ...options.env,
  };
  const deadline = nowMs() + (options.timeoutMs ?? 600_000);
  const started = nowMs();
  const child = spawn(process.execPath, [options.mainPath ?? resolve(__dirname, '..', '..', 'main.js')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  let exit: string | undefined;
  child.once('exit', (code, signal) => (exit = `exited (code ${code}, signal ${signal})`));
  let port: number | undefined;
  let listeningMs = 0;
  const onData = (chunk: Buffer): void => {
    const text = chunk.toString();
    output.push(text);
    const found = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(text)?.[1];
    if (port === undefined && found !== undefined) {
      port = Number(found);
      listeningMs = nowMs() - started;
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const fail = (why: string): Error => new Error(`cold start: the server ${why}\n${output.join('').slice(-4000)}`);
  try {
    let readyMs: number | undefined;
    while (readyMs === undefined) {
      if (exit !== undefined) throw fail(exit);
      if (nowMs() > deadline) throw fail('was not ready in time');
      if (port !== undefined && (await status(port, '/health/ready')) === 200) readyMs = nowMs() - started;
      else await sleep(POLL_MS);
    }
    let secondLoadMs: number | undefined;
    if (options.secondModelDir !== undefined) {
      const before = nowMs();
      const answer = await fetch(`http://127.0.0.1:${port}/v1/checkpoints/second/load`, { method: 'POST', headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json' }, body: '{}' });
      if (answer.status !== 200) throw fail(`refused to load the second checkpoint (${answer.status}: ${await answer.text()})`);
      secondLoadMs = nowMs() - before;
    }
    return { cache: options.cache, listeningMs, readyMs, ...(secondLoadMs !== undefined ? { secondLoadMs } : {}) };
  } finally {
    await stop(child);
    rmSync(work, { recursive: true, force: true });
  }
}

/** Removes the optimised-graph entries written beside the components of `checkpointDir`. */
export function clearOptimizedCache(checkpointDir: string): void {
  for (const component of readdirSync(checkpointDir)) {
    const folder = join(checkpointDir, component, OPTIMIZED_CACHE_FOLDER);
    if (existsSync(folder)) rmSync(folder, { recursive: true, force: true });
  }
}

async function status(port: number, path: string): Promise<number> {
  try {
    return (await fetch(`http://127.0.0.1:${port}${path}`)).status;
  } catch {
    return 0; // not answering yet
  }
}

function stop(child: ReturnType<typeof spawn>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('exit', () => {
      clearTimeout(force);
      done();
    });
    child.kill('SIGTERM');
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

/**
 * `npm run bench:cold-start -- --model DIR [--second DIR] [--runs N]`: the server's time to ready
 * with DIR as its default checkpoint, and the time to load a second checkpoint on demand, with the
 * optimised-graph cache off, on with no entries (the start writes them: DIR's entries are removed
 * first) and on again (reused). Medians over N runs (default 1); writes bench-results/cold-start.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { UsageError } from './api-benchmark-support';
import { runBenchmarkCli } from './benchmark-cli';
import { clearOptimizedCache, measureColdStart, type ColdStartResult } from './cold-start';
import { median } from './timing';

const USAGE = 'usage: npm run bench:cold-start -- --model DIR [--second DIR] [--runs N]';

interface Options {
  readonly model: string;
  readonly second?: string;
  readonly runs: number;
}

function parse(argv: readonly string[]): Options {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i] as string;
    const value = argv[i + 1];
    if (!['--model', '--second', '--runs'].includes(name)) throw new UsageError(`unknown option ${name}`);
    if (value === undefined) throw new UsageError(`${name} needs a value`);
    values.set(name, value);
  }
  const model = values.get('--model');
  if (model === undefined) throw new UsageError('--model is required');
  const runs = Number(values.get('--runs') ?? '1');
  if (!Number.isInteger(runs) || runs < 1 || runs > 20) throw new UsageError('--runs must be an integer from 1 to 20');
  const second = values.get('--second');
  return { model, runs, ...(second !== undefined ? { second } : {}) };
}

type Scenario = 'cache off' | 'cache on, writing' | 'cache on, reusing';

async function run(options: Options): Promise<void> {
  const cacheDir = mkdtempSync(join(tmpdir(), 'afd-cold-start-cache-'));
  const dirs = [options.model, ...(options.second !== undefined ? [options.second] : [])];
  const results: Record<Scenario, ColdStartResult[]> = { 'cache off': [], 'cache on, writing': [], 'cache on, reusing': [] };
  const base = { modelDir: options.model, cacheDir, ...(options.second !== undefined ? { secondModelDir: options.second } : {}) };
  try {
    for (let i = 0; i < options.runs; i++) {
      results['cache off'].push(await measureColdStart({ ...base, cache: 'off' }));
      for (const dir of dirs) clearOptimizedCache(dir);
      rmSync(cacheDir, { recursive: true, force: true });
      results['cache on, writing'].push(await measureColdStart({ ...base, cache: 'on' }));
      results['cache on, reusing'].push(await measureColdStart({ ...base, cache: 'on' }));
    }
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
  const report = Object.entries(results).map(([scenario, runs]) => ({
    scenario,
    runs: runs.length,
    readyMs: Math.round(median(runs.map((r) => r.readyMs))),
    listeningMs: Math.round(median(runs.map((r) => r.listeningMs))),
    ...(options.second !== undefined ? { secondLoadMs: Math.round(median(runs.map((r) => r.secondLoadMs ?? 0))) } : {}),
  }));
  console.log(`cold start of dist/main.js, default checkpoint ${options.model}${options.second !== undefined ? `, second ${options.second}` : ''} (medians of ${options.runs})`);
  console.table(report);
  const out = resolve(__dirname, '..', '..', '..', 'bench-results');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'cold-start.json'), `${JSON.stringify({ model: options.model, second: options.second, report }, null, 2)}\n`);
}

runBenchmarkCli('bench:cold-start', USAGE, parse, run);

/**
 * `npm run bench:real [-- --model DIR --sizes 512,768 --steps 20]`: a real-size model's cost, per
 * phase — session creation per component, text encoder, each UNet step, VAE decode, PNG — in time
 * and peak resident memory, and the peak's ratio to the weights' bytes. Without --model it
 * generates (once) and uses the sd15-shaped preset: Stable Diffusion 1.5's dimensions, random
 * weights, about 4.1 GB. Each size runs in a fresh process. Prints the figures and writes a JSON
 * report (bench-results/real-<time>.json, or --out FILE).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { RuntimeOptions } from '../../engine/runtime/onnx-runtime';
import { SD15_SHAPED_PRESET } from '../../model-generator/config/presets';
import { ensureModelDirectory } from '../../model-generator/ensure-model-directory';
import { REPORT_PREFIX } from './real-model/real-model-child';
import { formatRun, type RealRunReport } from './real-model/real-model-report';
import type { RealRunOptions } from './real-model/real-model-run';

const USAGE = `usage: npm run bench:real -- [--model DIR] [--sizes 512,768] [--steps 20] [--guidance 7.5]
  [--intra-op N] [--arena on|off] [--mem-pattern on|off] [--spinning on|off]
  [--sliced-attention on|off] [--vae-tiling auto|on|off] [--cache on|off] [--out FILE]`;

function onOff(name: string, value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  if (value !== 'on' && value !== 'off') throw new Error(`--${name} must be on or off, got ${value}`);
  return value === 'on';
}

function main(): number {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    strict: true,
    options: {
      model: { type: 'string' },
      sizes: { type: 'string', default: '512,768' },
      steps: { type: 'string', default: '20' },
      guidance: { type: 'string', default: '7.5' },
      'intra-op': { type: 'string' },
      arena: { type: 'string' },
      'mem-pattern': { type: 'string' },
      spinning: { type: 'string' },
      'sliced-attention': { type: 'string' },
      'vae-tiling': { type: 'string', default: 'auto' },
      cache: { type: 'string', default: 'on' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const sizes = values.sizes.split(',').map((s) => Number(s.trim()));
  if (sizes.some((s) => !Number.isInteger(s) || s < 64 || s % 64 !== 0)) throw new Error(`--sizes must be multiples of 64, got ${values.sizes}`);
  const modelDir = values.model !== undefined ? resolve(values.model) : ensureModelDirectory(SD15_SHAPED_PRESET);
  const cpuArena = onOff('arena', values.arena);
  const memoryPattern = onOff('mem-pattern', values['mem-pattern']);
  const spinning = onOff('spinning', values.spinning);
  const slicedAttention = onOff('sliced-attention', values['sliced-attention']);
  const runtime: { -readonly [K in keyof RuntimeOptions]: RuntimeOptions[K] } = {
    device: 'cpu',
    ...(values['intra-op'] !== undefined ? { intraOpThreads: Number(values['intra-op']) } : {}),
    ...(cpuArena !== undefined ? { cpuArena } : {}),
    ...(memoryPattern !== undefined ? { memoryPattern } : {}),
    ...(spinning !== undefined ? { spinning } : {}),
    ...(slicedAttention !== undefined ? { slicedAttention } : {}),
  };
  const tiling = values['vae-tiling'];
  if (tiling !== 'auto' && tiling !== 'on' && tiling !== 'off') throw new Error(`--vae-tiling must be auto, on or off, got ${tiling}`);
  const tileAbovePixels = tiling === 'on' ? 0 : tiling === 'off' ? Number.MAX_SAFE_INTEGER : undefined;
  if (onOff('cache', values.cache)) runtime.optimizedModelCache = { fallbackDir: join(tmpdir(), 'afd-onnx-cache') };
  const child = join(__dirname, 'real-model', 'real-model-child.js');
  const runs: RealRunReport[] = [];
  console.log(`bench:real on ${modelDir}`);
  for (const size of sizes) {
    const options: RealRunOptions = { modelDir, size, steps: Number(values.steps), guidance: Number(values.guidance), runtime, ...(tileAbovePixels !== undefined ? { tileAbovePixels } : {}) };
    const result = spawnSync(process.execPath, [child, JSON.stringify(options)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 16 * 1024 * 1024 });
    const line = result.stdout.split('\n').find((l) => l.startsWith(REPORT_PREFIX));
    if (result.status !== 0 || line === undefined) {
      console.error(`size ${size}: the measuring process failed (exit ${result.status ?? result.signal})`);
      return 1;
    }
    const run = JSON.parse(line.slice(REPORT_PREFIX.length)) as RealRunReport;
    runs.push(run);
    for (const text of formatRun(run)) console.log(text);
  }
  const out = resolve(values.out ?? join('bench-results', `real-${new Date().toISOString().replace(/[:.]/g, '-')}.json`));
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ modelDir, node: process.version, cpus: cpus().length, runs }, null, 2)}\n`);
  console.log(`\nreport: ${out}`);
  console.log(`reproduce with: npm run bench:real -- ${process.argv.slice(2).join(' ')}`.trimEnd());
  return 0;
}

process.exitCode = main();

/**
 * The layers of docs/DESIGN.md, enforced: dependency-cruiser checks src/ against
 * .dependency-cruiser.cjs (imports point down, no folder cycle, nothing imports devtools/). The
 * same rules run over a small fixture tree with one upward import per rule, so a rule that stops
 * catching anything fails here too. dependency-cruiser is ESM-only, hence the child process.
 */
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');
const CONFIG = join(ROOT, '.dependency-cruiser.cjs');
const CLI = join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');

interface Violation {
  readonly from: string;
  readonly to: string;
  readonly rule: { readonly name: string };
}

/** Cruises `src` under `cwd` with the project's rules; returns the violations as `rule: from → to`. */
function violations(cwd: string): string[] {
  const run = spawnSync(process.execPath, [CLI, '--config', CONFIG, 'src', '--output-type', 'json'], { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (!run.stdout) throw new Error(`dependency-cruiser printed nothing (exit ${run.status}): ${run.stderr}`);
  const result = JSON.parse(run.stdout) as { summary: { violations: Violation[]; totalCruised: number } };
  expect(result.summary.totalCruised).toBeGreaterThan(0);
  return result.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`).sort();
}

describe('layering (dependency-cruiser, .dependency-cruiser.cjs)', () => {
  it('src/ breaks no layer rule and has no folder cycle', () => {
    expect(violations(ROOT)).toEqual([]);
  });

  it('reports each upward import in a fixture tree, and nothing else', () => {
    expect(violations(join(ROOT, 'test', 'fixtures', 'layering'))).toEqual(
      [
        'engine-is-a-library: src/engine/engine-upward.ts → src/transports/rest/error-filter.ts',
        'no-folder-cycle: src/engine → src/transports/rest',
        'no-folder-cycle: src/transports/rest → src/engine',
        'nothing-imports-devtools: src/generation/generation-upward.ts → src/devtools/benchmarks/bench.ts',
        'observability-imports-no-transport: src/observability/metrics/metrics-upward.ts → src/transports/grpc/handlers.ts',
        'pool-worker-not-main: src/pool/worker/worker-upward.ts → src/pool/main/inference-pool.ts',
      ].sort(),
    );
  });
});

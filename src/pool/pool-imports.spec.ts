import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** Modules loaded at run time from `entries`, following relative value imports (type-only imports load nothing). */
function runtimeImports(entries: readonly string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const pending = [...entries];
  while (pending.length > 0) {
    const file = pending.pop() as string;
    if (graph.has(file)) continue;
    const source = readFileSync(file, 'utf8');
    const specifiers = [...source.matchAll(/^(import|export)\s([^;]*?)from\s+'([^']+)'/gms)]
      .filter((m) => !/^type\s/.test(m[2] as string))
      .map((m) => m[3] as string);
    graph.set(file, specifiers);
    for (const s of specifiers) {
      if (!s.startsWith('.')) continue;
      const base = resolve(dirname(file), s);
      pending.push(readdirSync(dirname(base)).includes(`${base.split('/').pop()}.ts`) ? `${base}.ts` : join(base, 'index.ts'));
    }
  }
  return graph;
}

describe('pool dependencies', () => {
  it('the main thread never loads onnxruntime (sessions live in the workers) nor NestJS', () => {
    const graph = runtimeImports([join(__dirname, 'index.ts')]);
    expect(graph.size).toBeGreaterThan(10);
    const files = [...graph.keys()].map((f) => f.slice(resolve(__dirname, '..').length + 1));
    expect(files).not.toContain('engine/runtime/onnx-runtime.ts');
    expect(files).not.toContain('pool/worker/device-runtime.ts');
    const packages = new Set([...graph.values()].flat().filter((s) => !s.startsWith('.')));
    expect([...packages].filter((p) => p.includes('onnxruntime') || p.startsWith('@nestjs'))).toEqual([]);
  });

  it('the worker entry reaches onnxruntime only through the engine wrapper', () => {
    const graph = runtimeImports([join(__dirname, 'worker', 'device-worker-main.ts')]);
    const importers = [...graph].filter(([, specs]) => specs.includes('onnxruntime-node')).map(([file]) => file.slice(resolve(__dirname, '..').length + 1));
    expect(importers).toEqual(['engine/runtime/onnx-runtime.ts']);
  });

  it('no pool module imports NestJS', () => {
    const names = readdirSync(__dirname, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    expect(names.length).toBeGreaterThan(30);
    for (const name of names) {
      expect(readFileSync(join(__dirname, name), 'utf8')).not.toMatch(/from '@nestjs\//);
    }
  });
});

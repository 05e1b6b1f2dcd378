import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** Every module the inspector loads, following relative imports from index.ts and the CLI wrapper. */
function importGraph(entries: readonly string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const pending = [...entries];
  while (pending.length > 0) {
    const file = pending.pop() as string;
    if (graph.has(file)) continue;
    const source = readFileSync(file, 'utf8');
    const specifiers = [...source.matchAll(/^(?:import|export)\s[^;]*?from\s+'([^']+)'/gms)].map((m) => m[1] as string);
    graph.set(file, specifiers);
    for (const s of specifiers) if (s.startsWith('.')) pending.push(`${resolve(dirname(file), s)}.ts`);
  }
  return graph;
}

describe('model-check dependencies', () => {
  it('never loads onnxruntime-node (protobuf decoding only)', () => {
    const graph = importGraph([join(__dirname, 'index.ts'), join(__dirname, '..', 'tools', 'check-models.ts')]);
    expect(graph.size).toBeGreaterThan(10);
    const packages = new Set([...graph.values()].flat().filter((s) => !s.startsWith('.')));
    expect(packages.has('onnxruntime-node')).toBe(false);
    // Node built-ins and the protobuf decoder (`long` is a type-only import of onnx-proto.ts).
    for (const name of packages) expect(['node:fs', 'node:path', 'node:util', 'protobufjs', 'long']).toContain(name);
  });
});

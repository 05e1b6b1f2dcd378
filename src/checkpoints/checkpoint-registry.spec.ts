import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { embeddedRegistry, loadRegistry } from './checkpoint-registry';

describe('checkpoint registry', () => {
  const dir = mkdtempSync(join(tmpdir(), 'afd-registry-'));
  const write = (value: unknown): string => {
    const file = join(dir, `r${Math.random()}.json`);
    writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
    return file;
  };

  it('embeds the demo release: baseline and five fine-tunes, final pinned and default', () => {
    const registry = embeddedRegistry();
    expect(registry.map((c) => c.trainingStep)).toEqual([0, 20000, 40000, 60000, 80000, 100000]);
    expect(registry.filter((c) => c.default).map((c) => c.id)).toEqual(['final']);
  });

  it('reads a file, resolving paths relative to it and defaulting the first entry', () => {
    const registry = loadRegistry(write({ checkpoints: [{ id: 'sd14', path: '.', label: 'SD 1.4' }, { id: 'ft-20k', path: '.', trainingStep: 20000 }] }));
    expect(registry.map((c) => [c.id, c.path, c.default])).toEqual([
      ['sd14', dir, true],
      ['ft-20k', dir, false],
    ]);
  });

  it.each([
    ['{', /cannot be read as JSON/],
    [{ checkpoints: [] }, /non-empty "checkpoints" array/],
    [{ checkpoints: [{ id: 'Bad Id', path: '.' }] }, /checkpoints\[0\]\.id: must be 1-64 lowercase/],
    [{ checkpoints: [{ id: 'a', path: 'missing-dir' }] }, /checkpoints\[0\]\.path: .* does not exist/],
    [{ checkpoints: [{ id: 'a', path: '.', trainingStep: -1 }] }, /trainingStep: must be a non-negative integer/],
    [{ checkpoints: [{ id: 'a', path: '.' }, { id: 'a', path: '.' }] }, /"a" appears twice/],
    [{ checkpoints: [{ id: 'a', path: '.', default: true }, { id: 'b', path: '.', default: true }] }, /at most one checkpoint may be the default/],
  ])('refuses %j naming the place and the rule', (content, message) => {
    expect(() => loadRegistry(write(content))).toThrow(message);
  });
});

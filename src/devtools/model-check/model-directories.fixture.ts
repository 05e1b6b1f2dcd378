/**
 * Test fixtures: generated tiny model directories, and ways to break a copy of one on purpose.
 * Used by the specs beside this file.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModelConfig } from '../../model-generator/config/model-config';
import { TINY_PRESET } from '../../model-generator/config/presets';
import { decodeModel, encodeModel, type ModelMessage } from '../../model-generator/onnx/onnx-proto';
import { writeModelDirectory } from '../../model-generator/write-model-directory';

export const FIXTURE_CONFIGS = {
  tiny: TINY_PRESET,
  fp16External: { ...TINY_PRESET, dtype: 'float16', timestep: 'int64-batch', unetExternalData: true, withVaeEncoder: true },
  scalar: { ...TINY_PRESET, timestep: 'float-scalar' },
} as const satisfies Record<string, ModelConfig>;

export type FixtureName = keyof typeof FIXTURE_CONFIGS;

/** Generates model directories under one temporary root, each at most once. */
export class FixtureDirectories {
  readonly root = mkdtempSync(join(tmpdir(), 'afd-model-check-'));
  private copies = 0;

  clean(name: FixtureName): string {
    return writeModelDirectory(FIXTURE_CONFIGS[name], join(this.root, name)).dir;
  }

  /** A private copy of a clean directory, to break. */
  copy(name: FixtureName): string {
    const dir = join(this.root, `broken-${this.copies++}`);
    cpSync(this.clean(name), dir, { recursive: true });
    return dir;
  }
}

/** Decodes `dir/file`, lets `edit` change the model, and writes it back. */
export function rewriteModel(dir: string, file: string, edit: (model: ModelMessage) => void): void {
  const path = join(dir, file);
  const model = decodeModel(readFileSync(path));
  edit(model);
  writeFileSync(path, encodeModel(model));
}

/** Renames graph input `from` to `to`, in the nodes that read it as well. */
export function renameInput(model: ModelMessage, from: string, to: string): void {
  const graph = model.graph;
  if (!graph) throw new Error('model has no graph');
  for (const input of graph.input) if (input.name === from) input.name = to;
  for (const node of graph.node) node.input = node.input.map((name) => (name === from ? to : name));
}

/** Keeps the first `fraction` of a file. */
export function truncateFile(dir: string, file: string, fraction: number): void {
  const path = join(dir, file);
  const bytes = readFileSync(path);
  writeFileSync(path, bytes.subarray(0, Math.floor(bytes.length * fraction)));
}

/**
 * What the pool knows about each checkpoint before any worker starts: its directory is read and
 * checked (a broken one stops the start with a message naming the file), and each component folder
 * is hashed (its content address) and measured (its memory cost: the folder's file sizes).
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { hashComponent } from '../engine/model/content-hash';
import { COMPONENTS, readModelDirectory, type ComponentName } from '../engine/model/model-directory';
import type { CheckpointConfig } from './pool-config';
import type { CheckpointSpec, ComponentSpec } from './protocol';

export async function describeCheckpoint(config: Required<CheckpointConfig>): Promise<CheckpointSpec> {
  const directory = readModelDirectory(config.dir);
  const components = {} as Record<ComponentName, ComponentSpec>;
  for (const kind of COMPONENTS) {
    const folder = join(config.dir, kind);
    components[kind] = { kind, hash: await hashComponent(folder), bytes: folderBytes(folder), graphPath: directory.graphs[kind] };
  }
  return { id: config.id, dir: config.dir, pinned: config.pinned, components, tokenizerHash: await hashComponent(join(config.dir, 'tokenizer')) };
}

/** Sum of the sizes of the files directly in `folder` (the same files the content hash covers). */
export function folderBytes(folder: string): number {
  let total = 0;
  for (const name of readdirSync(folder)) {
    const stat = statSync(join(folder, name));
    if (stat.isFile()) total += stat.size;
  }
  return total;
}

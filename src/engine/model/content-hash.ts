/**
 * Content hashes of model components: sha256 over every file of a component folder (graph and
 * external weights), names included, in name order. Identical components in different checkpoints
 * get the same hash, which is how they are shared and how images name the checkpoint they came from.
 */
import { createHash } from 'node:crypto';
import { createReadStream, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export async function hashComponent(componentDir: string): Promise<string> {
  const hash = createHash('sha256');
  const files = readdirSync(componentDir)
    .filter((name) => statSync(join(componentDir, name)).isFile())
    .sort();
  for (const name of files) {
    hash.update(`${name}\0${statSync(join(componentDir, name)).size}\0`);
    for await (const chunk of createReadStream(join(componentDir, name), { highWaterMark: 4 << 20 })) hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
}

/**
 * Test fixture: a copy of a generated model directory whose UNet weights file (external data,
 * `unet/weights.pb`) is overwritten with float32 NaN, the way a bad copy or random bytes in a
 * weights file leave a model that onnxruntime still loads and runs, but that answers NaN.
 */
import { cpSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CorruptCopy {
  readonly dir: string;
  remove(): void;
}

/** `source` must have been generated with `unetExternalData: true`. */
export function copyWithNaNUnetWeights(source: string): CorruptCopy {
  const root = mkdtempSync(join(tmpdir(), 'afd-corrupt-'));
  const dir = join(root, 'checkpoint');
  cpSync(source, dir, { recursive: true });
  const weights = join(dir, 'unet', 'weights.pb');
  if (!existsSync(weights)) throw new Error(`${source} has no unet/weights.pb; generate it with unetExternalData: true`);
  writeFileSync(weights, nanBytes(statSync(weights).size));
  return { dir, remove: () => rmSync(root, { recursive: true, force: true }) };
}

/** `size` bytes of little-endian float32 quiet NaN (the same size keeps every tensor's offset valid). */
function nanBytes(size: number): Buffer {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i + 4 <= size; i += 4) bytes.writeFloatLE(Number.NaN, i);
  return bytes;
}

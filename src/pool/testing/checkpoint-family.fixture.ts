/**
 * Test fixture: a family of checkpoint directories that differ only in their UNet, like the Afro
 * Fashion fine-tunes. Member i is the tiny preset (seed 0) with the `unet/` folder of the tiny
 * preset generated with seed `firstSeed + i`; text encoder, VAE, tokenizer and scheduler are
 * byte-identical copies, so their content hashes are equal.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TINY_PRESET } from '../../model-generator/config/presets';
import type { ModelConfig } from '../../model-generator/config/model-config';
import { ensureModelDirectory } from '../../model-generator/ensure-model-directory';

export interface CheckpointFamily {
  readonly root: string;
  /** One directory per member. */
  readonly dirs: readonly string[];
  remove(): void;
}

export interface FamilyOptions {
  /** UNet seed of the first member (default 0: the base preset itself); members count up from it. */
  readonly firstSeed?: number;
  /** Applied to the base and to every UNet's config (e.g. `{ timestep: 'float-scalar' }`). */
  readonly overrides?: Partial<ModelConfig>;
}

export function makeCheckpointFamily(size: number, options: FamilyOptions = {}): CheckpointFamily {
  const overrides = options.overrides ?? {};
  const firstSeed = options.firstSeed ?? 0;
  const base = ensureModelDirectory({ ...TINY_PRESET, ...overrides, seed: 0 });
  const root = mkdtempSync(join(tmpdir(), 'afd-family-'));
  const dirs = Array.from({ length: size }, (_, i) => {
    const dir = join(root, `checkpoint-${i}`);
    cpSync(base, dir, { recursive: true });
    const seed = firstSeed + i;
    if (seed !== 0) {
      rmSync(join(dir, 'unet'), { recursive: true, force: true });
      cpSync(join(ensureModelDirectory({ ...TINY_PRESET, ...overrides, seed }), 'unet'), join(dir, 'unet'), { recursive: true });
    }
    return dir;
  });
  return { root, dirs, remove: () => rmSync(root, { recursive: true, force: true }) };
}

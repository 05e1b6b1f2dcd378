import { cpSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OPTIMIZED_CACHE_FOLDER } from '../../engine/model/optimized-model-cache';
import { parseGenerationRequest } from '../../engine/pipeline/generation-request';
import { TINY_PRESET } from '../../model-generator/config/presets';
import { ensureModelDirectory } from '../../model-generator/ensure-model-directory';
import { InferencePool } from './inference-pool';
import type { DeviceConfig } from './pool-config';
import type { PoolEvent } from './pool-types';

const request = parseGenerationRequest({ prompt: 'a red kente dress', negativePrompt: 'blurry', width: 64, height: 64, steps: 3, seed: 5, scheduler: 'euler' });

/** Copies without the entries other runs (the server, benchmarks) wrote beside the shared generated models. */
const withoutEntries = (path: string): boolean => !path.includes(OPTIMIZED_CACHE_FOLDER);

describe('InferencePool with the optimised-graph cache', () => {
  let work: string;
  let dir: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'afd-pool-cache-'));
    dir = join(work, 'tiny');
    cpSync(ensureModelDirectory(TINY_PRESET), dir, { recursive: true, filter: withoutEntries });
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  /** How each load of the last start used the cache, by component. */
  let outcomes: Record<string, string | undefined> = {};

  async function generate(device: DeviceConfig): Promise<Buffer> {
    outcomes = {};
    const onEvent = (event: PoolEvent): void => {
      if (event.type === 'component-loaded') outcomes[event.kind] = event.optimizedGraph;
    };
    const pool = await InferencePool.start({ devices: [device], checkpoints: [{ id: 'tiny', dir }], onEvent });
    try {
      const result = await pool.submit({ checkpointId: 'tiny', request }).result;
      return Buffer.from(result.images[0]!.image.data);
    } finally {
      await pool.close();
    }
  }

  /** The manifest of each component's one entry, with its modification time (unchanged when reused). */
  function entries(): Record<string, number> {
    const found: Record<string, number> = {};
    for (const component of ['text_encoder', 'unet', 'vae_decoder']) {
      const folder = join(dir, component, OPTIMIZED_CACHE_FOLDER);
      const keys = readdirSync(folder).filter((name) => name !== 'fingerprints.json'); // the remembered fingerprints sit beside the entries
      expect(keys).toHaveLength(1);
      found[component] = statSync(join(folder, keys[0] as string, 'manifest.json')).mtimeMs;
    }
    return found;
  }

  it('writes each component entry on the first load, reuses them on the next start, and the images stay byte-identical', async () => {
    const cache = { fallbackDir: join(work, 'fallback') };
    const plain = await generate({ device: 'cpu', intraOpThreads: 1 });
    expect(outcomes).toEqual({ text_encoder: 'off', unet: 'off', vae_decoder: 'off' });
    const written = await generate({ device: 'cpu', intraOpThreads: 1, optimizedModelCache: cache });
    expect(outcomes).toEqual({ text_encoder: 'written', unet: 'written', vae_decoder: 'written' });
    const first = entries();
    const reused = await generate({ device: 'cpu', intraOpThreads: 1, optimizedModelCache: cache });
    expect(outcomes).toEqual({ text_encoder: 'hit', unet: 'hit', vae_decoder: 'hit' });
    expect(entries()).toEqual(first);
    expect(written.equals(plain)).toBe(true);
    expect(reused.equals(plain)).toBe(true);
  });
});

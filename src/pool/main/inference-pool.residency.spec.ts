import { join } from 'node:path';
import { TINY_PRESET } from '../../model-generator/config/presets';
import { ensureModelDirectory } from '../../model-generator/ensure-model-directory';
import { parseGenerationRequest, type GenerationInput } from '../../engine/pipeline/generation-request';
import { InferencePool } from './inference-pool';
import { PoolError } from '../protocol/pool-errors';
import { folderBytes } from './checkpoint-catalog';
import type { DeviceResidency, PoolEvent } from './pool-types';
import { makeCheckpointFamily, type CheckpointFamily } from '../testing/checkpoint-family.fixture';

const BASE: GenerationInput = { prompt: 'a red kente dress', negativePrompt: 'blurry', width: 64, height: 64, steps: 3, guidanceScale: 5, seed: 1, scheduler: 'euler' };
const request = (overrides: GenerationInput = {}) => parseGenerationRequest({ ...BASE, ...overrides });

/**
 * Component file sizes, which the pool charges with `residentCost: 'file-bytes'` (the tests of
 * eviction order use it, so their arithmetic is exact; the family's UNets all have the same size).
 * Measured cost (the default) is tested below and in component-store.budget.spec.ts.
 */
function sizes(dir: string): { te: number; vae: number; unet: number } {
  return { te: folderBytes(join(dir, 'text_encoder')), vae: folderBytes(join(dir, 'vae_decoder')), unet: folderBytes(join(dir, 'unet')) };
}

/** Checkpoint ids of the loaded UNets, sorted. */
function unets(residency: DeviceResidency): string[] {
  return residency.components
    .filter((c) => c.kind === 'unet')
    .flatMap((c) => c.checkpointIds)
    .sort();
}

async function rejection(promise: Promise<unknown>): Promise<PoolError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof PoolError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('InferencePool: content-addressed components and residency', () => {
  let family: CheckpointFamily;
  beforeAll(() => {
    family = makeCheckpointFamily(4);
  });
  afterAll(() => family?.remove());
  const checkpoints = (pinFirst: boolean) => family.dirs.map((dir, i) => ({ id: `ft-${i}`, dir, pinned: pinFirst && i === 0 }));

  it('shares one text encoder and one VAE between checkpoints that differ in their UNet; evicts the LRU idle UNet, never a pinned one', async () => {
    // Room for the shared components and three UNets, not four.
    const { te, vae, unet } = sizes(family.dirs[0] as string);
    const events: PoolEvent[] = [];
    const pool = await InferencePool.start({
      devices: [{ device: 'cpu', memoryBudgetBytes: te + vae + 3 * unet + unet / 2, residentCost: 'file-bytes', intraOpThreads: 1 }],
      checkpoints: checkpoints(true),
      onEvent: (e) => events.push(e),
    });
    try {
      const hashes = pool.checkpoints().map((c) => c.components);
      expect(new Set(hashes.map((h) => h.text_encoder.hash)).size).toBe(1);
      expect(new Set(hashes.map((h) => h.vae_decoder.hash)).size).toBe(1);
      expect(new Set(hashes.map((h) => h.unet.hash)).size).toBe(4);
      expect(new Set(hashes.map((h) => h.unet.bytes))).toEqual(new Set([unet]));

      let [device] = await pool.residency();
      expect(unets(device!)).toEqual(['ft-0']);

      await pool.submit({ checkpointId: 'ft-1', request: request() }).result;
      await pool.submit({ checkpointId: 'ft-2', request: request() }).result;
      [device] = await pool.residency();
      const byKind = (kind: string) => device!.components.filter((c) => c.kind === kind);
      expect(byKind('text_encoder')).toHaveLength(1);
      expect(byKind('vae_decoder')).toHaveLength(1);
      expect(byKind('text_encoder')[0]!.checkpointIds).toEqual(['ft-0', 'ft-1', 'ft-2', 'ft-3']);
      expect(unets(device!)).toEqual(['ft-0', 'ft-1', 'ft-2']);
      expect(device!.usedBytes).toBe(te + vae + 3 * unet);
      expect(device!.components.find((c) => c.checkpointIds.includes('ft-0') && c.kind === 'unet')?.pinned).toBe(true);
      let stats = await pool.stats();
      expect(stats.devices[0]!.counters!.sessionsCreated).toBe(5); // 1 text encoder + 1 VAE + 3 UNets

      // ft-1 used again: ft-2 becomes the least recently used idle UNet, and goes when ft-3 needs room.
      await pool.submit({ checkpointId: 'ft-1', request: request() }).result;
      await pool.submit({ checkpointId: 'ft-3', request: request() }).result;
      [device] = await pool.residency();
      expect(unets(device!)).toEqual(['ft-0', 'ft-1', 'ft-3']);
      const evicted = events.filter((e) => e.type === 'component-evicted');
      expect(evicted.map((e) => 'checkpointIds' in e && e.checkpointIds)).toEqual([['ft-2']]);

      // Explicit load: ft-1 is now the LRU idle UNet.
      const loaded = await pool.load('ft-2');
      expect(unets(loaded)).toEqual(['ft-0', 'ft-2', 'ft-3']);
      // Explicit unload frees the UNet's bytes; pinned checkpoints refuse.
      await pool.unload('ft-3');
      [device] = await pool.residency();
      expect(unets(device!)).toEqual(['ft-0', 'ft-2']);
      expect(device!.usedBytes).toBe(te + vae + 2 * unet);
      await expect(rejection(pool.unload('ft-0'))).resolves.toMatchObject({ code: 'INVALID_INPUT' });
      stats = await pool.stats();
      expect(stats.devices[0]!.counters!.evictions).toBe(2);
      expect(events.filter((e) => e.type === 'component-loaded' && e.kind !== 'unet')).toHaveLength(2); // loaded once each
    } finally {
      await pool.close();
    }
  });

  it('never evicts a UNet with running sequences: the next checkpoint waits for it to finish', async () => {
    const { te, vae, unet } = sizes(family.dirs[0] as string);
    const order: string[] = [];
    const pool = await InferencePool.start({
      devices: [{ device: 'cpu', memoryBudgetBytes: te + vae + unet, residentCost: 'file-bytes', intraOpThreads: 1 }],
      checkpoints: checkpoints(false),
      onEvent: (e) => {
        if (e.type === 'component-evicted' || e.type === 'component-loaded') order.push(`${e.type}:${e.kind === 'unet' ? e.checkpointIds.join() : e.kind}`);
      },
    });
    try {
      const first = pool.submit({ checkpointId: 'ft-1', request: request({ steps: 150 }) });
      let second: Promise<unknown> | undefined;
      for await (const e of first.progress()) {
        if (e.step === 2) {
          second = pool.submit({ checkpointId: 'ft-2', request: request() }).result.then(() => order.push('ft-2 done'));
          const waiting = (await pool.stats()).devices[0]!.jobsWaitingForLoad;
          order.push(`waiting:${waiting}`);
        }
      }
      await first.result;
      order.push('ft-1 done');
      await second;
      // ft-1's UNet was evicted only once ft-1's job had ended (its end message precedes the eviction).
      expect(order.filter((o) => !o.startsWith('component-loaded:text') && !o.startsWith('component-loaded:vae'))).toEqual([
        'component-loaded:ft-1',
        'waiting:1',
        'ft-1 done',
        'component-evicted:ft-1',
        'component-loaded:ft-2',
        'ft-2 done',
      ]);
    } finally {
      await pool.close();
    }
  });

  it('fails a job whose checkpoint can never fit the budget, and a start whose pinned checkpoints do not fit', async () => {
    const { te, vae, unet } = sizes(family.dirs[0] as string);
    const pool = await InferencePool.start({
      devices: [{ device: 'cpu', memoryBudgetBytes: te + vae + unet - 1, intraOpThreads: 1 }],
      checkpoints: checkpoints(false),
    });
    try {
      const error = await rejection(pool.submit({ checkpointId: 'ft-1', request: request() }).result);
      expect(error).toMatchObject({ code: 'MEMORY_BUDGET_EXCEEDED', checkpointId: 'ft-1', device: 'cpu' });
      expect(error.message).toMatch(/memory budget/);
    } finally {
      await pool.close();
    }
    const start = InferencePool.start({ devices: [{ memoryBudgetBytes: te + vae + unet - 1, intraOpThreads: 1 }], checkpoints: checkpoints(true) });
    await expect(rejection(start)).resolves.toMatchObject({ code: 'MEMORY_BUDGET_EXCEEDED' });
  });

  it('evicts a text encoder and VAE once no loaded UNet uses them', async () => {
    const other = ensureModelDirectory({ ...TINY_PRESET, seed: 7 });
    const family0 = sizes(family.dirs[0] as string);
    const otherSizes = sizes(other);
    const total = (s: { te: number; vae: number; unet: number }) => s.te + s.vae + s.unet;
    const evicted: string[] = [];
    const pool = await InferencePool.start({
      devices: [{ device: 'cpu', memoryBudgetBytes: Math.max(total(family0), total(otherSizes)) + 1000, residentCost: 'file-bytes', intraOpThreads: 1 }],
      checkpoints: [
        { id: 'ft-0', dir: family.dirs[0] as string },
        { id: 'other', dir: other },
      ],
      onEvent: (e) => {
        if (e.type === 'component-evicted') evicted.push(e.kind);
      },
    });
    try {
      await pool.submit({ checkpointId: 'ft-0', request: request() }).result;
      await pool.submit({ checkpointId: 'other', request: request() }).result;
      const [device] = await pool.residency();
      expect(device!.residentCheckpointIds).toEqual(['other']);
      expect(device!.components.every((c) => c.checkpointIds.join() === 'other')).toBe(true);
      expect(device!.usedBytes).toBe(total(otherSizes));
      expect(evicted.sort()).toEqual(['text_encoder', 'unet', 'vae_decoder']);
    } finally {
      await pool.close();
    }
  });

  it('charges the cost measured at load by default: each component at least its files, remembered after an unload', async () => {
    const loadedEvents: PoolEvent[] = [];
    const pool = await InferencePool.start({
      devices: [{ device: 'cpu', intraOpThreads: 1 }],
      checkpoints: checkpoints(false),
      onEvent: (e) => {
        if (e.type === 'component-loaded') loadedEvents.push(e);
      },
    });
    try {
      const loaded = await pool.load('ft-1');
      expect(loaded.components.length).toBeGreaterThanOrEqual(3);
      for (const c of loaded.components) expect(c.measuredBytes).toBeGreaterThanOrEqual(c.bytes);
      const measured = loaded.components.reduce((n, c) => n + (c.measuredBytes ?? 0), 0);
      expect(loaded.usedBytes).toBe(measured);
      expect(loaded.measuredCheckpointBytes).toEqual({ 'ft-1': measured });
      expect(loadedEvents.map((e) => 'measuredBytes' in e && e.measuredBytes).sort()).toEqual(loaded.components.map((c) => c.measuredBytes).sort());
      await pool.unload('ft-1');
      const [device] = await pool.residency();
      expect([device!.components, device!.usedBytes, device!.measuredCheckpointBytes]).toEqual([[], 0, { 'ft-1': measured }]);
    } finally {
      await pool.close();
    }
  });

  it('places a job on a device where its UNet is resident', async () => {
    const pool = await InferencePool.start({
      devices: [
        { name: 'left', intraOpThreads: 1 },
        { name: 'right', intraOpThreads: 1 },
      ],
      checkpoints: checkpoints(false),
    });
    try {
      const loaded = await pool.load('ft-2', 'right');
      expect([loaded.device, loaded.residentCheckpointIds]).toEqual(['right', ['ft-2']]);
      const onRight = await Promise.all([0, 1].map((seed) => pool.submit({ checkpointId: 'ft-2', request: request({ seed }) }).result));
      expect(onRight.map((r) => r.device)).toEqual(['right', 'right']);
      // Not resident anywhere: the least busy device loads it; later jobs follow it there.
      const first = await pool.submit({ checkpointId: 'ft-1', request: request() }).result;
      expect(first.device).toBe('left');
      expect((await pool.submit({ checkpointId: 'ft-1', request: request() }).result).device).toBe('left');
      const residency = await pool.residency();
      expect(residency.map((d) => [d.device, d.residentCheckpointIds])).toEqual([
        ['left', ['ft-1']],
        ['right', ['ft-2']],
      ]);
    } finally {
      await pool.close();
    }
  });

  it('keeps stepping resident checkpoints while another checkpoint loads', async () => {
    // A checkpoint sharing nothing with the family: three components to load.
    const other = ensureModelDirectory({ ...TINY_PRESET, seed: 7 });
    const timeline: string[] = [];
    const pool = await InferencePool.start({
      devices: [{ device: 'cpu', intraOpThreads: 1 }],
      checkpoints: [
        { id: 'ft-0', dir: family.dirs[0] as string, pinned: true },
        { id: 'other', dir: other },
      ],
      onEvent: (e) => {
        if (e.type === 'component-loading' || e.type === 'component-loaded') timeline.push(e.type);
      },
    });
    timeline.length = 0; // the pinned checkpoint's loads
    try {
      let otherJob: Promise<unknown> | undefined;
      const running = pool.submit({
        checkpointId: 'ft-0',
        request: request({ steps: 150 }),
        onProgress: (e) => {
          timeline.push('step');
          if (e.step === 2) otherJob = pool.submit({ checkpointId: 'other', request: request() }).result;
        },
      });
      await running.result;
      await otherJob;
      const firstLoading = timeline.indexOf('component-loading');
      const lastLoaded = timeline.lastIndexOf('component-loaded');
      expect(timeline.filter((t) => t === 'component-loaded')).toHaveLength(3);
      // ft-0's job made steps between the first component load starting and the last one ending.
      expect(timeline.slice(firstLoading, lastLoaded).filter((t) => t === 'step').length).toBeGreaterThan(0);
    } finally {
      await pool.close();
    }
  });
});

import { maxBatchRows, normalizeConfig } from './pool-config';
import type { InferencePoolConfig } from './pool-config';

const checkpoints = [{ id: 'base', dir: '/models/base' }];
const message = (config: InferencePoolConfig): string => {
  try {
    normalizeConfig(config);
  } catch (error) {
    return (error as Error).message;
  }
  return 'no error';
};

describe('pool configuration', () => {
  it('defaults to one cpu device with an unlimited budget', () => {
    const config = normalizeConfig({ checkpoints });
    expect(config.devices).toEqual([
      expect.objectContaining({
        name: 'cpu',
        device: 'cpu',
        memoryBudgetBytes: Number.POSITIVE_INFINITY,
        maxBatch: 8,
        maxDecodeBatch: 4,
        vaeTileAbovePixels: 512 * 512,
        batching: 'continuous',
        batchWindowMs: 20,
      }),
    ]);
    expect(config).toMatchObject({ maxQueuedPerDevice: 64, maxQueuedTotal: 256, faultInjection: false });
    expect(config.checkpoints).toEqual([{ id: 'base', dir: '/models/base', pinned: false }]);
  });

  it('names repeated devices and resolves maxBatch by latent size', () => {
    const config = normalizeConfig({ checkpoints, devices: [{}, { maxBatch: (pixels) => (pixels <= 64 * 64 ? 8 : 2) }, { device: 'cuda:1' }] });
    expect(config.devices.map((d) => d.name)).toEqual(['cpu', 'cpu#2', 'cuda:1']);
    expect(maxBatchRows(config.devices[1]!, 64 * 64)).toBe(8);
    expect(maxBatchRows(config.devices[1]!, 96 * 96)).toBe(2);
    const bad = normalizeConfig({ checkpoints, devices: [{ maxBatch: () => 0 }] }).devices[0]!;
    expect(() => maxBatchRows(bad, 64)).toThrow(/maxBatch\(64\) must return a positive integer/);
  });

  it('takes a batching policy per device', () => {
    const config = normalizeConfig({ checkpoints, devices: [{ batching: 'request-level', batchWindowMs: 0 }, { batching: 'sequential' }, {}] });
    expect(config.devices.map((d) => [d.batching, d.batchWindowMs])).toEqual([
      ['request-level', 0],
      ['sequential', 20],
      ['continuous', 20],
    ]);
  });

  it('names the setting at fault', () => {
    expect(message({ checkpoints, devices: [{ device: 'gpu' as never }] })).toBe('devices[0].device: must be "cpu" or "cuda:N", got "gpu"');
    expect(message({ checkpoints, devices: [{ maxBatch: 0 }] })).toBe('devices[0].maxBatch: must be an integer of at least 1, got 0');
    expect(message({ checkpoints, devices: [{ memoryBudgetBytes: -5 }] })).toMatch(/^devices\[0\]\.memoryBudgetBytes/);
    expect(message({ checkpoints, devices: [{ residentCost: 'rss' as never }] })).toBe('devices[0].residentCost: must be one of measured, file-bytes, got "rss"');
    expect(message({ checkpoints, devices: [{ name: 'x' }, { name: 'x' }] })).toBe('devices[1].name: "x" is used by another device');
    expect(message({ checkpoints: [] })).toBe('checkpoints: must list at least one checkpoint');
    expect(message({ checkpoints: [...checkpoints, ...checkpoints] })).toBe('checkpoints[1].id: "base" appears twice');
    expect(message({ checkpoints, maxQueuedTotal: 1.5 })).toBe('maxQueuedTotal: must be an integer of at least 0, got 1.5');
    expect(message({ checkpoints, devices: [{}, { batching: 'dynamic' as never }] })).toBe(
      'devices[1].batching: must be one of continuous, request-level, sequential, got "dynamic"',
    );
    expect(message({ checkpoints, devices: [{ batching: 'request-level', batchWindowMs: -1 }] })).toBe(
      'devices[0].batchWindowMs: must be a number of milliseconds of at least 0, got -1',
    );
    expect(message({ checkpoints, devices: [{ vaeTileAbovePixels: -1 }] })).toBe('devices[0].vaeTileAbovePixels: must be an integer number of pixels of at least 0, or Infinity, got -1');
    expect(message({ checkpoints, devices: [{ vaeTileAbovePixels: Number.NaN }] })).toMatch(/^devices\[0\]\.vaeTileAbovePixels/);
    expect(normalizeConfig({ checkpoints, devices: [{ vaeTileAbovePixels: Number.POSITIVE_INFINITY }] }).devices[0]?.vaeTileAbovePixels).toBe(Number.POSITIVE_INFINITY);
    expect(message({ checkpoints, devices: [{ optimizedModelCache: { fallbackDir: '' } }] })).toBe('devices[0].optimizedModelCache.fallbackDir: must be a non-empty directory path');
    expect(normalizeConfig({ checkpoints, devices: [{ optimizedModelCache: { fallbackDir: '/cache' } }] }).devices[0]?.optimizedModelCache).toEqual({ fallbackDir: '/cache' });
  });
});

/**
 * The size rule read from UNet graphs: the generator's SD-layout UNets (stride-2 Convs, fixed ×2
 * nearest Resize, skip Concats, as diffusers' exporter writes them) with their weights inline or
 * external, diffusers' own export of model A when the reference folder is present, and files that
 * are not ONNX graphs.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureModelDirectory } from '../../model-generator/ensure-model-directory';
import { TINY_PRESET } from '../../model-generator/config/presets';
import { imageSizeMultiple, unetSizeGranularity } from './unet-size-granularity';

const REFERENCE = ['/work/shared/data/diffusers-reference/model/unet/model.onnx', join(__dirname, '../../../../shared/data/diffusers-reference/model/unet/model.onnx')].find((f) => existsSync(f));

describe('unetSizeGranularity', () => {
  it.each([
    ['two levels, weights inline', { ...TINY_PRESET, unetExternalData: false }, 1, 16],
    ['two levels, weights external', { ...TINY_PRESET, unetExternalData: true }, 1, 16],
    ['three levels', { ...TINY_PRESET, unet: { ...TINY_PRESET.unet, blockChannels: [32, 32, 64], crossAttentionBlocks: [true, false, false] } }, 2, 32],
  ] as const)('%s: one halving per level but the last; multiple 8 × 2^halvings', (_name, config, halvings, multiple) => {
    const dir = ensureModelDirectory(config);
    const g = unetSizeGranularity(join(dir, 'unet', 'model.onnx'));
    expect(g).toEqual({ latentMultiple: 2 ** halvings, downsamplings: halvings, fixedUpsampling: true });
    expect(imageSizeMultiple(g)).toBe(multiple);
  });

  (REFERENCE ? it : it.skip)("diffusers' export of model A (block_out_channels (32, 64)): images in multiples of 16", () => {
    const g = unetSizeGranularity(REFERENCE as string);
    expect(g).toEqual({ latentMultiple: 2, downsamplings: 1, fixedUpsampling: true });
  });

  it('throws on a file that is not an ONNX model', () => {
    const dir = mkdtempSync(join(tmpdir(), 'afd-granularity-'));
    try {
      const file = join(dir, 'model.onnx');
      writeFileSync(file, Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]));
      expect(() => unetSizeGranularity(file)).toThrow(/truncated|no graph|wire type/);
      writeFileSync(file, Buffer.alloc(0));
      expect(() => unetSizeGranularity(file)).toThrow(/no graph/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

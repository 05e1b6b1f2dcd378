/**
 * The VAE encoder made deterministic at load time: a real diffusers export's sampling graph is cut
 * at the distribution and gives what the reference fixture's own cut (`vae_encoder_dist/`, made by
 * diffusers-reference's derive script) gives; a moments encoder (the project's generated
 * `latent_parameters`) is used as it is with std = exp(0.5 · clamp(logvar, −30, 20)); anything else
 * is reported, never loaded. The reference part is skipped, saying so, without the fixture folder.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { onnx } from 'onnx-proto';
import { TINY_PRESET } from '../../model-generator/config/presets';
import { ensureModelDirectory } from '../../model-generator/ensure-model-directory';
import { encodeInitImages } from '../pipeline/encode-init-images';
import { OnnxSession } from '../runtime/onnx-runtime';
import { tensor } from '../runtime/tensor';
import { loadVaeEncoder } from './load-vae-encoder';
import { readModelDirectory } from './model-directory';
import { checkVaeEncoder, MEAN_OUTPUT, prepareVaeEncoderGraph, STD_OUTPUT } from './vae-encoder-graph';

const CANDIDATES = [process.env['DIFFUSERS_REFERENCE_DIR'], resolve(__dirname, '../../../../shared/data/diffusers-reference'), '/work/shared/data/diffusers-reference'];
const ROOT = CANDIDATES.find((d): d is string => d !== undefined && existsSync(join(d, 'vae_encoder_dist', 'model.onnx')));
const RUNTIME = { device: 'cpu', intraOpThreads: 1, interOpThreads: 1 } as const;

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

/** A deterministic photo-like input in [-1, 1], [2, 3, 64, 96]. */
function sampleBatch(): Float32Array {
  return Float32Array.from({ length: 2 * 3 * 64 * 96 }, (_, i) => Math.sin(i * 0.37) * 0.9);
}

describe('prepareVaeEncoderGraph on a real diffusers export', () => {
  if (!ROOT) {
    it('is skipped: no diffusers reference folder', () => {
      console.warn('SKIPPED: VAE encoder cut — shared/data/diffusers-reference/vae_encoder_dist is absent (set DIFFUSERS_REFERENCE_DIR)');
    });
    return;
  }

  it('cuts the random tail and gives the fixture cut’s mean and std within 1e-5, the same on every run', async () => {
    const graph = prepareVaeEncoderGraph(join(ROOT, 'model', 'vae_encoder', 'model.onnx'));
    if (graph.kind !== 'distribution') throw new Error(`expected a cut graph, got ${graph.kind}`);
    const cut = onnx.ModelProto.decode(graph.model).graph as onnx.GraphProto;
    expect(cut.node.some((n) => n.opType === 'RandomNormalLike')).toBe(false);
    expect(cut.output.map((o) => o.name)).toEqual([MEAN_OUTPUT, STD_OUTPUT]);

    const ours = await OnnxSession.load(graph.model, RUNTIME);
    const theirs = await OnnxSession.load(join(ROOT, 'vae_encoder_dist', 'model.onnx'), RUNTIME);
    try {
      const feed = { sample: tensor('float32', sampleBatch(), [2, 3, 64, 96]) };
      const [a, b, again] = [await ours.run(feed), await theirs.run(feed), await ours.run(feed)];
      const floats = (r: Record<string, { data: unknown }>, name: string): Float32Array => r[name]?.data as Float32Array;
      expect(maxAbsDiff(floats(a, MEAN_OUTPUT), floats(b, 'latent_dist_mean'))).toBeLessThanOrEqual(1e-5);
      expect(maxAbsDiff(floats(a, STD_OUTPUT), floats(b, 'latent_dist_std'))).toBeLessThanOrEqual(1e-5);
      expect(floats(again, STD_OUTPUT)).toEqual(floats(a, STD_OUTPUT));
      expect(floats(a, MEAN_OUTPUT)).toHaveLength(2 * 4 * 8 * 12);
    } finally {
      await Promise.all([ours.release(), theirs.release()]);
    }
  });

  it('leaves the model directory as it was and says the checkpoint can do image to image', () => {
    const directory = readModelDirectory(join(ROOT, 'model'));
    expect(directory.vaeEncoderGraph).toBe(join(ROOT, 'model', 'vae_encoder', 'model.onnx'));
    expect(checkVaeEncoder(directory.vaeEncoderGraph)).toBeNull();
  });
});

describe('moments encoders and unusable ones', () => {
  it('uses a generated latent_parameters encoder as it is: std = exp(0.5 · clamp(logvar, -30, 20))', async () => {
    const dir = ensureModelDirectory({ ...TINY_PRESET, withVaeEncoder: true });
    const path = join(dir, 'vae_encoder', 'model.onnx');
    expect(prepareVaeEncoderGraph(path)).toEqual({ kind: 'moments', path, output: 'latent_parameters' });
    expect(checkVaeEncoder(path)).toBeNull();
    const { encoder, session } = await loadVaeEncoder(dir, path, RUNTIME);
    try {
      const sample = sampleBatch().subarray(0, 3 * 64 * 96);
      const [distribution] = await encodeInitImages([sample], 64, 96, 4, encoder);
      const raw = (await session.run({ sample: tensor('float32', Float32Array.from(sample), [1, 3, 64, 96]) }))['latent_parameters']?.data as Float32Array;
      if (!distribution || !('mean' in distribution)) throw new Error('no distribution');
      const size = 4 * 8 * 12;
      expect(distribution.mean).toEqual(raw.subarray(0, size));
      const expected = Float32Array.from(raw.subarray(size, 2 * size), (v) => Math.exp(0.5 * Math.min(Math.max(v, -30), 20)));
      expect(maxAbsDiff(distribution.std, expected)).toBeLessThanOrEqual(1e-6 * Math.max(...expected));
    } finally {
      await session.release();
    }
  });

  it('says why a checkpoint cannot do image to image', () => {
    const scratch = mkdtempSync(join(tmpdir(), 'afd-vae-encoder-'));
    try {
      expect(checkVaeEncoder(null)).toMatch(/has no vae_encoder component/);
      writeFileSync(join(scratch, 'garbage.onnx'), Buffer.from('not a model at all, just bytes'));
      expect(checkVaeEncoder(join(scratch, 'garbage.onnx'))).toMatch(/vae_encoder\/model.onnx (is not an ONNX model|has no graph)/);
      const twoOutputs = onnx.ModelProto.encode({
        irVersion: 7,
        opsetImport: [{ version: 14 }],
        graph: {
          name: 'g',
          input: [{ name: 'sample' }],
          node: [{ opType: 'Identity', input: ['sample'], output: ['a'] }, { opType: 'Identity', input: ['sample'], output: ['b'] }],
          output: [{ name: 'a' }, { name: 'b' }],
        },
      }).finish();
      writeFileSync(join(scratch, 'two.onnx'), twoOutputs);
      expect(checkVaeEncoder(join(scratch, 'two.onnx'))).toMatch(/has outputs a, b: expected one moments output/);
      const randomWithoutPattern = onnx.ModelProto.encode({
        irVersion: 7,
        opsetImport: [{ version: 14 }],
        graph: { name: 'g', input: [{ name: 'sample' }], node: [{ opType: 'RandomNormalLike', input: ['sample'], output: ['latent_sample'] }], output: [{ name: 'latent_sample' }] },
      }).finish();
      writeFileSync(join(scratch, 'random.onnx'), randomWithoutPattern);
      expect(checkVaeEncoder(join(scratch, 'random.onnx'))).toMatch(/no Add\(mean, Mul\(std, RandomNormalLike\)\) pattern/);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});

/**
 * The sd15-shaped preset has Stable Diffusion 1.x's real dimensions (an 860M-parameter UNet whose
 * weights live in unet/weights.pb). Generated once into the models folder and reused; checked for
 * loading and one small run, as the full-size cost belongs to the benchmarks.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { OnnxSession } from '../engine/runtime/onnx-runtime';
import { tensor } from '../engine/runtime/tensor';
import { SD15_SHAPED_PRESET } from './config/presets';
import { ensureModelDirectory } from './ensure-model-directory';

const LATENT = 8;

describe('sd15-shaped preset', () => {
  let dir: string;
  beforeAll(() => {
    dir = ensureModelDirectory(SD15_SHAPED_PRESET);
  }, 300_000);

  it('stores the UNet weights outside the graph, at real SD 1.x size', () => {
    const weightBytes = statSync(join(dir, 'unet', 'weights.pb')).size;
    // 859.5M float32 parameters in diffusers' UNet2DConditionModel for SD 1.x.
    expect(weightBytes / 4).toBeGreaterThan(850e6);
    expect(weightBytes / 4).toBeLessThan(870e6);
    expect(statSync(join(dir, 'unet', 'model.onnx')).size).toBeLessThan(5_000_000);
  });

  it('runs the text encoder: 768-wide states for 77 tokens', async () => {
    const session = await OnnxSession.load(join(dir, 'text_encoder', 'model.onnx'), { device: 'cpu' });
    const ids = Int32Array.from({ length: 77 }, (_, i) => (i === 0 ? 49406 : i < 5 ? 320 + i : 49407));
    const out = await session.run({ input_ids: tensor('int32', ids, [1, 77]) });
    expect(out['last_hidden_state']?.dims).toEqual([1, 77, 768]);
    expect(out['pooler_output']?.dims).toEqual([1, 768]);
    expect((out['last_hidden_state']?.data as Float32Array).every(Number.isFinite)).toBe(true);
    await session.release();
  });

  it('loads the UNet with its external weights and runs one step at a small latent size', async () => {
    const session = await OnnxSession.load(join(dir, 'unet', 'model.onnx'), { device: 'cpu' });
    const sample = Float32Array.from({ length: 4 * LATENT * LATENT }, (_, i) => Math.sin(i));
    const context = Float32Array.from({ length: 77 * 768 }, (_, i) => Math.cos(i * 0.01));
    const out = await session.run({
      sample: tensor('float32', sample, [1, 4, LATENT, LATENT]),
      timestep: tensor('float32', Float32Array.from([981]), [1]),
      encoder_hidden_states: tensor('float32', context, [1, 77, 768]),
    });
    expect(out['out_sample']?.dims).toEqual([1, 4, LATENT, LATENT]);
    const values = out['out_sample']?.data as Float32Array;
    expect(values.every(Number.isFinite)).toBe(true);
    // Scaled initialisation keeps activations in a sane range through all 25 blocks.
    expect(Math.max(...values.map(Math.abs))).toBeLessThan(100);
    await session.release();
  }, 120_000);

  it('decodes latents to an image 8 times larger', async () => {
    const session = await OnnxSession.load(join(dir, 'vae_decoder', 'model.onnx'), { device: 'cpu' });
    const out = await session.run({ latent_sample: tensor('float32', new Float32Array(4 * LATENT * LATENT).fill(0.3), [1, 4, LATENT, LATENT]) });
    expect(out['sample']?.dims).toEqual([1, 3, LATENT * 8, LATENT * 8]);
    expect((out['sample']?.data as Float32Array).every(Number.isFinite)).toBe(true);
    await session.release();
  });
});

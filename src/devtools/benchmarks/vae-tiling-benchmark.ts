/**
 * `npm run build && node dist/devtools/benchmarks/vae-tiling-benchmark.js [--tiny-size 768] [--demo-size 1024]`:
 * how far tiled VAE decoding (the default 64-latent tiles, 16 of overlap) differs from the untiled
 * decode, in 0..255 pixels, on the tiny preset's VAE and the demo release's, for the same random
 * latents; and the time of slicing (one image per call) against one batched call.
 * `--model DIR --size N`: the same comparison on another model directory only (e.g. the
 * sd15-shaped preset, whose VAE has Stable Diffusion's widths).
 * `--memory tiled|untiled`: only that decode on the tiny preset, with the peak resident memory
 * before and after it (one process per mode, so the peaks do not mix).
 */
import { parseArgs } from 'node:util';
import { decodeLatents, type VaeDecodeOptions } from '../../engine/pipeline/decode-latents';
import { StableDiffusionPipeline } from '../../engine/pipeline/stable-diffusion-pipeline';
import { createNoiseSource } from '../../engine/noise';
import { TINY_PRESET } from '../../model-generator/config/presets';
import { demoCheckpointDir, ensureDemoRelease } from '../../model-generator/demo/write-demo-release';
import { ensureModelDirectory } from '../../model-generator/ensure-model-directory';
import type { TensorRunner } from '../../engine/runtime/onnx-runtime';

const UNTILED: VaeDecodeOptions = { tileAbovePixels: Number.POSITIVE_INFINITY };
const TILED: VaeDecodeOptions = { tileAbovePixels: 0 };

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { 'tiny-size': { type: 'string' }, 'demo-size': { type: 'string' }, memory: { type: 'string' }, model: { type: 'string' }, size: { type: 'string' } },
  });
  if (values.memory !== undefined) return peakMemory(values.memory === 'tiled' ? TILED : UNTILED, values.memory, Number(values['tiny-size'] ?? 768));
  const models: [string, string, number][] =
    values.model !== undefined
      ? [[values.model, values.model, Number(values.size ?? 768)]]
      : [
          ['tiny preset', ensureModelDirectory(TINY_PRESET), Number(values['tiny-size'] ?? 768)],
          ['demo release', demoCheckpointDir(ensureDemoRelease(), 'final'), Number(values['demo-size'] ?? 1024)],
        ];
  for (const [label, dir, size] of models) {
    const pipeline = await StableDiffusionPipeline.load(dir, { device: 'cpu' });
    try {
      const { vaeDecoder, signature, directory } = pipeline.model;
      const shape: [number, number, number] = [signature.latentChannels, size / 8, size / 8];
      const latent = createNoiseSource('torch', 7n).randn(shape[0] * shape[1] * shape[2]);
      let calls = 0;
      const counted: TensorRunner = { run: (feeds) => (calls++, vaeDecoder.run(feeds)) };
      const decode = (opts: VaeDecodeOptions): Promise<Uint8Array> =>
        decodeLatents([latent], shape, counted, signature, directory.vaeScalingFactor, opts).then(([image]) => (image as { data: Uint8Array }).data);
      let t = performance.now();
      const whole = await decode(UNTILED);
      const untiledMs = performance.now() - t;
      calls = 0;
      t = performance.now();
      const tiled = await decode(TILED);
      const tiledMs = performance.now() - t;
      let max = 0;
      let sum = 0;
      for (let i = 0; i < whole.length; i++) {
        const d = Math.abs((whole[i] as number) - (tiled[i] as number));
        max = Math.max(max, d);
        sum += d;
      }
      console.log(
        `${label}, ${size} × ${size}: ${calls} tiles; |tiled − untiled| max ${max}, mean ${(sum / whole.length).toFixed(3)} (0..255); ` +
          `untiled ${untiledMs.toFixed(0)} ms, tiled ${tiledMs.toFixed(0)} ms`,
      );
      await slicingCost(label, counted, pipeline);
    } finally {
      await pipeline.release();
    }
  }
}

async function peakMemory(options: VaeDecodeOptions, label: string, size: number): Promise<void> {
  const pipeline = await StableDiffusionPipeline.load(ensureModelDirectory(TINY_PRESET), { device: 'cpu' });
  try {
    const { vaeDecoder, signature, directory } = pipeline.model;
    const shape: [number, number, number] = [signature.latentChannels, size / 8, size / 8];
    const latent = createNoiseSource('torch', 7n).randn(shape[0] * shape[1] * shape[2]);
    const mib = (): string => (process.resourceUsage().maxRSS / 1024).toFixed(0);
    const before = mib();
    await decodeLatents([latent], shape, vaeDecoder, signature, directory.vaeScalingFactor, options);
    console.log(`tiny preset, ${size} × ${size}, ${label}: peak RSS ${before} MiB loaded, ${mib()} MiB after the decode`);
  } finally {
    await pipeline.release();
  }
}

/** Four 128 × 128 images: one call (the rule below 512 × 512 pixels per call) against four calls. */
async function slicingCost(label: string, vae: TensorRunner, pipeline: StableDiffusionPipeline): Promise<void> {
  const { signature, directory } = pipeline.model;
  const shape: [number, number, number] = [signature.latentChannels, 16, 16];
  const latents = [0n, 1n, 2n, 3n].map((seed) => createNoiseSource('torch', seed).randn(4 * 16 * 16));
  const time = async (run: () => Promise<unknown>): Promise<number> => {
    await run();
    const t = performance.now();
    for (let i = 0; i < 5; i++) await run();
    return (performance.now() - t) / 5;
  };
  const batched = await time(() => decodeLatents(latents, shape, vae, signature, directory.vaeScalingFactor, UNTILED));
  const sliced = await time(async () => {
    for (const l of latents) await decodeLatents([l], shape, vae, signature, directory.vaeScalingFactor, UNTILED);
  });
  console.log(`${label}, four 128 × 128 images: one call ${batched.toFixed(1)} ms, one call each ${sliced.toFixed(1)} ms`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

/**
 * `npm run bench:engine`: time per phase of one text-to-image generation on the tiny and the
 * sd15-shaped presets, and the share of each denoising step spent outside onnxruntime (our
 * scaling, batching copies, float16 conversion, guidance and scheduler step).
 * Target: outside-ORT under 2% of the step at sd15-shaped dimensions.
 *
 * Previews: each repeat runs the generation twice, previews off then on (a preview at every step,
 * the most a request can ask): on adds, inside the step loop, what the worker does (x0 from the
 * scheduler, the latent → RGB matrix); the WebP encoding runs on the main thread, off the loop, and
 * is timed apart.
 *
 * Image to image (tiny cases; the preset with its VAE encoder): fitting a 3:2 photo to the square
 * request (Pillow-exact Lanczos, cover and centre-crop), the VAE encoder call, and the start latents
 * (encoder sample, noise, add_noise), which the image's denoising steps then follow as above.
 */
import type { ModelConfig } from '../../model-generator/config/model-config';
import { SD15_SHAPED_PRESET, TINY_PRESET } from '../../model-generator/config/presets';
import { ensureModelDirectory } from '../../model-generator/ensure-model-directory';
import { encodeImage } from '../../engine/image/encode-image';
import { decodeLatents } from '../../engine/pipeline/decode-latents';
import { denoiseStep } from '../../engine/pipeline/denoise-step';
import { encodeInitImages } from '../../engine/pipeline/encode-init-images';
import { encodePrompts } from '../../engine/pipeline/encode-prompts';
import { fitInitImage, imageToSample } from '../../engine/pipeline/fit-init-image';
import { parseGenerationRequest } from '../../engine/pipeline/generation-request';
import { StableDiffusionPipeline } from '../../engine/pipeline/stable-diffusion-pipeline';
import { latentPreview } from '../../pool/protocol/latent-preview';
import { encodePreview } from '../../pool/main/preview-encoding';
import { median, nowMs, TimedRunner } from './timing';

interface Case {
  readonly label: string;
  readonly config: ModelConfig;
  readonly size: number;
  readonly steps: number;
  readonly repeats: number;
}

const CASES: readonly Case[] = [
  { label: 'tiny 64x64', config: TINY_PRESET, size: 64, steps: 20, repeats: 5 },
  { label: 'tiny 512x512', config: TINY_PRESET, size: 512, steps: 10, repeats: 2 },
  { label: 'sd15-shaped 256x256', config: SD15_SHAPED_PRESET, size: 256, steps: 3, repeats: 1 },
];

const PROMPT = 'a woman wearing a red and gold kente dress, african fashion, studio photo';
const NEGATIVE = 'blurry, low quality';

async function runCase(c: Case): Promise<void> {
  const dir = ensureModelDirectory(c.config);
  const pipeline = await StableDiffusionPipeline.load(dir, { device: 'cpu' });
  const { directory, signature } = pipeline.model;
  const textEncoder = new TimedRunner(pipeline.model.textEncoder);
  const unet = new TimedRunner(pipeline.model.unet);
  const vae = new TimedRunner(pipeline.model.vaeDecoder);
  const phase: Record<string, number[]> = {
    tokenise: [],
    textEncoder: [],
    unetStep: [],
    unetOrt: [],
    outsideOrt: [],
    outsideOrtPreview: [],
    previewInLoop: [],
    previewEncode: [],
    previewBytes: [],
    vaeDecode: [],
    pngEncode: [],
  };
  const request = parseGenerationRequest({ prompt: PROMPT, negativePrompt: NEGATIVE, width: c.size, height: c.size, steps: c.steps, seed: 1, scheduler: 'euler-a' });

  for (let r = 0; r < c.repeats + 1; r++) {
    const warmup = r === 0;
    const record = (name: string, ms: number): void => {
      if (!warmup) phase[name]?.push(ms);
    };
    let t = nowMs();
    directory.tokenizer.encode(PROMPT);
    directory.tokenizer.encode(NEGATIVE);
    record('tokenise', nowMs() - t);
    const { states } = await encodePrompts([PROMPT, NEGATIVE], directory.tokenizer, textEncoder, signature);
    record('textEncoder', textEncoder.lastMs);
    const embeddings = { cond: states[0] as Float32Array, uncond: states[1] };
    // Previews off: the step as it always was.
    const sequences = pipeline.createSequences(request, embeddings);
    const first = sequences[0];
    while (first && !first.done) {
      t = nowMs();
      await denoiseStep(sequences, unet, signature);
      const step = nowMs() - t;
      record('unetStep', step);
      record('unetOrt', unet.lastMs);
      record('outsideOrt', step - unet.lastMs);
    }
    // Previews on, every step: the same generation plus the worker's share of a preview.
    const previewed = pipeline.createSequences(request, embeddings);
    const p0 = previewed[0];
    while (p0 && !p0.done) {
      t = nowMs();
      await denoiseStep(previewed, unet, signature);
      const ort = unet.lastMs;
      const previewStarted = nowMs();
      const preview = latentPreview(p0.predictedOriginal() ?? p0.latents, p0.latentShape);
      const previewMs = nowMs() - previewStarted;
      record('outsideOrtPreview', nowMs() - t - ort);
      record('previewInLoop', previewMs);
      const encodeStarted = nowMs();
      const encoded = await encodePreview(preview);
      record('previewEncode', nowMs() - encodeStarted);
      record('previewBytes', encoded.bytes.length);
    }
    const [image] = await decodeLatents(sequences.map((s) => s.latents), first!.latentShape, vae, signature, directory.vaeScalingFactor);
    record('vaeDecode', vae.lastMs);
    t = nowMs();
    await encodeImage(image!, { format: 'png', parameters: PROMPT });
    record('pngEncode', nowMs() - t);
  }
  await pipeline.release();

  const m = (name: string): number => median(phase[name] ?? []);
  const share = (100 * m('outsideOrt')) / m('unetStep');
  console.log(`\n${c.label}, ${c.steps} steps, guidance on (2 UNet rows), euler-a; medians over ${c.repeats} run(s) after a warm-up`);
  console.log(`  tokenise              ${m('tokenise').toFixed(2).padStart(10)} ms`);
  console.log(`  text encoder          ${m('textEncoder').toFixed(2).padStart(10)} ms`);
  console.log(`  UNet step             ${m('unetStep').toFixed(2).padStart(10)} ms   (onnxruntime ${m('unetOrt').toFixed(2)} ms)`);
  console.log(`  outside ORT per step  ${m('outsideOrt').toFixed(3).padStart(10)} ms   = ${share.toFixed(2)}% of the step`);
  const ratio = m('outsideOrtPreview') / m('outsideOrt');
  console.log(
    `  previews every step   ${m('outsideOrtPreview').toFixed(3).padStart(10)} ms outside ORT per step (off: ${m('outsideOrt').toFixed(3)} ms, ratio ${ratio.toFixed(2)}); ` +
      `x0 + latent→RGB ${m('previewInLoop').toFixed(3)} ms = ${((100 * m('previewInLoop')) / m('unetStep')).toFixed(3)}% of the step`,
  );
  console.log(`  preview WebP encode   ${m('previewEncode').toFixed(3).padStart(10)} ms   (main thread, asynchronous, off the step loop; ${Math.round(m('previewBytes'))} bytes)`);
  console.log(`  VAE decode            ${m('vaeDecode').toFixed(2).padStart(10)} ms`);
  console.log(`  PNG encode            ${m('pngEncode').toFixed(2).padStart(10)} ms`);
  if (c.config === SD15_SHAPED_PRESET) console.log(`  target: outside ORT < 2% of the step at sd15-shaped dimensions: ${share < 2 ? 'met' : 'NOT met'}`);
  if (c.config === TINY_PRESET) await imageToImageCase(c);
}

/** The phases image to image adds before its steps (see the header). */
async function imageToImageCase(c: Case): Promise<void> {
  const pipeline = await StableDiffusionPipeline.load(ensureModelDirectory({ ...c.config, withVaeEncoder: true }), { device: 'cpu' });
  const encoder = pipeline.vaeEncoder();
  const photo = { width: Math.round(c.size * 1.5), height: c.size, data: Uint8Array.from({ length: Math.round(c.size * 1.5) * c.size * 3 }, (_, i) => (i * 31) % 251) };
  const request = parseGenerationRequest({ prompt: PROMPT, width: c.size, height: c.size, steps: c.steps, seed: 1, scheduler: 'euler-a', initImage: photo, strength: 0.6 });
  const { cond, uncond } = await pipeline.encodeRequest(request);
  const phase: Record<string, number[]> = { fit: [], encode: [], start: [] };
  let steps = 0;
  for (let r = 0; r < c.repeats + 1; r++) {
    let t = nowMs();
    const sample = imageToSample(fitInitImage(photo, c.size, c.size, 'torch'));
    const fit = nowMs() - t;
    t = nowMs();
    const [distribution] = await encodeInitImages([sample], c.size, c.size, pipeline.model.signature.latentChannels, encoder);
    const encode = nowMs() - t;
    if (!distribution || !('mean' in distribution)) throw new Error('the encoder gave no distribution');
    t = nowMs();
    const [sequence] = pipeline.createSequences(request, uncond ? { cond, uncond } : { cond }, 'image', distribution);
    const start = nowMs() - t;
    steps = sequence?.totalSteps ?? 0;
    if (r === 0) continue;
    phase['fit']?.push(fit);
    phase['encode']?.push(encode);
    phase['start']?.push(start);
  }
  await pipeline.release();
  const m = (name: string): number => median(phase[name] ?? []);
  console.log(`  image to image, strength 0.6 (${steps} of ${c.steps} steps run), a ${photo.width}x${photo.height} photo:`);
  console.log(`    photo fit (Lanczos)  ${m('fit').toFixed(2).padStart(10)} ms`);
  console.log(`    VAE encoder          ${m('encode').toFixed(2).padStart(10)} ms`);
  console.log(`    start latents        ${m('start').toFixed(3).padStart(10)} ms   (encoder sample, noise, add_noise)`);
}

async function main(): Promise<void> {
  const only = process.argv[2];
  console.log(`engine benchmark on ${process.platform} ${process.arch}, Node ${process.version}, CPU execution provider`);
  for (const c of CASES) if (!only || c.label.startsWith(only)) await runCase(c);
  console.log('\nreproduce with: npm run bench:engine   (or npm run bench:engine -- tiny | sd15-shaped)');
}

void main();

/**
 * `npm run bench:prompts [-- --preset sd15-shaped --size 256]`: what a long prompt costs. For prompts
 * of 1, 2 and 3 chunks of 75 tokens (prompt and negative, guidance on): the text-encoder call, the
 * weighting (emphasis original), and one UNet step, whose cross-attention context grows to 77 × chunks.
 * Default: the tiny preset at 64×64 (sd15-shaped generates about 4 GB of weights the first time).
 */
import { parseArgs } from 'node:util';
import { denoiseStep } from '../../engine/pipeline/denoise-step';
import { encodePrompts } from '../../engine/pipeline/encode-prompts';
import { parseGenerationRequest } from '../../engine/pipeline/generation-request';
import { StableDiffusionPipeline } from '../../engine/pipeline/stable-diffusion-pipeline';
import { applyEmphasis, positionWeights } from '../../engine/prompt-weighting';
import { PRESETS } from '../../model-generator/config/presets';
import { ensureModelDirectory } from '../../model-generator/ensure-model-directory';
import { median, nowMs, TimedRunner } from './timing';

const REPEATS = 15;
/** About 25 tokens, repeated to fill the chunks; one weighted fragment per repeat. */
const PHRASE = 'a woman wearing a (red and gold kente:1.2) dress with [beaded] sleeves, african fashion, studio photo, soft light, ';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { preset: { type: 'string', default: 'tiny' }, size: { type: 'string', default: '64' } } });
  const config = PRESETS[values.preset];
  if (!config) throw new Error(`unknown preset ${values.preset}; known: ${Object.keys(PRESETS).join(', ')}`);
  const size = Number(values.size);
  // One thread: steadier medians on a shared machine.
  const pipeline = await StableDiffusionPipeline.load(ensureModelDirectory(config), { device: 'cpu', intraOpThreads: 1 });
  const { directory, signature } = pipeline.model;
  const textEncoder = new TimedRunner(pipeline.model.textEncoder);
  const unet = new TimedRunner(pipeline.model.unet);
  console.log(`${values.preset} ${size}x${size}, guidance on (2 UNet rows), euler, one CPU thread; medians of ${REPEATS} after a warm-up`);
  console.log('chunks  context  text-encoder call  weighting (both)  UNet call');
  for (const repeats of [2, 4, 7]) {
    const request = parseGenerationRequest({ prompt: PHRASE.repeat(repeats), negativePrompt: 'blurry, low quality', width: size, height: size, steps: REPEATS + 1, seed: 1, scheduler: 'euler' });
    const plans = pipeline.planRequest(request);
    const chunks = plans[0]?.chunks ?? 0;
    const encoder: number[] = [];
    const weighting: number[] = [];
    for (let r = 0; r <= REPEATS; r++) {
      await encodePrompts(plans, directory.tokenizer, textEncoder, signature);
      if (r > 0) encoder.push(textEncoder.lastMs);
      const unweighted = await encodePrompts(plans.map((p) => ({ ...p, tokens: { ...p.tokens, weights: p.tokens.weights.map(() => 1) } })), directory.tokenizer, textEncoder, signature);
      const t = nowMs();
      plans.forEach((p, i) => applyEmphasis(unweighted.states[i] as Float32Array, positionWeights(p.tokens, p.chunks, signature.sequenceLength), signature.contextWidth, p.emphasis));
      if (r > 0) weighting.push(nowMs() - t);
    }
    const { cond, uncond } = await pipeline.encodeRequest(request);
    const sequences = pipeline.createSequences(request, { cond, uncond });
    const steps: number[] = [];
    for (let r = 0; r <= REPEATS; r++) {
      await denoiseStep(sequences, unet, signature);
      if (r > 0) steps.push(unet.lastMs);
    }
    const ms = (v: number[]): string => `${median(v).toFixed(2)} ms`;
    console.log(`${String(chunks).padStart(6)}  ${String(chunks * signature.sequenceLength).padStart(7)}  ${ms(encoder).padStart(17)}  ${ms(weighting).padStart(16)}  ${ms(steps).padStart(9)}`);
  }
  await pipeline.release();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

/**
 * `npm run generate -- --model DIR --prompt "..." [--seed 42 --steps 20 --scheduler euler-a ...] --out out.png`:
 * one generation through the engine, for internal tooling and for reproducing an API result.
 * `--init-image FILE [--strength X]` starts from a picture (image to image), read with the API's
 * rules and messages (PNG, JPEG or WebP, at most 8 MiB and 4096 × 4096 pixels).
 * `--vae-tiling on|off|auto [--vae-tile-size PX]` chooses tiled VAE decoding (engine/pipeline/vae-tiling.ts).
 */
import { closeSync, existsSync, openSync, readSync, writeFileSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import { ApiError } from '../../common/error-code';
import { VAE_ENCODER_GRAPH } from '../../engine/model/model-directory';
import { checkVaeEncoder } from '../../engine/model/vae-encoder-graph';
import type { RgbImage } from '../../engine/pipeline/decode-latents';
import { decodeImageInput, MAX_IMAGE_INPUT_BYTES, readImageBytes } from '../../transports/image-input';
import { parseArgs } from 'node:util';
import { EngineError, InvalidInputError } from '../../engine/errors';
import { encodeImage, IMAGE_FORMATS, type ImageFormat } from '../../engine/image/encode-image';
import { formatGenerationParameters } from '../../engine/image/generation-parameters';
import { hashComponent } from '../../engine/model/content-hash';
import { parseGenerationRequest } from '../../engine/pipeline/generation-request';
import { DEFAULT_TILE_ABOVE_PIXELS, type VaeDecodeOptions } from '../../engine/pipeline/vae-tiling';
import { StableDiffusionPipeline } from '../../engine/pipeline/stable-diffusion-pipeline';
import type { DeviceSpec } from '../../engine/runtime/onnx-runtime';
import { MAX_PROMPT_CHUNKS } from '../../engine/prompt-weighting';
import { SCHEDULER_NAMES } from '../../engine/schedulers';
import { progressBar, type ProgressStream } from './progress-bar';

const USAGE = `usage: npm run generate -- --model DIR --prompt TEXT --out FILE [options]
  --negative-prompt TEXT   what to steer away from (used when --guidance > 1)
  --seed N                 0..18446744073709551615 (default: random); image i uses seed + i
  --steps N                denoising steps (default 25)
  --guidance X             classifier-free guidance scale (default 7.5; <= 1 disables it)
  --scheduler NAME         ${SCHEDULER_NAMES.join(' | ')} (default pndm)
  --width N --height N     multiples of 8 (default 512)
  --images N               number of images; FILE gets -0, -1... suffixes when N > 1
  --noise MODE             torch | numpy: whose random numbers to reproduce (default torch)
  --emphasis MODE          original | no-norm: how (word:1.3) weights apply (default original)
  --max-chunks N           prompt chunks of 75 tokens, 1..3 (default 3); 1 cuts at 77 ids like diffusers' standard pipeline
  --quality N              JPEG / WebP quality 1..100 (format from FILE's extension: .png .jpg .webp)
  --device DEV             cpu | cuda:N (default cpu)
  --init-image FILE        image to image: start from this PNG, JPEG or WebP (the model needs vae_encoder/)
  --strength X             with --init-image: 0 < X <= 1, the share of the steps that runs (default 0.8)
  --vae-tiling MODE        auto | on | off: decode the image in overlapping tiles, which bounds memory and changes
                           pixels slightly (auto, the default: images above 512 × 512; on: any image larger than a tile)
  --vae-tile-size PX       tile side in pixels, a multiple of 8 from 64 (default 512); neighbours share a quarter of it`;

export interface CommandIo {
  readonly out: (line: string) => void;
  readonly progress: ProgressStream;
}

export async function runGenerate(argv: readonly string[], io: CommandIo): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args: [...argv],
      strict: true,
      options: {
        model: { type: 'string' },
        prompt: { type: 'string' },
        'negative-prompt': { type: 'string' },
        seed: { type: 'string' },
        steps: { type: 'string' },
        guidance: { type: 'string' },
        scheduler: { type: 'string' },
        width: { type: 'string' },
        height: { type: 'string' },
        images: { type: 'string' },
        noise: { type: 'string' },
        emphasis: { type: 'string' },
        'max-chunks': { type: 'string' },
        quality: { type: 'string' },
        device: { type: 'string' },
        'init-image': { type: 'string' },
        strength: { type: 'string' },
        'vae-tiling': { type: 'string' },
        'vae-tile-size': { type: 'string' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (error) {
    io.out(`generate: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  if (!values.model || values.prompt === undefined || !values.out) {
    io.out(`generate: --model, --prompt and --out are required\n${USAGE}`);
    return 2;
  }
  const format = formatOf(values.out);
  if (!format) {
    io.out(`generate: --out must end in .png, .jpg, .jpeg or .webp (got ${basename(values.out)})`);
    return 2;
  }

  let pipeline: StableDiffusionPipeline | undefined;
  try {
    const modelDir = resolve(values.model);
    const initImage = values['init-image'] === undefined ? undefined : await readInitImageFile(values['init-image'], modelDir);
    const request = parseGenerationRequest({
      prompt: values.prompt,
      negativePrompt: values['negative-prompt'],
      seed: values.seed,
      steps: numberOption(values.steps),
      guidanceScale: numberOption(values.guidance),
      scheduler: values.scheduler,
      width: numberOption(values.width),
      height: numberOption(values.height),
      numImages: numberOption(values.images),
      noiseMode: values.noise,
      initImage,
      strength: numberOption(values.strength),
      emphasis: values.emphasis,
    });
    const maxChunks = numberOption(values['max-chunks']);
    if (maxChunks !== undefined && !(typeof maxChunks === 'number' && Number.isInteger(maxChunks) && maxChunks >= 1 && maxChunks <= MAX_PROMPT_CHUNKS)) {
      throw new InvalidInputError('max-chunks', `must be an integer from 1 to ${MAX_PROMPT_CHUNKS}, got "${values['max-chunks']}"`);
    }
    const quality = numberOption(values.quality);
    if (typeof quality === 'string') throw new InvalidInputError('quality', `must be an integer from 1 to 100, got "${quality}"`);
    const vaeDecode = vaeDecodeOptions(values['vae-tiling'], values['vae-tile-size']);
    pipeline = await StableDiffusionPipeline.load(modelDir, { device: (values.device ?? 'cpu') as DeviceSpec }, { maxPromptChunks: maxChunks, vaeDecode });
    if (values['vae-tiling'] === 'on' && !pipeline.model.signature.vaeTileable) io.out("note: this model's vae_decoder takes one latent size only, so it decodes whole images (no tiling)");
    const bar = progressBar(io.progress);
    const result = await pipeline.generate(request, { onProgress: (p) => bar.update(p) });
    bar.finish();
    const checkpointHash = await hashComponent(resolve(modelDir, 'unet'));
    for (const { index, seed, image } of result.images) {
      const parameters = formatGenerationParameters({ ...request, seed, checkpointId: basename(modelDir), checkpointHash, noiseMode: request.noiseMode });
      const file = request.numImages > 1 ? values.out.replace(/(\.[a-z]+)$/i, `-${index}$1`) : values.out;
      writeFileSync(file, await encodeImage(image, { format, quality, parameters }));
      io.out(`wrote ${file} (seed ${seed})`);
    }
    const { tokens, chunks } = result.prompt;
    if (tokens.droppedTokenCount > 0) io.out(`note: the prompt was cut at ${tokens.ids.length} tokens (${chunks} chunks); dropped: "${tokens.droppedText}"`);
    return 0;
  } catch (error) {
    // The init image's refusals are the API's own (ApiError naming initImage): bad input too.
    if (error instanceof ApiError) {
      io.out(`generate: ${error.message}`);
      return 2;
    }
    io.out(`generate: ${error instanceof EngineError ? error.message : `unexpected error: ${(error as Error).message}`}`);
    return error instanceof EngineError && error.code === 'INVALID_INPUT' ? 2 : 1;
  } finally {
    await pipeline?.release();
  }
}

/**
 * The picture of --init-image as decoded RGB at its own size, checked as the API checks an upload:
 * at most MAX_IMAGE_INPUT_BYTES are read (one more tells a larger file), then type and pixels.
 */
async function readInitImageFile(file: string, modelDir: string): Promise<RgbImage> {
  const graph = join(modelDir, VAE_ENCODER_GRAPH);
  const problem = checkVaeEncoder(existsSync(graph) ? graph : null);
  if (problem !== null) throw new InvalidInputError('initImage', `needs a model with a usable VAE encoder; ${basename(modelDir)} cannot start from an image: ${problem}`);
  let bytes: Buffer;
  try {
    const fd = openSync(file, 'r');
    try {
      const buffer = Buffer.alloc(MAX_IMAGE_INPUT_BYTES + 1);
      bytes = buffer.subarray(0, readSync(fd, buffer, 0, buffer.length, 0));
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    throw new InvalidInputError('initImage', `cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  return decodeImageInput(readImageBytes(bytes, 'initImage'), 'initImage');
}

const VAE_TILING_MODES = ['auto', 'on', 'off'] as const;

/** --vae-tiling and --vae-tile-size as the engine's decode options; InvalidInputError naming the option when bad. */
function vaeDecodeOptions(mode: string | undefined, tileSize: string | undefined): VaeDecodeOptions {
  if (mode !== undefined && !(VAE_TILING_MODES as readonly string[]).includes(mode)) {
    throw new InvalidInputError('vae-tiling', `must be one of ${VAE_TILING_MODES.join(', ')}, got "${mode}"`);
  }
  const tileAbovePixels = mode === 'on' ? 0 : mode === 'off' ? Number.POSITIVE_INFINITY : DEFAULT_TILE_ABOVE_PIXELS;
  if (tileSize === undefined) return { tileAbovePixels };
  const pixels = Number(tileSize);
  if (!/^\d+$/.test(tileSize) || pixels < 64 || pixels > 4096 || pixels % 8 !== 0) {
    throw new InvalidInputError('vae-tile-size', `must be a multiple of 8 from 64 to 4096 pixels, got "${tileSize}"`);
  }
  return { tileAbovePixels, tileLatentSize: pixels / 8, tileOverlapLatent: Math.floor(pixels / 32) };
}

function formatOf(file: string): ImageFormat | undefined {
  const ext = extname(file).toLowerCase().slice(1);
  const format = ext === 'jpg' ? 'jpeg' : ext;
  return (IMAGE_FORMATS as readonly string[]).includes(format) ? (format as ImageFormat) : undefined;
}

/** Numbers from the command line; anything not numeric is passed on as text so validation names it. */
function numberOption(text: string | undefined): number | string | undefined {
  if (text === undefined) return undefined;
  return /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text;
}

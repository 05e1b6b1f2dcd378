/**
 * Text to image and image to image on one loaded model, as separable steps (encode prompts, encode
 * the initial image, create sequences, one denoising step over any set of sequences, decode) that a
 * batching worker drives, plus `generate`, which runs them in order for one request.
 */
import { CancelledError, InvalidInputError } from '../errors';
import { fitInitImage, imageToSample } from './fit-init-image';
import { loadModel, type LoadedModel } from '../model/loaded-model';
import { createNoiseSource, seedForImage } from '../noise';
import type { RuntimeOptions } from '../runtime/onnx-runtime';
import { createScheduler } from '../schedulers';
import { decodeLatents, type RgbImage, type VaeDecodeOptions } from './decode-latents';
import { denoiseStep } from './denoise-step';
import { DenoisingSequence } from './denoising-sequence';
import { encodePrompts, planPrompts, type PromptPlan } from './encode-prompts';
import { encodeInitImages, type LatentDistribution, type VaeEncoder } from './encode-init-images';
import { imageToImageLatents, imageToImageStart } from './image-to-image';
import { usesClassifierFreeGuidance } from './classifier-free-guidance';
import type { GenerationRequest } from './generation-request';

export interface StepProgress {
  /** 1-based: the step just finished. */
  readonly step: number;
  readonly totalSteps: number;
  readonly timestep: number;
  readonly elapsedMs: number;
}

export interface GenerateOptions {
  readonly onProgress?: (progress: StepProgress) => void;
  /** Checked between steps; an aborted generation throws CancelledError. */
  readonly signal?: AbortSignal;
}

export interface GeneratedImage {
  readonly index: number;
  readonly seed: bigint;
  readonly image: RgbImage;
}

export interface GenerationResult {
  readonly images: GeneratedImage[];
  readonly prompt: PromptPlan;
  readonly negativePrompt?: PromptPlan;
}

export interface PipelineOptions {
  /** Prompt chunks of 75 tokens at most (default: the model's limit, MAX_PROMPT_CHUNKS); 1 cuts prompts at 77 ids as diffusers' standard pipeline does. */
  readonly maxPromptChunks?: number;
  /** Which images are decoded tile by tile (default: those above 512 × 512 pixels, when the VAE's dims are dynamic). */
  readonly vaeDecode?: VaeDecodeOptions;
}

export class StableDiffusionPipeline {
  constructor(
    readonly model: LoadedModel,
    readonly options: PipelineOptions = {},
  ) {}

  static async load(dir: string, runtime: RuntimeOptions, options: PipelineOptions = {}): Promise<StableDiffusionPipeline> {
    return new StableDiffusionPipeline(await loadModel(dir, runtime), options);
  }

  /** Strings are planned alone. Throws NonFiniteOutputError when the text encoder's states for a prompt are not finite. */
  async encodePrompts(prompts: readonly (string | PromptPlan)[]): Promise<{ states: Float32Array[]; plans: PromptPlan[] }> {
    const { directory, textEncoder, signature } = this.model;
    const encoded = await encodePrompts(prompts, directory.tokenizer, textEncoder, signature);
    const broken = encoded.nonFinite.find((e) => e !== undefined);
    if (broken) throw broken;
    return encoded;
  }

  /** The prompts of a request, planned together (a prompt and its negative share one chunk count). */
  planRequest(request: GenerationRequest): PromptPlan[] {
    const { directory, signature } = this.model;
    const texts = usesClassifierFreeGuidance(request) ? [request.prompt, request.negativePrompt] : [request.prompt];
    return planPrompts(texts, request.emphasis, directory.tokenizer, signature, this.options.maxPromptChunks);
  }

  /** Prompt embeddings for a request: [cond] or, with guidance, [cond, uncond]. */
  async encodeRequest(request: GenerationRequest): Promise<{ cond: Float32Array; uncond?: Float32Array; plans: PromptPlan[] }> {
    const { states, plans } = await this.encodePrompts(this.planRequest(request));
    return { cond: states[0] as Float32Array, uncond: states[1], plans };
  }

  /** The encoder image to image needs; InvalidInputError naming initImage when this checkpoint has none. */
  vaeEncoder(): VaeEncoder {
    const { vaeEncoder, vaeEncoderProblem } = this.model;
    if (!vaeEncoder) throw new InvalidInputError('initImage', `this checkpoint cannot do image to image: ${vaeEncoderProblem ?? 'it has no vae_encoder component'}`);
    return vaeEncoder;
  }

  /** Image to image: the request's photo fitted to its size and encoded (the latent distribution); undefined for text to image. */
  async encodeInitImage(request: GenerationRequest): Promise<LatentDistribution | undefined> {
    if (!request.initImage) return undefined;
    const encoder = this.vaeEncoder();
    const sample = imageToSample(fitInitImage(request.initImage, request.width, request.height, request.noiseMode));
    const [encoded] = await encodeInitImages([sample], request.height, request.width, this.model.signature.latentChannels, encoder);
    if (encoded === undefined || !('mean' in encoded)) throw encoded ?? new RangeError('the encoder returned nothing');
    return encoded;
  }

  /**
   * One sequence per image, image i seeded with seed + i and holding its own scheduler. Image to
   * image (`initLatents`, the photo's distribution, required exactly when the request has an
   * initImage) starts each sequence part way through the schedule from the noised photo latents.
   */
  createSequences(request: GenerationRequest, embeddings: { cond: Float32Array; uncond?: Float32Array }, idPrefix = 'image', initLatents?: LatentDistribution): DenoisingSequence[] {
    const { signature, directory } = this.model;
    const shape: [number, number, number] = [signature.latentChannels, request.height / 8, request.width / 8];
    if ((request.initImage !== undefined) !== (initLatents !== undefined)) throw new RangeError('initLatents are needed exactly when the request has an initImage');
    return Array.from({ length: request.numImages }, (_, index) => {
      const noise = createNoiseSource(request.noiseMode, seedForImage(request.seed, index));
      const scheduler = createScheduler(request.scheduler, directory.schedulerConfig, { eta: request.eta });
      scheduler.setTimesteps(request.steps);
      const id = `${idPrefix}-${index}`;
      if (initLatents) {
        const start = imageToImageStart(scheduler, request.scheduler, directory.schedulerConfig, request.steps, request.strength ?? 1, request.noiseMode);
        const latents = imageToImageLatents(scheduler, start, initLatents, directory.vaeScalingFactor, noise, request.noiseMode);
        return new DenoisingSequence(id, shape, latents, scheduler, noise, request.guidanceScale, embeddings, start.startIndex);
      }
      const latents = noise.randn(shape[0] * shape[1] * shape[2]);
      const sigma = scheduler.initNoiseSigma;
      if (sigma !== 1) for (let i = 0; i < latents.length; i++) latents[i] = (latents[i] as number) * sigma;
      return new DenoisingSequence(id, shape, latents, scheduler, noise, request.guidanceScale, embeddings);
    });
  }

  /** One step of every sequence; throws NonFiniteOutputError when the UNet's output for any of them was not finite. */
  async step(sequences: readonly DenoisingSequence[]): Promise<void> {
    const [failure] = await denoiseStep(sequences, this.model.unet, this.model.signature);
    if (failure) throw failure.error;
  }

  decode(sequences: readonly DenoisingSequence[]): Promise<RgbImage[]> {
    const first = sequences[0];
    if (!first) return Promise.resolve([]);
    const { vaeDecoder, signature, directory } = this.model;
    return decodeLatents(sequences.map((s) => s.latents), first.latentShape, vaeDecoder, signature, directory.vaeScalingFactor, this.options.vaeDecode);
  }

  /** All images of a request denoised together, one UNet call per step. */
  async generate(request: GenerationRequest, options: GenerateOptions = {}): Promise<GenerationResult> {
    const started = Date.now();
    const throwIfAborted = (): void => {
      if (options.signal?.aborted) throw new CancelledError();
    };
    throwIfAborted();
    // The photo first: a checkpoint without an encoder refuses before the text encoder runs.
    const initLatents = await this.encodeInitImage(request);
    const { plans, ...embeddings } = await this.encodeRequest(request);
    const sequences = this.createSequences(request, embeddings, 'image', initLatents);
    const first = sequences[0] as DenoisingSequence;
    while (!first.done) {
      throwIfAborted();
      const timestep = first.timestep;
      await this.step(sequences);
      options.onProgress?.({ step: first.stepIndex, totalSteps: first.totalSteps, timestep, elapsedMs: Date.now() - started });
    }
    throwIfAborted();
    const images = await this.decode(sequences);
    return {
      images: images.map((image, index) => ({ index, seed: seedForImage(request.seed, index), image })),
      prompt: plans[0] as PromptPlan,
      negativePrompt: plans[1],
    };
  }

  release(): Promise<void> {
    return this.model.release();
  }
}

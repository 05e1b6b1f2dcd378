/**
 * One image being generated: its latents, its own scheduler state and noise stream, its guidance
 * and its prompt embeddings. A batching worker can hold many and step any subset of them together.
 */
import type { NoiseSource } from '../noise';
import { usesClassifierFreeGuidance } from './classifier-free-guidance';
import type { Scheduler } from '../schedulers';

export interface PromptEmbeddings {
  /** [sequenceLength × contextWidth] for the prompt. */
  readonly cond: Float32Array;
  /** The same for the negative prompt; absent when the sequence runs without guidance. */
  readonly uncond?: Float32Array;
}

export class DenoisingSequence {
  private index: number;

  constructor(
    readonly id: string,
    /** [channels, height/8, width/8]. */
    readonly latentShape: readonly [number, number, number],
    public latents: Float32Array,
    readonly scheduler: Scheduler,
    readonly noise: NoiseSource,
    readonly guidanceScale: number,
    readonly embeddings: PromptEmbeddings,
    /**
     * Schedule index of the first step: 0 for text to image; image to image enters the schedule part
     * way (image-to-image.ts), so it runs fewer steps.
     */
    readonly startIndex = 0,
  ) {
    if (!Number.isInteger(startIndex) || startIndex < 0 || startIndex >= scheduler.timesteps.length) {
      throw new RangeError(`start index ${startIndex} is outside the ${scheduler.timesteps.length}-step schedule`);
    }
    this.index = startIndex;
    const expected = latentShape[0] * latentShape[1] * latentShape[2];
    if (latents.length !== expected) throw new RangeError(`latents hold ${latents.length} values, shape needs ${expected}`);
    if (usesClassifierFreeGuidance({ guidanceScale }) !== (embeddings.uncond !== undefined)) {
      throw new RangeError('unconditional embeddings are needed exactly when guidanceScale > 1');
    }
  }

  /** True when classifier-free guidance applies: two UNet rows, [uncond, cond]. */
  get guided(): boolean {
    return this.embeddings.uncond !== undefined;
  }

  get rows(): number {
    return this.guided ? 2 : 1;
  }

  /** Steps done so far. */
  get stepIndex(): number {
    return this.index - this.startIndex;
  }

  /** Steps this sequence runs (UNet calls), from its start to the end of the schedule. */
  get totalSteps(): number {
    return this.scheduler.timesteps.length - this.startIndex;
  }

  get done(): boolean {
    return this.index >= this.scheduler.timesteps.length;
  }

  get timestep(): number {
    const t = this.scheduler.timesteps[this.index];
    if (t === undefined) throw new RangeError(`sequence ${this.id} has finished its ${this.totalSteps} steps`);
    return t;
  }

  /** The clean image the last step predicted (x0, in latent space), computed now; null before the first step. For previews. */
  predictedOriginal(): Float32Array | null {
    return this.scheduler.predictedOriginalSample();
  }

  /** Applies guidance to the UNet's rows for this sequence and takes one scheduler step. */
  advance(cond: Float32Array, uncond: Float32Array | undefined): void {
    let prediction = cond;
    if (uncond) {
      const g = this.guidanceScale;
      prediction = new Float32Array(cond.length);
      for (let i = 0; i < cond.length; i++) {
        const u = uncond[i] as number;
        prediction[i] = u + g * ((cond[i] as number) - u);
      }
    }
    this.latents = this.scheduler.step(prediction, this.timestep, this.latents, this.noise);
    this.index++;
  }
}

/**
 * txt2img and img2img on the native generations: the request becomes a native body and goes to
 * Generations.start (same validation, queue, rate limits, metrics and results); a request refused
 * for its A1111 fields counts as an invalid generation in the metrics, as a native refusal does.
 */
import { Inject, Injectable, Optional } from '@nestjs/common';
import sharp from 'sharp';
import { ApiError, type ErrorCode } from '../common/error-code';
import { CheckpointsService } from '../checkpoints/checkpoints.service';
import type { StartedGeneration } from '../generation/generation-backend';
import type { GenerationRecord } from '../generation/generation-store';
import { Generations } from '../generation/generations';
import { MetricsService } from '../observability/metrics/metrics.service';
import { readImageBytes } from '../transports/image-input';
import { A1111ClientStates } from './a1111-client-state';
import { a1111Invalid } from './a1111-errors';
import { RESIZE_MODES } from './a1111-fields';
import { parseA1111Request, type A1111Ask, type A1111Route } from './a1111-request';
import { a1111ImagesResponse, type A1111ImagesBody } from './a1111-response';

export const A1111_VERSION = 'afro-fashion-diffusion (A1111 API 1.10 subset)';

@Injectable()
export class A1111ImagesService {
  constructor(
    @Inject(Generations) private readonly generations: Generations,
    @Inject(CheckpointsService) private readonly checkpoints: CheckpointsService,
    @Inject(A1111ClientStates) private readonly clients: A1111ClientStates,
    @Optional() @Inject(MetricsService) private readonly metrics?: MetricsService,
  ) {}

  async start(route: A1111Route, body: unknown, clientId: string): Promise<{ ask: A1111Ask } & StartedGeneration> {
    const state = this.clients.get(clientId);
    let ask: A1111Ask;
    try {
      ask = parseA1111Request(route, body, state.checkpoint);
      if (state.emphasis !== undefined && ask.generation['emphasis'] === undefined) ask = { ...ask, generation: { ...ask.generation, emphasis: state.emphasis } };
      if (ask.resizeMode === RESIZE_MODES.justResize && ask.initImage !== undefined) await checkJustResize(ask);
    } catch (error) {
      this.metrics?.generationFailed(error);
      throw error;
    }
    const started = await this.generations.start(ask.generation, clientId);
    this.clients.update(clientId, { currentGenerationId: started.record.id });
    return { ask, ...started };
  }

  /** The answer for a generation that has ended: its images, or its error (in A1111's shape, by the error face). */
  async answer(finished: GenerationRecord, ask: A1111Ask): Promise<A1111ImagesBody> {
    if (finished.error) throw new ApiError(finished.error.code as ErrorCode, finished.error.message, { id: finished.id });
    // The infotexts are read from the PNGs, so the bytes are needed even when send_images is false.
    const record = await this.generations.withImageBytes(finished);
    return a1111ImagesResponse(record, ask, { checkpointHash: this.checkpoints.unetHash(record.checkpointId), version: A1111_VERSION });
  }
}

/**
 * resize_mode 0 ("Just resize") stretches the photo to the size; the engine crops to cover instead
 * (Pillow's ImageOps.fit). Both give the same pixels exactly when the photo has the size's aspect
 * ratio, so 0 is honoured then and refused otherwise (resize_mode 1 is the engine's own rule).
 * A photo that cannot be read is left to the native checks, which name init_images.
 */
async function checkJustResize(ask: A1111Ask): Promise<void> {
  const width = ask.generation['width'];
  const height = ask.generation['height'];
  if (typeof width !== 'number' || typeof height !== 'number') return;
  let size: { width: number; height: number };
  try {
    const meta = await sharp(readImageBytes(ask.initImage, 'initImage'), { limitInputPixels: false }).metadata();
    if (meta.width === undefined || meta.height === undefined) return;
    // EXIF orientations 5 to 8 turn the picture a quarter: the engine sees it turned.
    size = (meta.orientation ?? 1) >= 5 ? { width: meta.height, height: meta.width } : { width: meta.width, height: meta.height };
  } catch {
    return;
  }
  if (size.width * height !== size.height * width) {
    throw a1111Invalid(
      ['resize_mode'],
      `0 (just resize) would stretch this ${size.width}×${size.height} photo to ${width}×${height}, which this server does not do; send resize_mode 1 (crop and resize) or a photo of the same aspect ratio`,
      0,
    );
  }
}

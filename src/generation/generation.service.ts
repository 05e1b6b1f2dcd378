/** Generations: validate, queue on the pool, encode images with their parameters, keep results. */
import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ApiError, ErrorCode, invalidArgument, toApiError } from '../common/error-code';
import { encodeImage, IMAGE_FORMATS, MIME_TYPES, type ImageFormat } from '../engine/image/encode-image';
import { formatGenerationParameters } from '../engine/image/generation-parameters';
import { parseGenerationRequest, type GenerationInput } from '../engine/pipeline/generation-request';
import { InferencePool } from '../pool';
import { CheckpointsService } from '../checkpoints/checkpoints.service';
import { GenerationStore, type GenerationRecord } from './generation-store';

export interface GenerationView {
  readonly id: string;
  readonly status: string;
  readonly checkpoint: string;
  readonly progress: { step: number; totalSteps: number; etaMs: number };
  readonly images: ReadonlyArray<{ index: number; seed: string; mimeType: string; url: string; base64?: string }>;
  readonly error?: { code: string; message: string };
}

@Injectable()
export class GenerationService {
  constructor(
    @Inject(InferencePool) private readonly pool: InferencePool,
    @Inject(CheckpointsService) private readonly checkpoints: CheckpointsService,
    @Inject(GenerationStore) private readonly store: GenerationStore,
  ) {}

  /** Starts a generation; the returned promise settles when it ends (the record is readable before). */
  start(body: unknown, clientId: string): { record: GenerationRecord; done: Promise<GenerationRecord> } {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw invalidArgument('body', 'must be a JSON object');
    const input = body as GenerationInput;
    const checkpoint = this.checkpoints.resolve(input['checkpoint']);
    const format = outputFormat(input['outputFormat']);
    const quality = input['quality'];
    if (quality !== undefined && (typeof quality !== 'number' || !Number.isInteger(quality) || quality < 1 || quality > 100)) {
      throw invalidArgument('quality', 'must be an integer from 1 to 100');
    }
    let request;
    try {
      request = parseGenerationRequest(input);
    } catch (error) {
      throw toApiError(error);
    }
    const record: GenerationRecord = {
      id: randomUUID(),
      checkpointId: checkpoint.id,
      createdAt: Date.now(),
      status: 'queued',
      progress: { step: 0, totalSteps: request.steps, etaMs: 0 },
      images: [],
    };
    let job;
    try {
      job = this.pool.submit({
        checkpointId: checkpoint.id,
        request,
        clientId,
        onProgress: (p) => {
          record.status = 'running';
          record.progress = { step: p.step, totalSteps: p.totalSteps, etaMs: p.etaMs };
        },
      });
    } catch (error) {
      throw toApiError(error);
    }
    record.cancel = () => job.cancel();
    this.store.add(record);
    const hash = this.checkpoints.unetHash(checkpoint.id);
    const done = job.result.then(
      async (result) => {
        const images = await Promise.all(
          result.images.map(async ({ index, seed, image }) => {
            const parameters = formatGenerationParameters({ ...request, seed, checkpointId: checkpoint.id, checkpointHash: hash, noiseMode: request.noiseMode });
            const bytes = await encodeImage(image, { format, quality: quality as number | undefined, parameters });
            return { index, seed: seed.toString(), mimeType: MIME_TYPES[format], bytes };
          }),
        );
        this.store.setImages(record, images);
        record.status = 'succeeded';
        record.progress = { ...record.progress, step: record.progress.totalSteps, etaMs: 0 };
        return record;
      },
      (error: unknown) => {
        const apiError = toApiError(error);
        record.status = apiError.code === ErrorCode.CANCELLED ? 'cancelled' : 'failed';
        record.error = { code: apiError.code, message: apiError.message };
        return record;
      },
    );
    return { record, done };
  }

  get(id: string): GenerationRecord {
    return this.store.get(id);
  }

  cancel(id: string): GenerationRecord {
    const record = this.store.get(id);
    if (record.status === 'queued' || record.status === 'running') record.cancel?.();
    return record;
  }

  image(id: string, index: string): { mimeType: string; bytes: Buffer } {
    const record = this.store.get(id);
    if (record.status !== 'succeeded') throw new ApiError(ErrorCode.CONFLICT, `generation ${id} is ${record.status}; images exist once it has succeeded`, { status: record.status });
    const image = /^\d+$/.test(index) ? record.images[Number(index)] : undefined;
    if (!image) throw new ApiError(ErrorCode.NOT_FOUND, `generation ${id} has no image ${index} (it has ${record.images.length})`);
    return image;
  }

  view(record: GenerationRecord, base64: boolean): GenerationView {
    return {
      id: record.id,
      status: record.status,
      checkpoint: record.checkpointId,
      progress: record.progress,
      images: record.images.map((i) => ({
        index: i.index,
        seed: i.seed,
        mimeType: i.mimeType,
        url: `/v1/generations/${record.id}/images/${i.index}`,
        ...(base64 ? { base64: i.bytes.toString('base64') } : {}),
      })),
      ...(record.error ? { error: record.error } : {}),
    };
  }
}

function outputFormat(value: unknown): ImageFormat {
  if (value === undefined) return 'png';
  if (typeof value !== 'string' || !(IMAGE_FORMATS as readonly string[]).includes(value)) {
    throw invalidArgument('outputFormat', `must be one of ${IMAGE_FORMATS.join(', ')}`);
  }
  return value as ImageFormat;
}

/**
 * Generations: time per phase, images produced, failures by reason. Labels are the checkpoint id
 * (resolved against the registry, so bounded) and fixed vocabularies; never prompts or ids.
 */
import { Counter, Histogram, type Registry } from 'prom-client';
import { ErrorCode } from '../../common/error-code';
import { toApiError } from '../../error-mapping/to-api-error';
import type { JobTimings } from '../../pool';

export const GENERATION_PHASES = ['queue', 'model_load', 'text_encoding', 'denoising', 'decoding', 'image_encoding'] as const;
export type GenerationPhase = (typeof GENERATION_PHASES)[number];

export const FAILURE_REASONS = ['rejected', 'cancelled', 'timeout', 'model_error', 'invalid'] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

const PHASE_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

/**
 * The reason label of a failed or refused generation, from the API's error code (and the pool's
 * code kept in `details.reason`: a checkpoint that cannot fit in memory is a model error, not a full queue).
 */
export function failureReason(error: unknown): FailureReason {
  const apiError = toApiError(error);
  switch (apiError.code) {
    case ErrorCode.CANCELLED:
      return 'cancelled';
    case ErrorCode.DEADLINE_EXCEEDED:
      return 'timeout';
    case ErrorCode.RESOURCE_EXHAUSTED:
      return apiError.details['reason'] === 'MEMORY_BUDGET_EXCEEDED' ? 'model_error' : 'rejected';
    case ErrorCode.UNAVAILABLE:
      return 'rejected';
    case ErrorCode.MODEL_FAILED:
    case ErrorCode.INTERNAL:
      return 'model_error';
    default:
      // INVALID_ARGUMENT, NOT_FOUND (unknown checkpoint), CONFLICT (Idempotency-Key), TOO_LARGE, access errors.
      return 'invalid';
  }
}

export class GenerationMetrics {
  private readonly phases: Histogram<'phase' | 'checkpoint'>;
  private readonly total: Histogram<'checkpoint'>;
  private readonly images: Counter<'checkpoint'>;
  private readonly failures: Counter<'reason'>;

  constructor(registry: Registry) {
    this.phases = new Histogram({
      name: 'afd_generation_phase_seconds',
      help: 'Time a generation spent in each phase: queue, model_load, text_encoding, denoising, decoding (VAE), image_encoding (PNG/JPEG/WebP)',
      labelNames: ['phase', 'checkpoint'],
      buckets: PHASE_BUCKETS,
      registers: [registry],
    });
    this.total = new Histogram({
      name: 'afd_generation_duration_seconds',
      help: 'Time from submission to encoded images, for generations that succeeded',
      labelNames: ['checkpoint'],
      buckets: PHASE_BUCKETS,
      registers: [registry],
    });
    this.images = new Counter({ name: 'afd_images_generated_total', help: 'Images generated and encoded', labelNames: ['checkpoint'], registers: [registry] });
    this.failures = new Counter({
      name: 'afd_generation_failures_total',
      help: 'Generations refused or failed, by reason: rejected (queue full, shutting down), cancelled, timeout, model_error, invalid',
      labelNames: ['reason'],
      registers: [registry],
    });
    for (const reason of FAILURE_REASONS) this.failures.inc({ reason }, 0);
  }

  /** A generation that produced its images: the pool's phases plus the image encoding measured by the caller. */
  succeeded(checkpoint: string, timings: JobTimings, imageCount: number, imageEncodingSeconds: number): void {
    const seconds: Record<GenerationPhase, number> = {
      queue: timings.queuedMs / 1000,
      model_load: timings.loadMs / 1000,
      text_encoding: timings.encodeMs / 1000,
      denoising: timings.denoiseMs / 1000,
      decoding: timings.decodeMs / 1000,
      image_encoding: imageEncodingSeconds,
    };
    for (const phase of GENERATION_PHASES) {
      const value = seconds[phase];
      if (Number.isFinite(value) && value >= 0) this.phases.observe({ phase, checkpoint }, value);
    }
    const total = timings.totalMs / 1000 + imageEncodingSeconds;
    if (Number.isFinite(total) && total >= 0) this.total.observe({ checkpoint }, total);
    this.images.inc({ checkpoint }, imageCount);
  }

  failed(error: unknown): void {
    this.failures.inc({ reason: failureReason(error) });
  }
}

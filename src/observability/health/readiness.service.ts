/**
 * When the server may take traffic: the default checkpoint loaded and warmed up by one tiny
 * generation (first calls into ORT are slow), at least one device ready, and not shutting down.
 * The warm-up runs in the background after start; a failed one is retried with backoff.
 */
import { Inject, Injectable, Logger, Optional, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { AccessService } from '../../auth/access.service';
import { CHECKPOINT_REGISTRY } from '../../checkpoints/checkpoints.service';
import type { CheckpointEntry } from '../../checkpoints/checkpoint-registry';
import { parseGenerationRequest } from '../../engine/pipeline/generation-request';
import { InferencePool } from '../../pool';
import { MetricsService } from '../metrics/metrics.service';

export const WARM_UP_CLIENT = 'system:warm-up';
/** The message of every job a shutdown ends (code UNAVAILABLE): its client may retry elsewhere. */
export const SHUTDOWN_MESSAGE = 'server shutting down';
const RETRY_DELAYS_MS = [1_000, 5_000, 15_000, 60_000];

export interface Readiness {
  readonly ready: boolean;
  readonly warmedUp: boolean;
  readonly draining: boolean;
  readonly defaultCheckpoint: string;
  readonly lastError?: string;
}

@Injectable()
export class ReadinessService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Readiness');
  private warmedUp = false;
  private draining = false;
  /** When draining began (performance.now()). */
  private drainStartedAt: number | undefined;
  private lastError: string | undefined;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(InferencePool) private readonly pool: InferencePool,
    @Inject(CHECKPOINT_REGISTRY) private readonly registry: readonly CheckpointEntry[],
    @Inject(AccessService) private readonly access: AccessService,
    @Optional() @Inject(MetricsService) metrics?: MetricsService,
  ) {
    metrics?.readinessFrom(async () => (await this.state()).ready);
  }

  onApplicationBootstrap(): void {
    void this.warmUp(0);
  }

  beforeApplicationShutdown(): void {
    this.beginDrain();
  }

  /** From now on: not ready, and new generation requests are refused (AccessService). */
  beginDrain(): void {
    this.drainStartedAt ??= performance.now();
    this.draining = true;
    this.access.beginDrain();
    clearTimeout(this.retryTimer);
  }

  /** SIGTERM's first step: stop taking work, then wait (up to the timeout) until queued and running jobs have ended. */
  async drain(timeoutMs: number): Promise<{ idle: boolean; waitedMs: number }> {
    this.beginDrain();
    const started = Date.now();
    for (;;) {
      const stats = await this.pool.stats().catch(() => undefined);
      const busy = stats ? stats.queued + stats.running : 0;
      if (busy === 0) return { idle: true, waitedMs: Date.now() - started };
      if (Date.now() - started >= timeoutMs) return { idle: false, waitedMs: Date.now() - started };
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /**
   * The end of the grace period: every job still queued or running fails with UNAVAILABLE "server
   * shutting down" (its streams get that final event) and no new one starts; returns how many.
   */
  cancelRemaining(): number {
    this.beginDrain();
    return this.pool.cancelAll(SHUTDOWN_MESSAGE);
  }

  /** What is left of a grace period counted from the start of the drain (all of it before the drain begins). */
  graceLeftMs(graceMs: number): number {
    return this.drainStartedAt === undefined ? graceMs : Math.max(0, graceMs - (performance.now() - this.drainStartedAt));
  }

  async state(): Promise<Readiness> {
    const stats = await this.pool.stats().catch(() => undefined);
    const deviceReady = stats?.devices.some((d) => d.state === 'ready') ?? false;
    return {
      ready: this.warmedUp && deviceReady && !this.draining,
      warmedUp: this.warmedUp,
      draining: this.draining,
      defaultCheckpoint: this.defaultCheckpoint().id,
      ...(this.lastError !== undefined ? { lastError: this.lastError } : {}),
    };
  }

  private defaultCheckpoint(): CheckpointEntry {
    return this.registry.find((c) => c.default) ?? (this.registry[0] as CheckpointEntry);
  }

  private async warmUp(attempt: number): Promise<void> {
    if (this.draining) return;
    const checkpoint = this.defaultCheckpoint();
    const started = Date.now();
    try {
      const request = parseGenerationRequest({ prompt: 'warm-up', width: 64, height: 64, steps: 1, seed: 0 });
      await this.pool.submit({ checkpointId: checkpoint.id, request, clientId: WARM_UP_CLIENT, priority: 'high' }).result;
      this.warmedUp = true;
      this.lastError = undefined;
      this.logger.log(`ready: ${checkpoint.id} loaded and warmed up in ${Date.now() - started} ms`);
    } catch (error) {
      if (this.draining) return;
      this.lastError = (error as Error).message;
      const delay = RETRY_DELAYS_MS[Math.min(attempt, RETRY_DELAYS_MS.length - 1)] as number;
      this.logger.error(`warm-up of ${checkpoint.id} failed (${this.lastError}); retrying in ${delay / 1000} s`);
      this.retryTimer = setTimeout(() => void this.warmUp(attempt + 1), delay);
      this.retryTimer.unref();
    }
  }
}

/**
 * Deliveries as BullMQ jobs (AFD_JOBS=redis): one job per attempt in the `webhooks` queue, under the
 * deployment's prefix. Any replica may run an attempt; one that dies mid-attempt stops renewing its
 * lock and another runs the attempt again (at least once, under the same webhook-id). A failed attempt
 * adds the next one as a delayed job before it completes, with a job id made of the webhook-id and the
 * attempt number, so an attempt run twice still schedules one next attempt.
 */
import { Logger } from '@nestjs/common';
import { Queue, Worker, type Job } from 'bullmq';
import IORedis, { type Redis } from 'ioredis';
import type { Delivery, DeliveryQueue } from './delivery';
import type { DeliveryAttempts } from './delivery-attempts';

interface AttemptJob {
  readonly delivery: Delivery;
  readonly attempt: number;
}

export interface RedisDeliverySettings {
  readonly redisUrl: string;
  readonly bullPrefix: string;
  /** false: this replica queues deliveries but makes none (an API-only front). */
  readonly runsJobs: boolean;
  /** A replica that stops renewing an attempt's lock this long loses it to another. */
  readonly lockMs: number;
  readonly concurrency: number;
}

const QUEUE = 'webhooks';
/** Finished attempt jobs stay this long, so an event queued again within it is recognised by its id. */
const KEEP_SECONDS = 24 * 3600;

export class RedisDeliveryQueue implements DeliveryQueue {
  private readonly logger = new Logger('Webhooks');
  private readonly queue: Queue<AttemptJob>;
  private readonly worker?: Worker<AttemptJob>;
  private readonly active = new Set<string>();
  private abandoned = false;
  /** Connections handed to BullMQ (it does not close connections it was given). */
  private readonly connections: Redis[] = [];

  constructor(
    private readonly attempts: DeliveryAttempts,
    settings: RedisDeliverySettings,
  ) {
    const connection = (): Redis => {
      const redis = new IORedis(settings.redisUrl, { maxRetriesPerRequest: null });
      this.connections.push(redis);
      return redis;
    };
    this.queue = new Queue<AttemptJob>(QUEUE, { connection: connection(), prefix: settings.bullPrefix });
    if (!settings.runsJobs) return;
    this.worker = new Worker<AttemptJob>(QUEUE, (job) => this.process(job), {
      connection: connection(),
      prefix: settings.bullPrefix,
      concurrency: settings.concurrency,
      lockDuration: settings.lockMs,
      stalledInterval: settings.lockMs,
      // An attempt whose replica died is run again by another, more than once if need be: each run is one POST.
      maxStalledCount: 10,
    });
    this.worker.on('error', (error) => this.logger.warn(`webhook queue: ${error.message}`));
  }

  async enqueue(delivery: Delivery): Promise<void> {
    await this.add({ delivery, attempt: 1 }, 0);
  }

  private async add(job: AttemptJob, delay: number): Promise<void> {
    await this.queue.add('attempt', job, { jobId: `${job.delivery.webhookId}-${job.attempt}`, delay, removeOnComplete: { age: KEEP_SECONDS }, removeOnFail: { age: KEEP_SECONDS } });
  }

  private async process(job: Job<AttemptJob>): Promise<void> {
    const { delivery, attempt } = job.data;
    this.active.add(delivery.webhookId);
    try {
      const { retryInMs } = await this.attempts.run(delivery, attempt);
      if (retryInMs !== undefined) await this.add({ delivery, attempt: attempt + 1 }, retryInMs);
    } catch (error) {
      // A replica that has "died" (abandon) finishes nothing; otherwise BullMQ fails the job and says why.
      if (!this.abandoned) throw error;
    } finally {
      this.active.delete(delivery.webhookId);
    }
  }

  /** Webhook-ids of the attempts this replica is making now (tests). */
  activeWebhookIds(): string[] {
    return [...this.active];
  }

  /** Pending deliveries stay in Redis for the other replicas: stop taking attempts, let the running ones finish by the deadline. */
  async drain(deadline: number): Promise<void> {
    if (!this.worker) return;
    await Promise.race([this.worker.close(), new Promise((resolve) => setTimeout(resolve, Math.max(0, deadline - Date.now())).unref())]);
  }

  async close(): Promise<void> {
    await this.worker?.close();
    await this.queue.close();
    await Promise.allSettled(this.connections.map((c) => c.quit()));
  }

  /** Simulates this replica dying (tests): stop renewing locks and cut every connection, without finishing anything. */
  async abandon(): Promise<void> {
    this.abandoned = true;
    await this.worker?.close(true);
    for (const connection of this.connections) connection.disconnect();
    await this.queue.close().catch(() => undefined);
  }
}

/**
 * Generations shared by replicas through Redis. Any replica accepts a request: it validates it,
 * writes the job's state and queues it in BullMQ (one queue per checkpoint). Replicas that run jobs
 * take them from the queues of checkpoints they hold in memory at once, and from the others once a
 * job has waited `affinityWaitMs`. State, progress events (pub/sub), cancellation and results are
 * visible from every replica. A replica that dies mid-job stops renewing its lock: the job is
 * retried once on another replica (seeds are fixed at submission, so the images are the same),
 * then failed clearly.
 */
import { Logger } from '@nestjs/common';
import { Queue, WaitingError, Worker, type Job } from 'bullmq';
import IORedis, { type Redis } from 'ioredis';
import { ErrorCode, gone, notFound } from '../common/error-code';
import { toApiError } from '../error-mapping/to-api-error';
import { timeOrderedId } from '../common/time-ordered-id';
import { imageAt, type GenerationBackend, type StartedGeneration } from '../generation/generation-backend';
import { canView, type GenerationRecord, type Viewer } from '../generation/generation-store';
import { bodyFingerprint, checkIdempotencyKey, checkSameRequest } from '../generation/idempotency-cache';
import { doneEvent, isFinished, progressEvent, type GenerationEvent, type GenerationService } from '../generation/generation.service';
import { ENDED_SUBSCRIPTION, ProgressFanout, PublishedEvent, type EventSink, type EventSubscription } from '../generation/progress-fanout';
import type { InferencePool } from '../pool';
import { redisKeys, type DistributedConfig } from '../config/distributed-config';
import { recordOf, type GenerationState } from './generation-state';
import { unlessRedisFull } from './redis-full';
import { RedisResultStore } from './redis-result-store';

interface JobData {
  readonly id: string;
  readonly input: Record<string, unknown>;
  readonly clientId: string;
}

const PROGRESS_WRITE_INTERVAL_MS = 200;
const AFFINITY_CHECK_MS = 250;

export class RedisGenerations implements GenerationBackend {
  private readonly logger = new Logger('Distributed');
  private readonly redis: Redis;
  private readonly subscriber: Redis;
  private readonly queues = new Map<string, Queue>();
  private readonly workers = new Map<string, Worker>();
  private readonly listeners = new Map<string, Set<(event: GenerationEvent) => void>>();
  /** Per generation with subscribers on this replica: its fan-out, and when its Redis listener is in place. */
  private readonly fanouts = new Map<string, ProgressFanout>();
  private readonly fanoutListening = new WeakMap<ProgressFanout, Promise<void>>();
  /** Jobs running on this replica: distributed id → cancel. */
  private readonly running = new Map<string, () => void>();
  private affinityTimer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Draining for shutdown: no more jobs are taken. */
  private stopped = false;
  private abandoned = false;
  private readonly keys: ReturnType<typeof redisKeys>;
  private readonly results: RedisResultStore;
  /** Connections handed to BullMQ (it does not close connections it was given). */
  private readonly connections: Redis[] = [];

  constructor(
    private readonly config: DistributedConfig,
    private readonly local: GenerationService,
    private readonly pool: InferencePool,
    checkpointIds: readonly string[],
  ) {
    this.keys = redisKeys(config.prefix);
    const options = { maxRetriesPerRequest: null, enableReadyCheck: true } as const;
    this.redis = new IORedis(config.redisUrl, options);
    this.subscriber = new IORedis(config.redisUrl, options);
    this.results = new RedisResultStore(this.redis, this.keys, config.prefix, config.replicaId, config.resultTtlMs, {
      totalBytes: config.resultStoreBytes,
      replicaBytes: config.replicaResultStoreBytes,
    });
    this.subscriber.on('message', (channel: string, message: string) => this.onMessage(channel, message));
    void this.subscriber.subscribe(this.keys.cancel);
    for (const checkpointId of checkpointIds) {
      this.queues.set(checkpointId, new Queue<JobData>(this.keys.queue(checkpointId), { connection: this.connection(), prefix: this.keys.bullPrefix }));
    }
    if (config.runsJobs) this.startWorkers(checkpointIds);
  }

  private connection(): Redis {
    const connection = this.redis.duplicate({ maxRetriesPerRequest: null });
    this.connections.push(connection);
    return connection;
  }

  // ---- requests (any replica) ----

  async start(body: unknown, clientId: string, idempotencyKey?: string): Promise<StartedGeneration> {
    // As in local mode: the key's form first, then the body, and only a valid body is fingerprinted.
    if (idempotencyKey !== undefined) checkIdempotencyKey(idempotencyKey);
    const { input, checkpointId, totalSteps, imageToImage } = await this.local.normalize(body);
    const id = timeOrderedId();
    if (idempotencyKey !== undefined) {
      const fingerprint = bodyFingerprint(body);
      const key = this.keys.idempotency(clientId, idempotencyKey);
      const claimed = await this.redis.set(key, JSON.stringify({ fingerprint, id }), 'PX', this.config.resultTtlMs, 'NX');
      if (claimed === null) {
        const previous = JSON.parse((await this.redis.get(key)) ?? '{}') as { fingerprint?: string; id?: string };
        if (previous.id) {
          checkSameRequest({ fingerprint: previous.fingerprint ?? '', id: previous.id }, fingerprint);
          const state = await this.readState(previous.id);
          if (state) return { record: recordOf(state), done: this.waitForEnd(previous.id) };
        }
        // Its generation expired or was evicted (byte budget): the key now names the new one.
        await this.redis.set(key, JSON.stringify({ fingerprint, id }), 'PX', this.config.resultTtlMs);
      }
    }
    const state: GenerationState = {
      id,
      checkpointId,
      clientId,
      createdAt: Date.now(),
      status: 'queued',
      progress: { step: 0, totalSteps, etaMs: 0 },
      images: [],
      attempts: 0,
      ...(imageToImage ? { imageToImage } : {}),
    };
    await unlessRedisFull(async () => {
      await this.writeState(state);
      await this.redis.set(this.keys.known(id), '1', 'PX', this.config.resultTtlMs * 10);
    });
    const done = this.waitForEnd(id);
    await unlessRedisFull(() =>
      (this.queues.get(checkpointId) as Queue).add('generate', { id, input, clientId } satisfies JobData, {
        jobId: id,
        removeOnComplete: true,
        removeOnFail: { age: Math.ceil(this.config.resultTtlMs / 1000) },
      }),
    );
    return { record: recordOf(state), done };
  }

  async get(id: string, viewer?: Viewer): Promise<GenerationRecord> {
    return recordOf(await this.requireState(id, viewer));
  }

  async image(id: string, index: string, viewer?: Viewer): Promise<{ mimeType: string; bytes: Buffer }> {
    const state = await this.requireState(id, viewer);
    const image = imageAt(id, state.status, state.images, index);
    const bytes = await this.redis.getBuffer(this.keys.image(id, image.index));
    if (!bytes) throw gone('generation', id);
    return { mimeType: image.mimeType, bytes };
  }

  /** Asks the job to stop wherever it is: removed from its queue if still waiting, else cancelled by the replica running it. */
  async cancel(id: string, viewer?: Viewer): Promise<GenerationRecord> {
    const state = await this.requireState(id, viewer);
    if (isFinished(state.status)) return recordOf(state);
    const job = await (this.queues.get(state.checkpointId) as Queue).getJob(id);
    const removed = job ? await job.remove().then(() => true, () => false) : false;
    if (removed) {
      const error = { code: ErrorCode.CANCELLED, message: `generation ${id} was cancelled` };
      const ended = await this.finish(id, (s) => ({ ...s, status: 'cancelled', error }));
      return recordOf(ended ?? state);
    }
    await this.redis.publish(this.keys.cancel, id);
    return recordOf(state);
  }

  /**
   * Progress events: the current state at once, then each step (from whichever replica runs it), then
   * done. The subscribers of one generation on this replica share one Redis listener and one fan-out
   * (each message parsed once, slow subscribers coalesced: see ProgressFanout).
   */
  async subscribe(id: string, sink: EventSink, viewer?: Viewer): Promise<EventSubscription> {
    const state = await this.requireState(id, viewer);
    const ready = sink.send(new PublishedEvent(progressEvent(recordOf(state))));
    if (isFinished(state.status)) {
      sink.send(new PublishedEvent(doneEvent(recordOf(state))));
      return ENDED_SUBSCRIPTION;
    }
    const fanout = this.fanouts.get(id) ?? this.openFanout(id);
    const subscription = fanout.add(sink, ready);
    await this.fanoutListening.get(fanout);
    // It may have ended between the read and the subscription.
    const after = await this.readState(id);
    if (after && isFinished(after.status)) fanout.publish(doneEvent(recordOf(after)));
    return subscription;
  }

  /** A fan-out fed by the generation's Redis channel, dropped (and the channel left) when its last subscriber goes. */
  private openFanout(id: string): ProgressFanout {
    const unsubscribe: { fn?: () => void; idle?: boolean } = {};
    const fanout: ProgressFanout = new ProgressFanout(() => {
      if (this.fanouts.get(id) === fanout) this.fanouts.delete(id);
      unsubscribe.idle = true;
      unsubscribe.fn?.();
    });
    this.fanouts.set(id, fanout);
    const listening = this.listen(id, (event) => fanout.publish(event)).then(
      (fn) => {
        unsubscribe.fn = fn;
        if (unsubscribe.idle) fn();
      },
      () => undefined,
    );
    this.fanoutListening.set(fanout, listening);
    return fanout;
  }

  // ---- running jobs (replicas with runsJobs) ----

  private startWorkers(checkpointIds: readonly string[]): void {
    for (const checkpointId of checkpointIds) {
      const worker = new Worker<JobData>(this.keys.queue(checkpointId), (job, token) => this.runJob(job, token), {
        prefix: this.keys.bullPrefix,
        connection: this.connection(),
        concurrency: this.config.concurrency,
        lockDuration: this.config.lockMs,
        stalledInterval: this.config.lockMs,
        maxStalledCount: 1,
        autorun: true,
      });
      worker.on('failed', (job, error) => {
        if (job) void this.finish(job.data.id, (s) => ({ ...s, status: 'failed', error: lostError(error) }));
      });
      worker.on('error', (error) => this.logger.warn(`queue ${checkpointId}: ${error.message}`));
      this.workers.set(checkpointId, worker);
    }
    this.affinityTimer = setInterval(() => void this.balance().catch(() => undefined), AFFINITY_CHECK_MS);
    this.affinityTimer.unref();
  }

  /** Take jobs for resident checkpoints at once, for the others only once they have waited affinityWaitMs. */
  private async balance(): Promise<void> {
    if (this.closed || this.stopped) return;
    const resident = new Set((await this.pool.residency()).flatMap((d) => d.residentCheckpointIds));
    for (const [checkpointId, worker] of this.workers) {
      let take = resident.has(checkpointId);
      if (!take) {
        const [oldest] = await (this.queues.get(checkpointId) as Queue).getJobs(['wait'], 0, 0, true);
        take = oldest !== undefined && Date.now() - oldest.timestamp >= this.config.affinityWaitMs;
      }
      if (take && worker.isPaused()) worker.resume();
      else if (!take && !worker.isPaused() && worker.isRunning()) worker.pause(true).catch(() => undefined);
    }
  }

  private async runJob(job: Job<JobData>, token?: string): Promise<void> {
    if (this.stopped) {
      // A wait already under way when the workers paused can still hand this replica a job: put it back for the others.
      await job.moveToWait(token);
      throw new WaitingError();
    }
    const { id, input, clientId } = job.data;
    const state = await this.readState(id);
    if (!state || isFinished(state.status)) return;
    const attempt = { ...state, status: 'queued' as const, replica: this.config.replicaId, attempts: state.attempts + 1, progress: { ...state.progress, step: 0 } };
    await this.writeState(attempt);
    let started;
    try {
      started = await this.local.run(input, clientId, id);
    } catch (error) {
      const apiError = toApiError(error);
      await this.finish(id, (s) => ({ ...s, status: 'failed', error: { code: apiError.code, message: apiError.message } }));
      return;
    }
    this.running.set(id, () => this.local.cancel(id));
    let lastWrite = 0;
    // One message per step of the generation goes to Redis (done is published by finish()).
    const progress = this.local.subscribe(id, {
      send: ({ event }) => {
        if (event.event !== 'progress') return true;
        void this.redis.publish(this.keys.events(id), JSON.stringify(event));
        const now = Date.now();
        if (now - lastWrite < PROGRESS_WRITE_INTERVAL_MS) return true;
        lastWrite = now;
        void this.writeState({ ...attempt, status: 'running', progress: { step: event.data.step, totalSteps: event.data.totalSteps, etaMs: event.data.etaMs } });
        return true;
      },
    });
    try {
      const record = await started.done;
      if (this.abandoned) return;
      if (record.status === 'succeeded') {
        await this.storeResult(id, record);
        return;
      }
      await this.finish(id, (s) => ({
        ...s,
        status: record.status,
        progress: { ...record.progress },
        images: record.images.map(({ index, seed, mimeType }) => ({ index, seed, mimeType })),
        ...(record.error ? { error: { ...record.error } } : {}),
      }));
    } finally {
      progress.unsubscribe();
      this.running.delete(id);
    }
  }

  /** Images and final state in one write, within the byte budgets (older results evicted); every replica is told. */
  private async storeResult(id: string, record: GenerationRecord): Promise<void> {
    const state = await this.readState(id);
    if (!state || isFinished(state.status)) return;
    const images = [...record.images].sort((a, b) => a.index - b.index);
    const ended: GenerationState = {
      ...state,
      status: 'succeeded',
      progress: { ...record.progress },
      // Stored under their position: image n of the state is the n-th key.
      images: images.map(({ seed, mimeType }, index) => ({ index, seed, mimeType })),
    };
    const { stored, evicted } = await this.results.store(id, JSON.stringify(ended), images.map((i) => i.bytes));
    if (evicted > 0) this.logger.debug(`result budget: ${evicted} older result(s) evicted from Redis to store ${id}`);
    if (stored) await this.redis.publish(this.keys.events(id), JSON.stringify(doneEvent(recordOf(ended))));
  }

  // ---- state, events ----

  private async readState(id: string): Promise<GenerationState | undefined> {
    const text = await this.redis.get(this.keys.state(id));
    return text ? (JSON.parse(text) as GenerationState) : undefined;
  }

  private async requireState(id: string, viewer?: Viewer): Promise<GenerationState> {
    const state = await this.readState(id);
    if (state && canView(viewer, state.clientId)) return state;
    if (state) throw notFound('generation', id);
    if (await this.redis.exists(this.keys.known(id))) throw gone('generation', id);
    throw notFound('generation', id);
  }

  private async writeState(state: GenerationState): Promise<void> {
    await this.redis.set(this.keys.state(state.id), JSON.stringify(state), 'PX', this.config.resultTtlMs);
  }

  /** Writes a final state once (a finished one is never overwritten) and tells every replica. */
  private async finish(id: string, update: (state: GenerationState) => GenerationState): Promise<GenerationState | undefined> {
    const state = await this.readState(id);
    if (!state || isFinished(state.status)) return state;
    const ended = update(state);
    await this.writeState(ended);
    await this.redis.publish(this.keys.events(id), JSON.stringify(doneEvent(recordOf(ended))));
    return ended;
  }

  private async listen(id: string, listener: (event: GenerationEvent) => void): Promise<() => void> {
    const channel = this.keys.events(id);
    let set = this.listeners.get(channel);
    if (!set) {
      this.listeners.set(channel, (set = new Set()));
      await this.subscriber.subscribe(channel);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(channel) === set) {
        this.listeners.delete(channel);
        void this.subscriber.unsubscribe(channel).catch(() => undefined);
      }
    };
  }

  private onMessage(channel: string, message: string): void {
    if (channel === this.keys.cancel) {
      this.running.get(message)?.();
      return;
    }
    const event = JSON.parse(message) as GenerationEvent;
    for (const listener of [...(this.listeners.get(channel) ?? [])]) listener(event);
  }

  /** Settles when the generation ends, with its record and image bytes. */
  private waitForEnd(id: string): Promise<GenerationRecord> {
    return new Promise((resolve, reject) => {
      let unsubscribe: (() => void) | undefined;
      let settled = false;
      const settle = async (): Promise<void> => {
        if (settled) return;
        settled = true;
        unsubscribe?.();
        try {
          const state = await this.requireState(id);
          const bytes = new Map<number, Buffer>();
          if (state.status === 'succeeded') {
            for (const image of state.images) {
              const data = await this.redis.getBuffer(this.keys.image(id, image.index));
              if (data) bytes.set(image.index, data);
            }
          }
          resolve(recordOf(state, bytes));
        } catch (error) {
          reject(error);
        }
      };
      void this.listen(id, (event) => {
        if (event.event === 'done') void settle();
      }).then(async (u) => {
        unsubscribe = u;
        if (settled) u();
        const state = await this.readState(id);
        if (state && isFinished(state.status)) void settle();
      }, reject);
    });
  }

  /** Ids of the jobs this replica is running now. */
  runningJobIds(): string[] {
    return [...this.running.keys()];
  }

  // ---- lifecycle ----

  /**
   * Shutdown's first step: take no more jobs from the queues (they wait there for the other
   * replicas) while the jobs running here finish; stream reads and writes go on until close().
   */
  async stopTakingJobs(): Promise<void> {
    this.stopped = true;
    clearInterval(this.affinityTimer);
    await Promise.allSettled([...this.workers.values()].map((w) => w.pause(true)));
  }

  /** Stop taking jobs; jobs running here finish (BullMQ waits for them), then connections close. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.affinityTimer);
    await Promise.all([...this.workers.values()].map((w) => w.close()));
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    await Promise.allSettled([this.subscriber.quit(), this.redis.quit(), ...this.connections.map((c) => c.quit())]);
  }

  /** Simulates this replica dying mid-job (tests): stop renewing locks and drop connections without finishing anything. */
  async abandon(): Promise<void> {
    this.closed = true;
    this.abandoned = true;
    clearInterval(this.affinityTimer);
    // As a dying process: stop taking jobs and renewing locks (force: without waiting for running jobs),
    // cut every connection so nothing more reaches Redis, then drop the local work.
    await Promise.allSettled([...this.workers.values()].map((w) => w.close(true)));
    for (const connection of [this.subscriber, this.redis, ...this.connections]) connection.disconnect();
    for (const cancel of this.running.values()) cancel();
    this.running.clear();
    await Promise.allSettled([...this.queues.values()].map((q) => q.close()));
  }
}

function lostError(error: Error): { code: string; message: string } {
  const stalled = /stalled/i.test(error.message);
  return {
    code: ErrorCode.UNAVAILABLE,
    message: stalled ? 'the replicas running this generation stopped twice; it was retried once and then given up' : `generation failed: ${error.message}`,
  };
}

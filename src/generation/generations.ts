/**
 * What the transports call for generations: in this process (the default), or shared by replicas
 * through Redis (AFD_JOBS=redis). Both answer the same records, events and errors.
 */
import { Inject, Injectable, Optional, type BeforeApplicationShutdown } from '@nestjs/common';
import type { GenerationRecord, Viewer } from './generation-store';

/** Internal reads of a record already checked for its reader. */
const SYSTEM: Viewer = { clientId: 'system', admin: true };
import { GenerationService, type GenerationView } from './generation.service';
import type { EventSink, EventSubscription } from './progress-fanout';
import { StreamSlots, type StreamSlot } from './stream-slots';

export const DISTRIBUTED_GENERATIONS = Symbol('DISTRIBUTED_GENERATIONS');

/**
 * The shared queue (src/distributed/, AFD_JOBS=redis) as this facade uses it. Declared here, not
 * imported, because distributed/ builds on generation/: the dependency points one way.
 */
export type DistributedGenerations = Pick<GenerationService, 'start' | 'get' | 'cancel' | 'image' | 'subscribe'> & {
  stopTakingJobs(): Promise<void>;
  close(): Promise<void>;
};

@Injectable()
export class Generations implements BeforeApplicationShutdown {
  constructor(
    @Inject(GenerationService) private readonly local: GenerationService,
    @Inject(StreamSlots) private readonly slots: StreamSlots,
    @Optional() @Inject(DISTRIBUTED_GENERATIONS) private readonly distributed?: DistributedGenerations | null,
  ) {}

  async start(body: unknown, clientId: string, idempotencyKey?: string): Promise<{ record: GenerationRecord; done: Promise<GenerationRecord> }> {
    return this.distributed ? this.distributed.start(body, clientId, idempotencyKey) : this.local.start(body, clientId, idempotencyKey);
  }

  /** The methods below take the reader: a client sees its own generations (others read as NOT_FOUND), an administrator all. */
  async get(id: string, viewer: Viewer): Promise<GenerationRecord> {
    return this.distributed ? this.distributed.get(id, viewer) : this.local.get(id, viewer);
  }

  async cancel(id: string, viewer: Viewer): Promise<GenerationRecord> {
    return this.distributed ? this.distributed.cancel(id, viewer) : this.local.cancel(id, viewer);
  }

  async image(id: string, index: string, viewer: Viewer): Promise<{ mimeType: string; bytes: Buffer }> {
    return this.distributed ? this.distributed.image(id, index, viewer) : this.local.image(id, index, viewer);
  }

  /** Progress events (see GenerationService.subscribe); resolves with the subscription. */
  async subscribe(id: string, sink: EventSink, viewer: Viewer): Promise<EventSubscription> {
    return this.distributed ? this.distributed.subscribe(id, sink, viewer) : this.local.subscribe(id, sink, viewer);
  }

  /**
   * Takes one of the client's open-stream slots (AFD_MAX_STREAMS_PER_CLIENT) for a progress stream
   * on any transport, or throws RESOURCE_EXHAUSTED; the transport releases it when the stream ends.
   */
  openStream(clientId: string): StreamSlot {
    return this.slots.acquire(clientId);
  }

  /** The record with every image's bytes (fetched from Redis in distributed mode). */
  async withImageBytes(record: GenerationRecord): Promise<GenerationRecord> {
    if (!record.images.some((i) => i.bytes.length === 0)) return record;
    const images = await Promise.all(record.images.map(async (i) => (i.bytes.length > 0 ? i : { ...i, bytes: (await this.image(record.id, String(i.index), SYSTEM)).bytes })));
    return { ...record, images };
  }

  /** The JSON view; with base64 the image bytes are inlined. */
  async view(record: GenerationRecord, base64: boolean): Promise<GenerationView> {
    return this.local.view(base64 ? await this.withImageBytes(record) : record, base64);
  }

  /** Shutdown: a replica of a shared queue stops taking jobs, which stay queued for the others. */
  async stopTakingJobs(): Promise<void> {
    await this.distributed?.stopTakingJobs();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.distributed?.close();
  }
}

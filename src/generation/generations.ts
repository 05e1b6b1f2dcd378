/**
 * What the transports call for generations. The work goes to the GenerationBackend chosen at
 * start-up (in this process, or shared by replicas through Redis: see generation-backend.ts); here
 * is only what every backend shares: open-stream slots, image bytes for inline answers, the JSON view.
 */
import { Inject, Injectable, Optional, type BeforeApplicationShutdown } from '@nestjs/common';
import { WebhooksService } from '../webhooks/webhooks.service';
import { GENERATION_BACKEND, type GenerationBackend, type StartedGeneration } from './generation-backend';
import type { GenerationRecord, Viewer } from './generation-store';
import { generationView, type GenerationView } from './generation-view';
import type { EventSink, EventSubscription } from './progress-fanout';
import { StreamSlots, type StreamSlot } from './stream-slots';

// Tests import the token from here.
export { DISTRIBUTED_GENERATIONS } from './generation-backend';

/** Internal reads of a record already checked for its reader. */
const SYSTEM: Viewer = { clientId: 'system', admin: true };

@Injectable()
export class Generations implements BeforeApplicationShutdown {
  constructor(
    @Inject(GENERATION_BACKEND) private readonly backend: GenerationBackend,
    @Inject(StreamSlots) private readonly slots: StreamSlots,
    @Optional() @Inject(WebhooksService) private readonly webhooks?: WebhooksService,
  ) {}

  /** Checks the request's webhook (its address resolved now, before any work is queued), then starts it on the backend. */
  async start(body: unknown, clientId: string, idempotencyKey?: string): Promise<StartedGeneration> {
    const fields = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
    const webhook = await this.webhooks?.subscription(fields['webhook'], clientId);
    return this.backend.start(body, clientId, idempotencyKey, webhook);
  }

  /** The methods below take the reader: a client sees its own generations (others read as NOT_FOUND), an administrator all. */
  async get(id: string, viewer: Viewer): Promise<GenerationRecord> {
    return this.backend.get(id, viewer);
  }

  async cancel(id: string, viewer: Viewer): Promise<GenerationRecord> {
    return this.backend.cancel(id, viewer);
  }

  async image(id: string, index: string, viewer: Viewer): Promise<{ mimeType: string; bytes: Buffer }> {
    return this.backend.image(id, index, viewer);
  }

  /** Progress events (see GenerationBackend.subscribe); resolves with the subscription. */
  async subscribe(id: string, sink: EventSink, viewer: Viewer): Promise<EventSubscription> {
    return this.backend.subscribe(id, sink, viewer);
  }

  /**
   * Takes one of the client's open-stream slots (AFD_MAX_STREAMS_PER_CLIENT) for a progress stream
   * on any transport, or throws RESOURCE_EXHAUSTED; the transport releases it when the stream ends.
   */
  openStream(clientId: string): StreamSlot {
    return this.slots.acquire(clientId);
  }

  /** The record with every image's bytes (a distributed record carries none until they are read from Redis). */
  async withImageBytes(record: GenerationRecord): Promise<GenerationRecord> {
    if (!record.images.some((i) => i.bytes.length === 0)) return record;
    const images = await Promise.all(record.images.map(async (i) => (i.bytes.length > 0 ? i : { ...i, bytes: (await this.image(record.id, String(i.index), SYSTEM)).bytes })));
    return { ...record, images };
  }

  /** The JSON view; with base64 the image bytes are inlined. */
  async view(record: GenerationRecord, base64: boolean): Promise<GenerationView> {
    return generationView(base64 ? await this.withImageBytes(record) : record, base64);
  }

  /** Shutdown: a replica of a shared queue stops taking jobs, which stay queued for the others. */
  async stopTakingJobs(): Promise<void> {
    await this.backend.stopTakingJobs();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.backend.close();
  }
}

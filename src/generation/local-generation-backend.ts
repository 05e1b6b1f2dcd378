/** Generations in this process (the default): the GenerationService's jobs, records and events, behind GenerationBackend. */
import type { GenerationBackend, StartedGeneration } from './generation-backend';
import type { GenerationService } from './generation.service';
import type { GenerationRecord, Viewer } from './generation-store';
import type { EventSink, EventSubscription } from './progress-fanout';
import type { WebhookSubscription } from '../webhooks/webhooks.service';

export class LocalGenerationBackend implements GenerationBackend {
  constructor(private readonly service: GenerationService) {}

  async start(body: unknown, clientId: string, idempotencyKey?: string, webhook?: WebhookSubscription): Promise<StartedGeneration> {
    return this.service.start(body, clientId, idempotencyKey, webhook ? { webhook } : {});
  }

  async get(id: string, viewer?: Viewer): Promise<GenerationRecord> {
    return this.service.get(id, viewer);
  }

  async cancel(id: string, viewer?: Viewer): Promise<GenerationRecord> {
    return this.service.cancel(id, viewer);
  }

  async image(id: string, index: string, viewer?: Viewer): Promise<{ mimeType: string; bytes: Buffer }> {
    return this.service.image(id, index, viewer);
  }

  async subscribe(id: string, sink: EventSink, viewer?: Viewer): Promise<EventSubscription> {
    return this.service.subscribe(id, sink, viewer);
  }

  /** Local jobs run to the end (or are cancelled) through readiness' drain; there is no queue to leave. */
  async stopTakingJobs(): Promise<void> {}

  async close(): Promise<void> {}
}

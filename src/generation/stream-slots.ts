/**
 * The cap on progress streams one client holds open at once (AFD_MAX_STREAMS_PER_CLIENT), across
 * SSE, GraphQL subscriptions and gRPC Generate: each open stream costs a socket and a place in a
 * fan-out, so one client must not be able to open thousands. Counted per process (per replica).
 */
import { ApiError, ErrorCode } from '../common/error-code';

/** A stream's place in its client's count; `release` is idempotent. */
export interface StreamSlot {
  release(): void;
}

export class StreamSlots {
  private readonly open = new Map<string, number>();

  constructor(readonly perClient: number) {}

  /** Takes one of the client's slots, or throws RESOURCE_EXHAUSTED naming the rule. */
  acquire(clientId: string): StreamSlot {
    const held = this.open.get(clientId) ?? 0;
    if (held >= this.perClient) {
      throw new ApiError(
        ErrorCode.RESOURCE_EXHAUSTED,
        `streams: at most ${this.perClient} open progress streams per client (AFD_MAX_STREAMS_PER_CLIENT); close one before opening another`,
        { rule: 'open streams per client', limit: this.perClient },
      );
    }
    this.open.set(clientId, held + 1);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        const left = (this.open.get(clientId) ?? 1) - 1;
        if (left > 0) this.open.set(clientId, left);
        else this.open.delete(clientId);
      },
    };
  }

  /** Streams the client holds open now. */
  heldBy(clientId: string): number {
    return this.open.get(clientId) ?? 0;
  }
}

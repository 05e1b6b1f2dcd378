/**
 * grpc.health.v1.Health/Watch: the serving status now, then each change, as load balancers and
 * service meshes expect it. Readiness has no change event (it is computed from the pool and the
 * warm-up), so it is read every second while anyone watches, and pushed at once when the server
 * begins to shut down. A watched service the server does not serve gets SERVICE_UNKNOWN and the
 * call stays open, as the protocol asks. At shutdown the watchers get NOT_SERVING and their calls
 * end, so they do not hold the gRPC server open.
 */
import type { ServerWritableStream } from '@grpc/grpc-js';

type Status = 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN';
type WatchCall = ServerWritableStream<{ service?: string }, { status: Status }>;

interface Watcher {
  readonly call: WatchCall;
  readonly known: boolean;
  last?: Status;
  readonly finish: () => void;
}

export const HEALTH_POLL_MS = 1_000;

export class HealthWatch {
  private readonly watchers = new Set<Watcher>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly serving: () => Promise<boolean>,
    private readonly served: readonly string[],
    private readonly pollMs = HEALTH_POLL_MS,
  ) {}

  /** The Watch handler: resolves when the client cancels or the server shuts down. */
  watch(request: { service?: string }, call: WatchCall): Promise<void> {
    const known = this.served.includes(request.service ?? '');
    return new Promise<void>((resolve) => {
      const watcher: Watcher = {
        call,
        known,
        finish: () => {
          this.watchers.delete(watcher);
          if (this.watchers.size === 0) this.stopPolling();
          resolve();
        },
      };
      call.once('cancelled', watcher.finish);
      if (this.closed) {
        this.send(watcher, 'NOT_SERVING');
        return watcher.finish();
      }
      this.watchers.add(watcher);
      this.startPolling();
      void this.refresh();
    });
  }

  /** Reads readiness and sends each watcher its status when it changed. */
  async refresh(): Promise<void> {
    const status: Status = !this.closed && (await this.serving().catch(() => false)) ? 'SERVING' : 'NOT_SERVING';
    for (const watcher of this.watchers) this.send(watcher, watcher.known ? status : 'SERVICE_UNKNOWN');
  }

  /** Shutdown: NOT_SERVING to every watcher, then their calls end. */
  close(): void {
    this.closed = true;
    this.stopPolling();
    for (const watcher of [...this.watchers]) {
      if (watcher.known) this.send(watcher, 'NOT_SERVING');
      watcher.finish();
    }
  }

  private send(watcher: Watcher, status: Status): void {
    if (watcher.last === status || watcher.call.cancelled) return;
    watcher.last = status;
    watcher.call.write({ status });
  }

  private startPolling(): void {
    this.timer ??= setInterval(() => void this.refresh(), this.pollMs).unref();
  }

  private stopPolling(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}

/**
 * A local webhook receiver for end-to-end specs: records every request (headers and raw body) per
 * path and answers what each path's script says, in turn (the last answer repeats). `hold` keeps a
 * request unanswered until the receiver closes (a replica dying mid-attempt).
 */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';

export interface ReceivedWebhook {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly at: number;
}

export type Answer = number | 'hold' | { readonly status: number; readonly headers?: Record<string, string>; readonly body?: string };

export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  private readonly scripts = new Map<string, Answer[]>();
  private readonly held: ServerResponse[] = [];
  private server?: Server;
  port = 0;

  /** Answers for `path`, one per request, in order; the last one repeats. */
  script(path: string, answers: Answer[]): string {
    this.scripts.set(path, [...answers]);
    return `http://127.0.0.1:${this.port}${path}`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = req.url ?? '/';
        this.received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
        const script = this.scripts.get(path) ?? [200];
        const answer = (script.length > 1 ? script.shift() : script[0]) as Answer;
        if (answer === 'hold') {
          this.held.push(res);
          return;
        }
        const { status, headers = {}, body = '' } = typeof answer === 'number' ? { status: answer } : answer;
        res.writeHead(status, headers).end(body);
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  at(path: string): ReceivedWebhook[] {
    return this.received.filter((r) => r.path === path);
  }

  async waitFor(path: string, count: number, timeoutMs = 30_000): Promise<ReceivedWebhook[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.at(path).length < count) {
      if (Date.now() > deadline) throw new Error(`${path}: ${this.at(path).length} of ${count} webhooks after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return this.at(path);
  }

  async close(): Promise<void> {
    for (const res of this.held) res.destroy();
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

/**
 * The load client's HTTP side (it runs in the client process, load-client.ts): node:http on a
 * keep-alive agent, each body read to its end, and the generation requests it sends.
 */
import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { nowMs } from '../timing';
import type { LoadBenchOptions } from './load-benchmark-support';

export const PROMPTS = [
  'a woman wearing a red and gold kente dress, african fashion, studio photo',
  'a man in a blue wax print shirt, street style',
  'bogolan mud cloth jacket, editorial photo',
  'robe en dentelle blanche, défilé de mode',
];
export const GUIDANCE = 7.5;

export interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** nowMs() when it was sent. */
  readonly sentAt: number;
  /** From sending to the last byte of the body. */
  readonly ms: number;
}

/**
 * Idle keep-alive sockets are closed by the client after this long, before the server's keep-alive
 * timeout (Node's default, 5 s) closes them: reusing a socket the server is closing fails with
 * ECONNRESET. (Node's agent also honours the server's Keep-Alive hint less 1 s, but only with a timeout set.)
 */
const IDLE_SOCKET_MS = 4000;

export class HttpClient {
  private readonly agent: Agent;
  private readonly url: URL;
  private readonly auth: Record<string, string>;

  constructor(baseUrl: string, apiKey: string, sockets: number) {
    this.url = new URL(baseUrl);
    this.agent = new Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets, timeout: IDLE_SOCKET_MS });
    this.auth = { authorization: `Bearer ${apiKey}` };
  }

  send(method: 'GET' | 'POST', path: string, body?: string, headers: Record<string, string> = {}): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const start = nowMs();
      const all: Record<string, string | number> = { ...this.auth, accept: 'application/json', ...headers };
      if (body !== undefined) {
        all['content-type'] = 'application/json';
        all['content-length'] = Buffer.byteLength(body);
      }
      const options = { host: this.url.hostname, port: Number(this.url.port), method, path, agent: this.agent, headers: all };
      const req = httpRequest(options, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), sentAt: start, ms: nowMs() - start }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** The JSON object of a body, or {} when it is not one. */
export function parseJson(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The body of generation number i: one image, the prompts in turn, the seed i. */
export function generationBody(options: LoadBenchOptions, i: number): string {
  return JSON.stringify({
    prompt: PROMPTS[i % PROMPTS.length],
    seed: i,
    steps: options.steps,
    width: options.size,
    height: options.size,
    scheduler: options.scheduler,
    guidanceScale: GUIDANCE,
  });
}

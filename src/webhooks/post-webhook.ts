/**
 * One delivery attempt: POST the signed payload to the checked address. Redirects are not followed
 * (a 3xx is a failed attempt: following it would reach an address nobody checked), the answer's body
 * is read up to a small limit and dropped, and the whole attempt has one deadline.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import type { ResolvedAddress } from './webhook-address';

export interface PostOutcome {
  /** A 2xx answer. */
  readonly ok: boolean;
  readonly statusCode?: number;
  /** Why there was no 2xx: a transport error, the deadline, or the status. */
  readonly error?: string;
  readonly durationMs: number;
}

export interface PostOptions {
  readonly url: URL;
  readonly address: ResolvedAddress;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
}

export function postWebhook(options: PostOptions): Promise<PostOutcome> {
  const { url, address, timeoutMs, maxResponseBytes } = options;
  const started = performance.now();
  const elapsed = (): number => Math.round((performance.now() - started) * 10) / 10;
  // The connection goes to the address checked, whatever the name resolves to by now; TLS still checks the certificate against the name.
  const pinned: LookupFunction = (_hostname, lookupOptions, callback) => {
    if ((lookupOptions as { all?: boolean }).all) (callback as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [{ address: address.address, family: address.family }]);
    else callback(null, address.address, address.family);
  };
  const body = Buffer.from(options.body, 'utf8');
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome: Omit<PostOutcome, 'durationMs'>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...outcome, durationMs: elapsed() });
    };
    const req = send(url, {
      method: 'POST',
      lookup: pinned,
      headers: { 'content-type': 'application/json', 'content-length': String(body.length), 'user-agent': 'afro-fashion-diffusion-webhooks/1', ...options.headers },
      // A fresh connection per attempt: a kept-alive socket could be one opened to an address that was allowed then.
      agent: false,
    });
    const timer = setTimeout(() => {
      finish({ ok: false, error: `no answer within ${timeoutMs} ms` });
      req.destroy();
    }, timeoutMs);
    req.on('error', (error: NodeJS.ErrnoException) => finish({ ok: false, error: connectionError(error) }));
    req.on('response', (response: IncomingMessage) => {
      const statusCode = response.statusCode ?? 0;
      let read = 0;
      const done = (): void => {
        const ok = statusCode >= 200 && statusCode < 300;
        finish(ok ? { ok, statusCode } : { ok, statusCode, error: statusCode >= 300 && statusCode < 400 ? `answered ${statusCode} (redirects are not followed)` : `answered ${statusCode}` });
        response.destroy();
      };
      response.on('data', (chunk: Buffer) => {
        read += chunk.length;
        // Enough: the status is what counts, and a receiver cannot make the server buffer a large answer.
        if (read >= maxResponseBytes) done();
      });
      response.on('end', done);
      response.on('error', done);
      response.on('close', done);
    });
    req.end(body);
  });
}

function connectionError(error: NodeJS.ErrnoException): string {
  const code = error.code ?? 'error';
  // The code and a short message only: never a stack, and bounded for the deliveries log.
  return `${code}: ${error.message.slice(0, 200)}`;
}

/** The shape of a REST corpus case, and the builders the tables use. */
import { gzipSync } from 'node:zlib';

export interface RestCase {
  readonly name: string;
  readonly method: string;
  /** Sent as written; `{generation}` stands for a generation that succeeded with one image. */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Buffer;
  readonly status: number;
  readonly code: string;
  /** The field the error names (details.field, and the message's `field:` prefix for 400 and 413). */
  readonly field?: string;
  readonly message?: RegExp;
  /**
   * A bug not fixed yet, in code this corpus may not change: the case runs as `it.failing`, so the
   * suite stays green while the bug is there and fails once it is fixed (then drop the marker).
   */
  readonly knownBug?: string;
}

/** A small valid generation: every case changes one thing about it. */
export const VALID_GENERATION = { prompt: 'red kente dress', width: 64, height: 64, steps: 1, seed: 1 } as const;

const JSON_TYPE = { 'content-type': 'application/json' };

export function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

/** POST a JSON body. */
export function post(name: string, path: string, body: unknown, status: number, code: string, field?: string, message?: RegExp): RestCase {
  return { name, method: 'POST', path, headers: JSON_TYPE, body: json(body), status, code, field, message };
}

/** POST /v1/generations: the valid request with `patch` applied (an undefined value removes the field). */
export function generation(name: string, patch: Record<string, unknown>, status: number, code: string, field?: string, message?: RegExp): RestCase {
  return post(name, '/v1/generations', { ...VALID_GENERATION, ...patch }, status, code, field, message);
}

/**
 * POST /v1/generations with raw JSON text after the valid fields, for what JSON.stringify cannot
 * write (-0, 2^53 + 1, 1e999, a `__proto__` key, duplicate keys): the last occurrence of a key wins.
 */
export function rawGeneration(name: string, members: string, status: number, code: string, field?: string, message?: RegExp): RestCase {
  const text = `${JSON.stringify(VALID_GENERATION).slice(0, -1)},${members}}`;
  return { name, method: 'POST', path: '/v1/generations', headers: JSON_TYPE, body: Buffer.from(text, 'utf8'), status, code, field, message };
}

/** POST /v1/generations with exactly these bytes and headers. */
export function bytes(name: string, body: Buffer | string, headers: Record<string, string>, status: number, code: string, field?: string, message?: RegExp): RestCase {
  return { name, method: 'POST', path: '/v1/generations', headers, body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body, status, code, field, message };
}

/** A request without a body. */
export function route(name: string, method: string, path: string, status: number, code: string, message?: RegExp): RestCase {
  return { name, method, path, status, code, message };
}

export function gzip(value: string): Buffer {
  return gzipSync(Buffer.from(value, 'utf8'));
}

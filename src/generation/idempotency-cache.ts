/**
 * Idempotency keys. The rules both backends apply (the key's form, the body's fingerprint, the
 * answer to a key reused with another body) are the functions below; the local backend keeps its
 * keys in IdempotencyCache, the Redis one in Redis (redis-generations.ts).
 *
 * IdempotencyCache: (client, key) → the generation it started. An entry holds
 * only what a retry needs: a hash of the request body, the generation's id and, while the job
 * runs, the promise of its end. Never the record or its images: those live in the GenerationStore
 * alone, under its byte budget. Entries are bounded in number, expire with the result time, and
 * are dropped when the store drops their generation (a retry after that starts afresh).
 */
import { createHash } from 'node:crypto';
import { ApiError, ErrorCode, invalidArgument } from '../common/error-code';
import type { GenerationRecord } from './generation-store';

/** The longest Idempotency-Key accepted. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

/** Throws the 400 for an Idempotency-Key that is not 1 to 255 visible ASCII characters. */
export function checkIdempotencyKey(key: string): void {
  if (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH || !/^[\x21-\x7e]+$/.test(key)) {
    throw invalidArgument('Idempotency-Key', `must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} visible ASCII characters`);
  }
}

/**
 * A key used before: with the same body the caller answers with that generation; with another
 * body it is a 409 CONFLICT naming the generation the key started.
 */
export function checkSameRequest(previous: { readonly fingerprint: string; readonly id: string }, fingerprint: string): void {
  if (previous.fingerprint !== fingerprint) {
    throw new ApiError(ErrorCode.CONFLICT, 'Idempotency-Key: was already used with a different request body', { field: 'Idempotency-Key', id: previous.id });
  }
}

/** JSON with object keys sorted, so bodies that differ only in key order compare equal. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key: string, v: unknown) {
    // Bytes (an init image from multipart or gRPC, up to 8 MiB) as their digest: JSON would spell
    // every byte as an array element, megabytes of text on the event loop.
    const original = this[key];
    if (original instanceof Uint8Array) return `sha256:${createHash('sha256').update(original).digest('base64url')}`;
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v;
  });
}

/** A fixed-size digest of a request body (bodies may be up to AFD_BODY_LIMIT_KB; entries stay small). */
export function bodyFingerprint(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('base64url');
}

export interface IdempotencyEntry {
  readonly fingerprint: string;
  readonly id: string;
  readonly createdAt: number;
  /** Settles when the generation ends; present only while it runs (a finished one is read from the store). */
  running?: Promise<GenerationRecord>;
}

/** Entries kept at most; past it the oldest key is forgotten (a retry of it starts a new generation). */
export const MAX_IDEMPOTENCY_ENTRIES = 10_000;

export class IdempotencyCache {
  /** Insertion order is creation order: the first entry is the oldest. */
  private readonly entries = new Map<string, IdempotencyEntry>();
  /** Generation id → its scoped key, to drop the entry when the store drops the generation. */
  private readonly keyOfId = new Map<string, string>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number = MAX_IDEMPOTENCY_ENTRIES,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** The entry a client's key names, if still kept. */
  find(clientId: string, key: string): IdempotencyEntry | undefined {
    this.sweep();
    return this.entries.get(scoped(clientId, key));
  }

  /** Remembers that a client's key started generation `id`; `done` is held only until it settles. */
  remember(clientId: string, key: string, fingerprint: string, id: string, done: Promise<GenerationRecord>): void {
    this.sweep();
    const name = scoped(clientId, key);
    this.delete(name);
    const entry: IdempotencyEntry = { fingerprint, id, createdAt: this.now(), running: done };
    this.entries.set(name, entry);
    this.keyOfId.set(id, name);
    const settled = (): void => {
      delete entry.running;
    };
    void done.then(settled, settled);
    while (this.entries.size > this.maxEntries) this.delete(this.entries.keys().next().value as string);
  }

  /** The store dropped generation `id` (expired or evicted): its key no longer answers for it. */
  forget(id: string): void {
    const name = this.keyOfId.get(id);
    if (name !== undefined) this.delete(name);
  }

  private sweep(): void {
    const cutoff = this.now() - this.ttlMs;
    for (const [name, entry] of this.entries) {
      if (entry.createdAt >= cutoff) break;
      this.delete(name);
    }
  }

  private delete(name: string): void {
    const entry = this.entries.get(name);
    if (!entry) return;
    this.entries.delete(name);
    if (this.keyOfId.get(entry.id) === name) this.keyOfId.delete(entry.id);
  }
}

function scoped(clientId: string, key: string): string {
  return `${clientId}\n${key}`;
}

/**
 * Result ids that carry their creation time: UUID version 7 (RFC 9562), a 48-bit Unix time in
 * milliseconds then 74 random bits. They are ordinary UUID strings to clients; the server reads the
 * time back to tell an id minted before this process started (its results, kept in memory, were
 * lost at the restart: 410) from one that never existed (404).
 */
import { randomBytes } from 'node:crypto';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** A new UUIDv7 minted at `now` (milliseconds since 1970). */
export function timeOrderedId(now: number = Date.now()): string {
  const bytes = randomBytes(16);
  let time = Math.max(0, Math.floor(now));
  for (let i = 5; i >= 0; i--) {
    bytes[i] = time % 256;
    time = Math.floor(time / 256);
  }
  bytes[6] = 0x70 | ((bytes[6] as number) & 0x0f);
  bytes[8] = 0x80 | ((bytes[8] as number) & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** When a UUIDv7 was minted (milliseconds since 1970); undefined for anything else (other UUID versions, any text). */
export function mintedAt(id: string): number | undefined {
  if (!UUID_V7.test(id)) return undefined;
  return parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}

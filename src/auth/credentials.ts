/** The API key a request presents: `Authorization: Bearer <key>` or `X-API-Key: <key>` (HTTP headers, gRPC metadata, websocket connection params). */

export type CredentialSource = (name: 'authorization' | 'x-api-key') => unknown;

/** The presented key, undefined when none is presented; a malformed header counts as a bad key (''). */
export function presentedApiKey(read: CredentialSource): string | undefined {
  const apiKey = first(read('x-api-key'));
  if (apiKey !== undefined) return apiKey.trim();
  const authorization = first(read('authorization'));
  if (authorization === undefined) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  return match ? match[1] : '';
}

function first(value: unknown): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v === null) return undefined;
  return typeof v === 'string' ? v : Buffer.isBuffer(v) ? v.toString('utf8') : '';
}

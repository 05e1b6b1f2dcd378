/**
 * The API key a request presents: `Authorization: Bearer <key>`, `X-API-Key: <key>`, or
 * `Authorization: Basic` with the key as the password (any user name): AUTOMATIC1111's clients send
 * Basic credentials for a web UI started with --api-auth, so the key works there too. HTTP headers,
 * gRPC metadata, websocket connection params alike.
 */

export type CredentialSource = (name: 'authorization' | 'x-api-key') => unknown;

/** The presented key, undefined when none is presented; a malformed header counts as a bad key (''). */
export function presentedApiKey(read: CredentialSource): string | undefined {
  const apiKey = first(read('x-api-key'));
  if (apiKey !== undefined) return apiKey.trim();
  const authorization = first(read('authorization'));
  if (authorization === undefined) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (match) return match[1];
  const basic = /^Basic\s+([A-Za-z0-9+/]+={0,2})\s*$/i.exec(authorization);
  return basic ? basicPassword(basic[1] as string) : '';
}

/** The password of `user:password` (RFC 7617: the user name ends at the first colon); '' when there is none. */
function basicPassword(encoded: string): string {
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? '' : decoded.slice(colon + 1);
}

function first(value: unknown): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v === null) return undefined;
  return typeof v === 'string' ? v : Buffer.isBuffer(v) ? v.toString('utf8') : '';
}

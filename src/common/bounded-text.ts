/**
 * Values a client sent, echoed back in error messages, kept short. A 100,000-character id echoed in
 * a gRPC status travels in a trailing header, where it is larger than the peer accepts: the client
 * never receives the status and the call hangs. REST and GraphQL would only waste bandwidth, but
 * every transport bounds what it echoes the same way.
 */

/** The longest echoed value kept whole. */
export const MAX_ECHO_LENGTH = 64;
/** The longest error message any transport sends (a safety net behind `bounded`). */
export const MAX_MESSAGE_LENGTH = 1024;

/** The value as it was when short; otherwise its first `max` characters, an ellipsis and its length. */
export function bounded(value: string, max = MAX_ECHO_LENGTH): string {
  return value.length <= max ? value : `${head(value, max)}… (${value.length} characters)`;
}

/** The value in double quotes (JSON-escaped, so control characters show), bounded as `bounded` does. */
export function quote(value: string, max = MAX_ECHO_LENGTH): string {
  return value.length <= max ? JSON.stringify(value) : `${JSON.stringify(head(value, max))}… (${value.length} characters)`;
}

/** A whole message cut to MAX_MESSAGE_LENGTH characters, for the transports' last line of defence. */
export function boundMessage(message: string): string {
  return bounded(message, MAX_MESSAGE_LENGTH);
}

/** The first `max` characters, never ending inside a surrogate pair (the text must stay valid UTF-8 on the wire). */
function head(value: string, max: number): string {
  const code = value.charCodeAt(max - 1);
  return value.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}

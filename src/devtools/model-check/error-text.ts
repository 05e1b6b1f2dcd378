/** The message of anything thrown. Not `instanceof Error`: errors made in another realm (Node's own modules under Jest) fail that test. */
export function errorMessage(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(error);
}

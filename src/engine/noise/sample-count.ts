/** Rejects sample counts that no tensor shape could have, before any state is consumed. */
export function assertSampleCount(count: number): void {
  if (!Number.isSafeInteger(count) || count < 0) {
    throw new RangeError(`randn count must be a non-negative integer; got ${count}`);
  }
}

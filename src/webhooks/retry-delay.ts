/**
 * When to try again: exponential backoff (base · 2^(n-1) after attempt n, at most max) with "equal
 * jitter": half of it fixed, half random, so receivers coming back from an outage are not hit by every
 * sender at the same instant, and no retry comes sooner than half its step.
 */
export interface RetrySchedule {
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
}

/** Milliseconds to wait after failed attempt `attempt` (1 = the first); `random` in [0, 1). */
export function retryDelayMs(attempt: number, schedule: RetrySchedule, random: () => number = Math.random): number {
  const step = Math.min(schedule.retryMaxMs, schedule.retryBaseMs * 2 ** Math.min(attempt - 1, 30));
  return Math.round(step / 2 + (step / 2) * random());
}

/** Rate-limit tiers: how many generations and how many reads a client may make per window. */

export interface TierLimits {
  /** Generation requests (generate, compare) per window. */
  readonly generations: number;
  /** Everything else (status, images, checkpoints, prompts) per window. */
  readonly reads: number;
}

export const RATE_LIMIT_WINDOW_MS = 60_000;

/** Built-in tiers; a keys file may redefine them or add others. */
export const DEFAULT_TIERS: Readonly<Record<string, TierLimits>> = {
  free: { generations: 10, reads: 300 },
  standard: { generations: 60, reads: 1_200 },
  partner: { generations: 300, reads: 6_000 },
  internal: { generations: 3_000, reads: 60_000 },
};

export type RateLimitKind = keyof TierLimits;

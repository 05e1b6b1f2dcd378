/**
 * The event loop's delay, sampled every `intervalMs` and corrected for coordinated omission: a stall
 * of D ms is one late timer, but a probe that samples every interval would have found the loop late
 * on every one of the D / interval samples it missed (by D - interval, D - 2·interval, …), so those
 * are recorded too. Without this, one 40 s stall is one sample among thousands and leaves the p99
 * untouched (perf_hooks' monitorEventLoopDelay histogram has that blind spot; its max does not).
 */
import { nowMs } from './timing';

export class LoopDelaySampler {
  private readonly samples: number[] = [];
  private timer: NodeJS.Timeout | undefined;
  private expected = 0;

  constructor(private readonly intervalMs = 10) {}

  start(): void {
    this.expected = nowMs() + this.intervalMs;
    const tick = (): void => {
      const now = nowMs();
      this.record(Math.max(0, now - this.expected));
      this.expected = now + this.intervalMs;
      this.timer = setTimeout(tick, this.intervalMs);
    };
    this.timer = setTimeout(tick, this.intervalMs);
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  /** One observed delay, and the samples a stall of that length hid. */
  record(delayMs: number): void {
    this.samples.push(delayMs);
    for (let hidden = delayMs - this.intervalMs; hidden > 0; hidden -= this.intervalMs) this.samples.push(hidden);
  }

  percentile(p: number): number {
    if (this.samples.length === 0) return NaN;
    const sorted = [...this.samples].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
  }
}

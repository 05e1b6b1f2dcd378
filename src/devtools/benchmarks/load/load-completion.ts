/** The load client's follow-up of accepted jobs: `GET /v1/generations/{id}` until each has ended. */
import type { Answer, HttpClient } from './load-http';
import { parseJson } from './load-http';
import { nowMs } from '../timing';

const POLL_EVERY_MS = 200;
/** Status polls sent at once after the arrivals. */
const POLL_BATCH = 8;
const FINISHED = new Set(['succeeded', 'failed', 'cancelled']);

/** An accepted job; outcome is set once it has ended. */
export interface Accepted {
  readonly id: string;
  outcome?: string;
  error?: string;
}

/**
 * Follows the accepted jobs until each has ended. While arrivals last it walks from the oldest and
 * stops at the first unfinished job (they finish about in order), so it costs about one GET per
 * completion; afterwards it asks about every unfinished job each round.
 */
export class CompletionWatcher {
  private head = 0;
  private arrivalsDone = false;
  polls = 0;
  pollErrors = 0;
  private wake: (() => void) | undefined;

  constructor(
    private readonly client: HttpClient,
    private readonly accepted: Accepted[],
  ) {}

  /** A job was accepted (after the arrivals, wakes the watcher at once). */
  notify(): void {
    this.wake?.();
  }

  endOfArrivals(): void {
    this.arrivalsDone = true;
    this.notify();
  }

  /** Runs until every accepted job has ended once arrivals are over, or until the deadline (nowMs) passes. */
  async run(deadline: () => number): Promise<void> {
    for (;;) {
      if (this.arrivalsDone) {
        const left = this.accepted.filter((a) => a.outcome === undefined);
        if (left.length === 0) return;
        if (nowMs() > deadline()) return;
        for (let i = 0; i < left.length; i += POLL_BATCH) await Promise.all(left.slice(i, i + POLL_BATCH).map((a) => this.check(a)));
      } else {
        while (this.head < this.accepted.length) {
          const a = this.accepted[this.head] as Accepted;
          if (a.outcome === undefined && !(await this.check(a))) break;
          this.head++;
        }
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, POLL_EVERY_MS);
        this.wake = () => {
          if (!this.arrivalsDone) return;
          clearTimeout(timer);
          this.wake = undefined;
          resolve();
        };
      });
    }
  }

  /** True when the job has ended (its outcome is set). */
  private async check(a: Accepted): Promise<boolean> {
    this.polls++;
    let answer: Answer;
    try {
      answer = await this.client.send('GET', `/v1/generations/${a.id}`);
    } catch {
      this.pollErrors++;
      return false;
    }
    if (answer.status === 200) {
      const view = parseJson(answer.body);
      const status = String(view['status']);
      if (!FINISHED.has(status)) return false;
      a.outcome = status;
      const error = view['error'] as { code?: string; message?: string } | undefined;
      if (error) a.error = `${error.code}: ${error.message}`;
      return true;
    }
    if (answer.status === 410) {
      a.outcome = 'evicted before seen';
      return true;
    }
    if (answer.status === 404) {
      a.outcome = 'unknown id (404)';
      return true;
    }
    this.pollErrors++;
    return false;
  }
}

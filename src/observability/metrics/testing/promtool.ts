/**
 * Prometheus' own checker, for specs: `promtool` (Debian's `prometheus` package, installed by
 * .ci/run) when it is on this machine. Specs that need it skip, saying why, when it is absent.
 */
import { spawnSync } from 'node:child_process';

export interface PromtoolResult {
  readonly status: number | null;
  /** stdout and stderr together: promtool prints its lint findings on either. */
  readonly output: string;
}

const PROMTOOL = process.env['PROMTOOL'] ?? 'promtool';

/** Whether promtool runs here (checked once). */
export const promtoolAvailable: boolean = spawnSync(PROMTOOL, ['--version'], { encoding: 'utf8' }).status === 0;

export const PROMTOOL_MISSING = 'promtool is not installed (apt-get install prometheus, as .ci/run does): skipped';

/** Runs promtool with the arguments and, when given, text on its stdin. */
export function promtool(args: readonly string[], input?: string): PromtoolResult {
  const result = spawnSync(PROMTOOL, args, { encoding: 'utf8', input, timeout: 60_000 });
  return { status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}`.trim() };
}

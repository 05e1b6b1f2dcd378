/**
 * Resident memory of this process, and its peak since the last reset, from /proc (Linux): writing
 * 5 to /proc/self/clear_refs resets VmHWM, so each phase of a run gets its own peak. Elsewhere the
 * peak cannot be reset: it falls back to the peak since the process started.
 */
import { readFileSync, writeFileSync } from 'node:fs';

export interface MemoryProbe {
  /** Whether peaks are per phase (Linux) or since start. */
  readonly resettable: boolean;
  resetPeak(): void;
  /** Resident set size now, bytes. */
  rss(): number;
  /** Highest resident set size since the last reset, bytes. */
  peak(): number;
}

export function createMemoryProbe(): MemoryProbe {
  const status = (): string | undefined => {
    try {
      return readFileSync('/proc/self/status', 'utf8');
    } catch {
      return undefined;
    }
  };
  const kib = (text: string, field: string): number | undefined => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
    return match ? Number(match[1]) * 1024 : undefined;
  };
  let resettable = false;
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    resettable = status() !== undefined;
  } catch {
    resettable = false;
  }
  return {
    resettable,
    resetPeak: () => {
      if (resettable) writeFileSync('/proc/self/clear_refs', '5');
    },
    rss: () => process.memoryUsage.rss(),
    peak: () => {
      const text = status();
      const hwm = text === undefined ? undefined : kib(text, 'VmHWM');
      return Math.max(hwm ?? process.resourceUsage().maxRSS * 1024, process.memoryUsage.rss());
    },
  };
}

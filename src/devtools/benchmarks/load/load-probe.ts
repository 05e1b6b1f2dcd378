/**
 * Figures of one process over a window of `npm run bench:load`, taken alike in the server (the
 * benchmark's own process) and in the client (its child): event-loop delay, garbage-collection pauses
 * and CPU time; and the machine's CPU ticks from /proc, to tell other processes' share.
 */
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { nowMs } from '../timing';

/** monitorEventLoopDelay's sampling interval; its figures include it. */
export const ELD_RESOLUTION_MS = 1;
/** Clock ticks per second of /proc's CPU figures (USER_HZ on Linux). */
export const USER_HZ = 100;

export interface EventLoopFigures {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

export interface GcFigures {
  readonly count: number;
  readonly totalMs: number;
  readonly maxMs: number;
}

export interface ProbeFigures {
  readonly durationMs: number;
  readonly eventLoop: EventLoopFigures;
  readonly gc: GcFigures;
  /** CPU time of the process (all its threads) over the window's wall time. */
  readonly cores: number;
}

/** Starts measuring this process; stop() ends the window and gives its figures. */
export function startProbe(): { stop(): ProbeFigures } {
  const histogram = monitorEventLoopDelay({ resolution: ELD_RESOLUTION_MS });
  let count = 0;
  let totalMs = 0;
  let maxMs = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      count++;
      totalMs += entry.duration;
      maxMs = Math.max(maxMs, entry.duration);
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  const cpuBefore = process.cpuUsage();
  histogram.enable();
  const start = nowMs();
  return {
    stop: () => {
      const durationMs = nowMs() - start;
      histogram.disable();
      observer.disconnect();
      const cpu = process.cpuUsage(cpuBefore);
      return {
        durationMs,
        eventLoop: { p50: histogram.percentile(50) / 1e6, p99: histogram.percentile(99) / 1e6, max: histogram.max / 1e6 },
        gc: { count, totalMs, maxMs },
        cores: (cpu.user + cpu.system) / 1000 / durationMs,
      };
    },
  };
}

/** global.gc, from --expose-gc or turned on here through V8's flags. */
export function findGc(): (() => void) | undefined {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (typeof existing === 'function') return existing;
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    return typeof gc === 'function' ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  }
}

/** Busy ticks of the whole machine (user, nice, system, irq, softirq, steal) from /proc/stat's first line. */
export function machineBusyTicks(procStat: string): number {
  const fields = (procStat.split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  return [0, 1, 2, 5, 6, 7].reduce((n, i) => n + (fields[i] ?? 0), 0);
}

/** User and system ticks of one process from its /proc/<pid>/stat (the command name may hold spaces and parentheses). */
export function processTicks(pidStat: string): number {
  const rest = pidStat.slice(pidStat.lastIndexOf(')') + 2).split(' ');
  return Number(rest[11]) + Number(rest[12]);
}

export interface CpuTicks {
  readonly machine: number;
  /** Per process id asked for, in the order given. */
  readonly processes: readonly number[];
}

/** The machine's busy ticks and those of the given processes ('self' or a pid), or undefined without /proc. */
export function cpuTicks(pids: ReadonlyArray<number | 'self'>): CpuTicks | undefined {
  try {
    const machine = machineBusyTicks(readFileSync('/proc/stat', 'utf8'));
    const processes = pids.map((pid) => processTicks(readFileSync(`/proc/${pid}/stat`, 'utf8')));
    return { machine, processes };
  } catch {
    return undefined;
  }
}

/**
 * The share of the machine (0..1) that processes other than the given ones used between two readings:
 * busy ticks of the machine less those of the processes, over the window's wall time and the cores.
 */
export function otherCpuShare(before: CpuTicks, after: CpuTicks, durationMs: number, cores: number): number {
  const machine = after.machine - before.machine;
  const ours = after.processes.reduce((n, ticks, i) => n + ticks - (before.processes[i] ?? ticks), 0);
  return Math.max(0, (machine - ours) / USER_HZ / (durationMs / 1000) / cores);
}

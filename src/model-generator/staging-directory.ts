/**
 * Generated directories are written into `<out>.partial-<pid>-<time>` and renamed into place, so a
 * reader never sees half a directory. A process killed mid-write leaves its staging folder behind;
 * the next writer of the same directory removes those whose process is gone.
 */
import { readdirSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export function stagingPath(outDir: string): string {
  return `${outDir}.partial-${process.pid}-${Date.now()}`;
}

export function removeAbandonedStaging(outDir: string): void {
  const prefix = `${basename(outDir)}.partial-`;
  for (const entry of readdirSync(dirname(outDir))) {
    if (!entry.startsWith(prefix)) continue;
    const pid = Number(entry.slice(prefix.length).split('-')[0]);
    if (Number.isInteger(pid) && !isAlive(pid)) rmSync(join(dirname(outDir), entry), { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A comparison: one request fanned out to several checkpoints as one submission (admitted all
 * together or not at all), and its handle, which settles once every cell has.
 */
import { randomUUID } from 'node:crypto';
import { admitJobs } from './pool-admission';
import { PoolError } from '../protocol/pool-errors';
import { createJob } from './pool-job-creation';
import { attachJob } from './pool-settlement';
import type { PoolState } from './pool-state';
import type { ComparisonCell, ComparisonHandle, ComparisonOptions } from './pool-types';

export function submitComparison(pool: PoolState, options: ComparisonOptions): ComparisonHandle {
  if (!Array.isArray(options.checkpointIds) || options.checkpointIds.length === 0) {
    throw new PoolError('INVALID_INPUT', 'checkpointIds: must list at least one checkpoint');
  }
  if (new Set(options.checkpointIds).size !== options.checkpointIds.length) throw new PoolError('INVALID_INPUT', 'checkpointIds: must not repeat a checkpoint');
  const jobs = options.checkpointIds.map((id) => createJob(pool, id, options.request, options));
  admitJobs(pool, jobs);
  const cells = jobs.map((job) => attachJob(pool, job, options));
  const comparisonId = `cmp-${randomUUID()}`;
  const result = Promise.all(
    cells.map(
      (cell): Promise<ComparisonCell> =>
        cell.result.then(
          (r) => ({ checkpointId: cell.checkpointId, jobId: cell.jobId, ok: true, result: r }),
          (error: PoolError) => ({ checkpointId: cell.checkpointId, jobId: cell.jobId, ok: false, error }),
        ),
    ),
  ).then((settled) => ({ comparisonId, cells: settled }));
  return { comparisonId, cells, result, cancel: () => cells.forEach((c) => c.cancel()) };
}

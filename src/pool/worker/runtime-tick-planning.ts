/**
 * Which sequences share the next UNet call. `continuous`: the group (same UNet, latent size and
 * context length, i.e. prompt chunk count, and timestep for a scalar-timestep UNet) whose sequence has waited longest, oldest first, up to
 * maxBatchRows. `request-level` / `sequential`: the batch of whole jobs started when none runs.
 */
import type { JobRuntime, RuntimeState, SequenceRuntime } from './runtime-state';

/**
 * `request-level` / `sequential`, with no batch running: starts the next batch from `ready`, or
 * returns how long the batch window stays open (0 once a batch started).
 */
export function startBatch(runtime: RuntimeState): number {
  const first = runtime.ready[0] as JobRuntime;
  const key = batchKey(first);
  const cap = first.spec.maxBatchRows;
  const chosen: JobRuntime[] = [];
  let rows = 0;
  let full = runtime.init.batching === 'sequential';
  for (const job of runtime.ready) {
    if (batchKey(job) !== key) continue;
    const jobRows = job.sequences.reduce((n, s) => n + s.seq.rows, 0);
    if (chosen.length > 0 && (full || rows + jobRows > cap)) {
      full = true;
      break;
    }
    chosen.push(job);
    rows += jobRows;
  }
  full ||= rows >= cap;
  const windowLeft = first.receivedAt + runtime.init.batchWindowMs - performance.now();
  if (!full && windowLeft > 0) return windowLeft;
  runtime.ready = runtime.ready.filter((j) => !chosen.includes(j));
  for (const job of chosen) {
    runtime.batch.add(job);
    for (const s of job.sequences) runtime.active.add(s);
  }
  return 0;
}

/** The group of sequences for the next UNet call. */
export function pickGroup(runtime: RuntimeState): SequenceRuntime[] | undefined {
  const groups = new Map<string, SequenceRuntime[]>();
  let bestKey: string | undefined;
  let bestWait = Infinity;
  for (const s of runtime.active) {
    const signature = (s.job.model as NonNullable<JobRuntime['model']>).signature;
    const [c, h, w] = s.seq.latentShape;
    // Long prompts lengthen the context; padding a short one to share a call would change its
    // attention and so its image, so only sequences of the same context length share a call.
    let key = `${s.job.checkpoint.spec.components.unet.hash}|${c}x${h}x${w}|ctx${s.seq.embeddings.cond.length}`;
    if (!signature.timestep.batched) key += `|t${s.seq.timestep}`;
    const members = groups.get(key);
    if (members) members.push(s);
    else groups.set(key, [s]);
    if (s.waitingSince < bestWait) {
      bestWait = s.waitingSince;
      bestKey = key;
    }
  }
  if (bestKey === undefined) return undefined;
  const members = (groups.get(bestKey) as SequenceRuntime[]).sort((a, b) => a.waitingSince - b.waitingSince);
  const cap = Math.max(1, Math.min(...members.map((s) => s.job.spec.maxBatchRows)));
  const chosen: SequenceRuntime[] = [];
  let rows = 0;
  for (const s of members) {
    if (chosen.length > 0 && rows + s.seq.rows > cap) continue;
    chosen.push(s);
    rows += s.seq.rows;
  }
  return chosen;
}

/** Jobs batched together by request: the same UNet, image size and context length. */
function batchKey(job: JobRuntime): string {
  const { width, height } = job.spec.request;
  return `${job.checkpoint.spec.components.unet.hash}|${width}x${height}|ctx${job.sequences[0]?.seq.embeddings.cond.length ?? 0}`;
}

/**
 * One UNet call: a denoising step (guidance and scheduler step included) over the planned group,
 * then progress for each of its images and, for finished sequences, the way to decoding. A sequence
 * whose UNet output was not finite (a corrupt UNet) fails its job alone: the other sequences of the
 * call, other requests and other checkpoints, go on with exactly the values they would have had.
 */
import { denoiseStep } from '../../engine/pipeline/denoise-step';
import type { TensorRunner } from '../../engine/runtime/onnx-runtime';
import { latentPreview } from '../protocol/latent-preview';
import type { ProgressEntry } from '../protocol/protocol';
import { failJobs } from './runtime-jobs';
import { FAULT_EXIT_CODE, type JobRuntime, type RuntimeState, type SequenceRuntime } from './runtime-state';
import { pickGroup } from './runtime-tick-planning';

/** Makes the next UNet call and reports its progress; false when no sequence is active. */
export async function unetTick(runtime: RuntimeState): Promise<boolean> {
  const group = pickGroup(runtime);
  if (!group) return false;
  if (runtime.crashAtNextUnetCall) process.exit(FAULT_EXIT_CODE);
  const first = group[0] as SequenceRuntime;
  const checkpointId = first.job.spec.checkpointId;
  const signature = (first.job.model as NonNullable<JobRuntime['model']>).signature;
  const jobs = new Set(group.map((s) => s.job));
  const rows = group.reduce((n, s) => n + s.seq.rows, 0);
  const started = performance.now();
  let failures;
  try {
    failures = await runtime.store.use(checkpointId, 'unet', (unet) =>
      denoiseStep(
        group.map((s) => s.seq),
        faultyRunner(runtime, group, unet),
        signature,
      ),
    );
  } catch (error) {
    runtime.counters.failedUnetCalls++;
    failJobs(runtime, jobs, error);
    return true;
  }
  for (const failure of failures) {
    const failed = group.find((s) => s.seq === failure.sequence);
    if (failed) failJobs(runtime, [failed.job], failure.error);
  }
  const durationMs = performance.now() - started;
  runtime.counters.unetCalls++;
  runtime.counters.unetRows += rows;
  runtime.counters.maxUnetRows = Math.max(runtime.counters.maxUnetRows, rows);
  runtime.counters.maxUnetSequences = Math.max(runtime.counters.maxUnetSequences, group.length);
  runtime.counters.maxUnetJobs = Math.max(runtime.counters.maxUnetJobs, jobs.size);

  const progress: ProgressEntry[] = [];
  const transfer: ArrayBuffer[] = [];
  for (const s of group) {
    if (s.job.state !== 'running') continue; // cancelled or failed during the call
    s.waitingSince = ++runtime.waitCounter;
    s.job.denoisedAt = started + durationMs;
    let entry: ProgressEntry = { jobId: s.job.spec.jobId, imageIndex: s.imageIndex, step: s.seq.stepIndex, totalSteps: s.seq.totalSteps };
    if (wantsPreview(s)) {
      // x0 (the clean image this step predicts), not the noisy latents: early previews already show the design.
      const preview = latentPreview(s.seq.predictedOriginal() ?? s.seq.latents, s.seq.latentShape);
      transfer.push(preview.data.buffer as ArrayBuffer);
      entry = { ...entry, preview };
    }
    progress.push(entry);
    if (s.seq.done) {
      runtime.active.delete(s);
      if (runtime.init.batching === 'request-level') runtime.batchDenoised.push(s);
      else runtime.decodeQueue.push(s);
    }
  }
  const jobShares = [...jobs].map((job) => ({ jobId: job.spec.jobId, sequences: group.filter((s) => s.job === job).length }));
  const startedAt = performance.timeOrigin + started;
  runtime.post({ type: 'tick', checkpointId, rows, sequences: group.length, startedAt, durationMs, jobs: jobShares, progress }, transfer);
  return true;
}

/** Previews are of the job's first image, every `previewIntervalSteps` steps and at the last step. */
function wantsPreview(s: SequenceRuntime): boolean {
  const interval = s.job.spec.previewIntervalSteps;
  if (interval === null || s.imageIndex !== 0) return false;
  const step = s.seq.stepIndex;
  return step % interval === 0 || step === s.seq.totalSteps;
}

/** The UNet session, or a runner that throws for checkpoints with an injected failure. */
function faultyRunner(runtime: RuntimeState, group: readonly SequenceRuntime[], session: TensorRunner): TensorRunner {
  if (runtime.failingUnetCalls.size === 0) return session;
  const target = group.map((s) => s.job.spec.checkpointId).find((id) => (runtime.failingUnetCalls.get(id) ?? 0) > 0);
  if (target === undefined) return session;
  const left = (runtime.failingUnetCalls.get(target) as number) - 1;
  if (left > 0) runtime.failingUnetCalls.set(target, left);
  else runtime.failingUnetCalls.delete(target);
  return { run: () => Promise.reject(new Error(`injected fault (testing aid): UNet call failed`)) };
}

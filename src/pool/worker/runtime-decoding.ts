/**
 * VAE decoding: finished sequences sharing a VAE and latent size, up to maxDecodeBatch per tick (small
 * images several per VAE call, large ones one per call or tile by tile: decode-latents.ts); each image goes
 * to the main thread, and a job whose last image is decoded ends with its timings. An image whose
 * decoder output is not finite fails its job (never a black "success"); the call's other images are kept.
 */
import { decodeLatentsEach } from '../../engine/pipeline/decode-latents';
import { NonFiniteOutputError } from '../../engine/pipeline/non-finite';
import { seedForImage } from '../../engine/noise';
import { endJob, failJobs } from './runtime-jobs';
import type { JobRuntime, RuntimeState, SequenceRuntime } from './runtime-state';

/** Decodes the next batch of denoised sequences and sends their images; false when none waits. */
export async function decodeTick(runtime: RuntimeState): Promise<boolean> {
  const first = runtime.decodeQueue[0];
  if (!first) return false;
  const shape = first.seq.latentShape;
  const key = `${first.job.checkpoint.spec.components.vae_decoder.hash}|${shape.join('x')}`;
  const batch: SequenceRuntime[] = [];
  for (const s of runtime.decodeQueue) {
    if (batch.length >= runtime.init.maxDecodeBatch) break;
    if (`${s.job.checkpoint.spec.components.vae_decoder.hash}|${s.seq.latentShape.join('x')}` === key) batch.push(s);
  }
  runtime.decodeQueue = runtime.decodeQueue.filter((s) => !batch.includes(s));
  const checkpointId = first.job.spec.checkpointId;
  const { directory, signature } = first.job.model as NonNullable<JobRuntime['model']>;
  let images;
  try {
    images = await runtime.store.use(checkpointId, 'vae_decoder', (vae) =>
      decodeLatentsEach(
        batch.map((s) => s.seq.latents),
        shape,
        // Counts every vae_decoder call: a tick makes several when images are sliced or tiled.
        { run: (feeds) => (runtime.counters.vaeCalls++, vae.run(feeds)) },
        signature,
        directory.vaeScalingFactor,
        { tileAbovePixels: runtime.init.vaeTileAbovePixels },
      ),
    );
  } catch (error) {
    failJobs(runtime, new Set(batch.map((s) => s.job)), error);
    return true;
  }
  runtime.counters.vaeImages += batch.length;
  batch.forEach((s, i) => {
    const job = s.job;
    if (job.state !== 'running') return;
    const image = images[i] as (typeof images)[number];
    if (image instanceof NonFiniteOutputError) {
      failJobs(runtime, [job], image);
      return;
    }
    const { request } = job.spec;
    runtime.post(
      {
        type: 'image',
        jobId: job.spec.jobId,
        index: s.imageIndex,
        seed: seedForImage(request.seed, s.imageIndex),
        width: image.width,
        height: image.height,
        data: image.data,
        initialLatentsDigest: s.initialLatentsDigest,
      },
      [image.data.buffer as ArrayBuffer],
    );
    job.imagesLeft--;
    if (job.imagesLeft === 0) {
      const end = performance.now();
      endJob(runtime, job, {
        kind: 'done',
        timings: {
          receivedAt: performance.timeOrigin + job.receivedAt,
          loadMs: round(job.admittedAt - job.receivedAt),
          encodeMs: round(job.encodedAt - job.admittedAt),
          denoiseMs: round(job.denoisedAt - job.encodedAt),
          decodeMs: round(end - job.denoisedAt),
        },
      });
    }
  });
  return true;
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

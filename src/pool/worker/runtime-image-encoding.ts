/**
 * Image to image: the photos of a batch of admitted jobs, fitted to each request's size and encoded
 * to their latent distribution, as prompts are: jobs whose checkpoints share a VAE encoder and an
 * image size are encoded in one encoder call (up to maxDecodeBatch images), and a photo several jobs
 * share (a comparison's, across checkpoints with one encoder) is encoded once. The encoder's sample
 * is drawn later, per image, from the image's own generator, so batching changes no image.
 */
import { createHash } from 'node:crypto';
import { encodeInitImages, type LatentDistribution } from '../../engine/pipeline/encode-init-images';
import { fitInitImage, imageToSample } from '../../engine/pipeline/fit-init-image';
import type { GenerationRequest } from '../../engine/pipeline/generation-request';
import { toWireError } from '../protocol/pool-errors';
import { endJob, failJobs } from './runtime-jobs';
import type { JobRuntime, RuntimeState } from './runtime-state';

interface Photo {
  readonly key: string;
  readonly sample: Float32Array;
  readonly jobs: JobRuntime[];
}

/**
 * The distribution of each image-to-image job's photo; a job whose encoding failed is ended (failed)
 * and left out. Text-to-image jobs are not in the map.
 */
export async function encodeJobImages(runtime: RuntimeState, jobs: readonly JobRuntime[]): Promise<Map<JobRuntime, LatentDistribution>> {
  const found = new Map<JobRuntime, LatentDistribution>();
  // Per encoder and size, the distinct photos and the jobs that use each.
  const groups = new Map<string, Map<string, Photo>>();
  for (const job of jobs) {
    const { request } = job.spec;
    if (!request.initImage || job.state !== 'encoding') continue;
    const encoderHash = job.checkpoint.spec.vaeEncoder?.hash ?? '';
    const groupKey = `${encoderHash}|${request.width}x${request.height}`;
    const photos = groups.get(groupKey) ?? new Map<string, Photo>();
    groups.set(groupKey, photos);
    const key = photoKey(request);
    const photo = photos.get(key);
    if (photo) photo.jobs.push(job);
    else photos.set(key, { key, sample: imageToSample(fitInitImage(request.initImage, request.width, request.height, request.noiseMode)), jobs: [job] });
  }
  for (const photos of groups.values()) {
    const all = [...photos.values()];
    const perCall = Math.max(1, runtime.init.maxDecodeBatch);
    for (let start = 0; start < all.length; start += perCall) {
      const chunk = all.slice(start, start + perCall);
      const first = chunk[0]?.jobs[0] as JobRuntime;
      const { width, height } = first.spec.request;
      const latentChannels = (first.model as NonNullable<JobRuntime['model']>).signature.latentChannels;
      let encoded;
      try {
        encoded = await runtime.store.use(first.spec.checkpointId, 'vae_encoder', () =>
          encodeInitImages(chunk.map((p) => p.sample), height, width, latentChannels, runtime.store.vaeEncoder(first.spec.checkpointId)),
        );
      } catch (error) {
        failJobs(runtime, chunk.flatMap((p) => p.jobs), error);
        continue;
      }
      runtime.counters.vaeEncoderCalls++;
      runtime.counters.vaeEncoderImages += chunk.length;
      chunk.forEach((photo, i) => {
        const result = encoded[i];
        for (const job of photo.jobs) {
          if (result && 'mean' in result) found.set(job, result);
          else endJob(runtime, job, { kind: 'failed', error: toWireError(result ?? new Error('the encoder returned nothing')) });
        }
      });
    }
  }
  return found;
}

/** The photo's pixels and how it is fitted: equal keys give equal encoder inputs. */
function photoKey(request: GenerationRequest): string {
  const image = request.initImage as NonNullable<GenerationRequest['initImage']>;
  const pixels = createHash('sha256').update(image.data).digest('hex');
  return `${image.width}x${image.height}|${pixels}|${request.noiseMode}`;
}

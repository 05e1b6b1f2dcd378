/**
 * Prompt encoding (and, for image to image, photo encoding: runtime-image-encoding.ts): waiting
 * jobs that share a text encoder and tokenizer are encoded in one text-encoder call (every chunk of
 * their prompts, identical prompts once, recent ones from a small cache keyed by text, chunk count
 * and emphasis), and each job's
 * sequences are created from its embeddings. A prompt whose states are not finite (a broken text
 * encoder) fails the jobs that use it and is never cached; the call's other prompts are used as usual.
 */
import { createHash } from 'node:crypto';
import { usesClassifierFreeGuidance } from '../../engine/pipeline/classifier-free-guidance';
import type { PromptEmbeddings } from '../../engine/pipeline/denoising-sequence';
import { encodePrompts, planPrompts, type PromptPlan } from '../../engine/pipeline/encode-prompts';
import type { NonFiniteOutputError } from '../../engine/pipeline/non-finite';
import { StableDiffusionPipeline } from '../../engine/pipeline/stable-diffusion-pipeline';
import { toWireError } from '../protocol/pool-errors';
import { encodeJobImages } from './runtime-image-encoding';
import { endJob, failJobs } from './runtime-jobs';
import type { JobRuntime, RuntimeState } from './runtime-state';

/** Encodes the prompts of the next batch of admitted jobs and creates their sequences; false when none waits. */
export async function encodeTick(runtime: RuntimeState): Promise<boolean> {
  const first = runtime.encodeQueue[0];
  if (!first) return false;
  const key = encoderKey(first);
  const batch: JobRuntime[] = [];
  const planned = new Map<JobRuntime, PromptPlan[]>();
  const prompts = new Map<string, PromptPlan>();
  let chunks = 0;
  for (const job of runtime.encodeQueue) {
    if (encoderKey(job) !== key) continue;
    const plans = plansOf(job);
    const own = plans.filter((p, i) => !prompts.has(p.key) && !runtime.embeddingCache.has(`${key}\0${p.key}`) && plans.findIndex((q) => q.key === p.key) === i);
    const ownChunks = own.reduce((n, p) => n + p.chunks, 0);
    // The limit counts text-encoder rows: a prompt of three chunks is three rows.
    if (batch.length > 0 && chunks + ownChunks > runtime.init.maxEncodePrompts) break;
    for (const p of own) prompts.set(p.key, p);
    chunks += ownChunks;
    planned.set(job, plans);
    batch.push(job);
  }
  runtime.encodeQueue = runtime.encodeQueue.filter((j) => !batch.includes(j));

  const { directory, signature } = first.model as NonNullable<JobRuntime['model']>;
  const fresh = [...prompts.values()];
  const states = new Map<string, Float32Array>();
  const broken = new Map<string, NonFiniteOutputError>();
  if (fresh.length > 0) {
    try {
      const encoded = await runtime.store.use(first.spec.checkpointId, 'text_encoder', (encoder) => encodePrompts(fresh, directory.tokenizer, encoder, signature));
      encoded.states.forEach((state, i) => {
        const error = encoded.nonFinite[i];
        const prompt = (fresh[i] as PromptPlan).key;
        if (error) broken.set(prompt, error);
        else states.set(prompt, state);
      });
    } catch (error) {
      failJobs(runtime, batch, error);
      return true;
    }
    runtime.counters.textEncoderCalls++;
    runtime.counters.textEncoderPrompts += fresh.length;
  }
  const embeddingOf = (prompt: string): Float32Array => {
    const found = states.get(prompt);
    if (found) return found;
    runtime.counters.embeddingCacheHits++;
    const cached = runtime.embeddingCache.get(`${key}\0${prompt}`) as Float32Array;
    cacheEmbedding(runtime, `${key}\0${prompt}`, cached); // most recently used again
    return cached;
  };

  for (const job of batch) {
    const keys = (planned.get(job) as PromptPlan[]).map((p) => p.key);
    const unusable = job.state === 'encoding' ? keys.map((p) => broken.get(p)).find((e) => e !== undefined) : undefined;
    if (unusable) endJob(runtime, job, { kind: 'failed', error: toWireError(unusable) });
  }
  const initLatents = await encodeJobImages(runtime, batch);

  for (const job of batch) {
    if (job.state !== 'encoding') continue;
    const { request } = job.spec;
    const [cond, uncond] = (planned.get(job) as PromptPlan[]).map((p) => p.key);
    const embeddings: PromptEmbeddings =
      uncond !== undefined ? { cond: embeddingOf(cond as string), uncond: embeddingOf(uncond) } : { cond: embeddingOf(cond as string) };
    try {
      const model = job.model as NonNullable<JobRuntime['model']>;
      const pipeline = new StableDiffusionPipeline({
        directory: model.directory,
        signature: model.signature,
        textEncoder: runtime.store.session(job.spec.checkpointId, 'text_encoder'),
        unet: runtime.store.session(job.spec.checkpointId, 'unet'),
        vaeDecoder: runtime.store.session(job.spec.checkpointId, 'vae_decoder'),
        release: () => Promise.resolve(),
      });
      const sequences = pipeline.createSequences(request, embeddings, job.spec.jobId, initLatents.get(job));
      job.sequences = sequences.map((seq, imageIndex) => ({
        job,
        imageIndex,
        seq,
        initialLatentsDigest: digest(seq.latents),
        waitingSince: ++runtime.waitCounter,
      }));
    } catch (error) {
      endJob(runtime, job, { kind: 'failed', error: toWireError(error) });
      continue;
    }
    job.state = 'running';
    job.encodedAt = performance.now();
    if (runtime.init.batching === 'continuous') for (const s of job.sequences) runtime.active.add(s);
    else runtime.ready.push(job);
  }
  // Only now: caching the new prompts may evict entries that this batch's jobs were counting on.
  for (const [prompt, state] of states) cacheEmbedding(runtime, `${key}\0${prompt}`, state);
  return true;
}

/** A job's prompt and, with guidance, its negative, planned together (one chunk count for both). */
function plansOf(job: JobRuntime): PromptPlan[] {
  const { request } = job.spec;
  const { directory, signature } = job.model as NonNullable<JobRuntime['model']>;
  const texts = usesClassifierFreeGuidance(request) ? [request.prompt, request.negativePrompt] : [request.prompt];
  return planPrompts(texts, request.emphasis, directory.tokenizer, signature);
}

/** Prompts are encoded together only through the same text encoder and tokenizer. */
function encoderKey(job: JobRuntime): string {
  const spec = job.checkpoint.spec;
  return `${spec.components.text_encoder.hash}:${spec.tokenizerHash}`;
}

function cacheEmbedding(runtime: RuntimeState, key: string, state: Float32Array): void {
  if (runtime.init.embeddingCacheSize <= 0) return;
  runtime.embeddingCache.delete(key);
  runtime.embeddingCache.set(key, state);
  while (runtime.embeddingCache.size > runtime.init.embeddingCacheSize) {
    const oldest = runtime.embeddingCache.keys().next().value as string;
    runtime.embeddingCache.delete(oldest);
  }
}

function digest(latents: Float32Array): string {
  return createHash('sha256').update(new Uint8Array(latents.buffer, latents.byteOffset, latents.byteLength)).digest('hex');
}

/**
 * The application's tracer and its span names and attributes, in one place. Without a started SDK
 * (tracing-sdk.ts), @opentelemetry/api hands out non-recording spans: nothing is kept or exported.
 */
import { trace, type Tracer } from '@opentelemetry/api';

export const tracer: Tracer = trace.getTracer('afro-fashion-diffusion-api');

/** Span names for the work a generation goes through (the transports name theirs by route or method). */
export const SPAN = {
  generation: 'generation',
  queue: 'queue wait',
  modelLoad: 'model load',
  textEncoder: 'text encoder',
  denoise: 'denoise',
  vaeDecoder: 'vae decoder',
  imageEncode: 'image encode',
  unet: 'unet call',
} as const;

/** Attribute keys of the app's own (`afd.`) attributes. */
export const ATTR = {
  generationId: 'afd.generation.id',
  checkpoint: 'afd.checkpoint',
  device: 'afd.device',
  steps: 'afd.steps',
  images: 'afd.images',
  rows: 'afd.unet.rows',
  sequences: 'afd.unet.sequences',
  jobs: 'afd.unet.jobs',
} as const;

/** GraphQL enums for the domain's string choices; each maps an enum name to the domain's value. */
import { registerEnumType } from '@nestjs/graphql';

export enum SchedulerEnum {
  PNDM = 'pndm',
  DDIM = 'ddim',
  EULER = 'euler',
  EULER_A = 'euler-a',
  DPMPP_2M = 'dpm++2m',
  LMS = 'lms',
  DPMPP_2M_KARRAS = 'dpm++2m-karras',
  DPMPP_2M_SDE = 'dpm++2m-sde',
  DPMPP_2M_SDE_KARRAS = 'dpm++2m-sde-karras',
  EULER_KARRAS = 'euler-karras',
  LMS_KARRAS = 'lms-karras',
  HEUN = 'heun',
  DPM2 = 'dpm2',
  DPM2_KARRAS = 'dpm2-karras',
  UNIPC = 'unipc',
  DEIS = 'deis',
}

export enum NoiseModeEnum {
  TORCH = 'torch',
  NUMPY = 'numpy',
}

export enum EmphasisEnum {
  ORIGINAL = 'original',
  NO_NORM = 'no-norm',
}

export enum ImageFormatEnum {
  PNG = 'png',
  JPEG = 'jpeg',
  WEBP = 'webp',
}

export enum GenerationStatusEnum {
  QUEUED = 'queued',
  RUNNING = 'running',
  SUCCEEDED = 'succeeded',
  FAILED = 'failed',
  CANCELLED = 'cancelled',
}

export enum GenerationEventKind {
  PROGRESS = 'progress',
  DONE = 'done',
}

registerEnumType(SchedulerEnum, { name: 'Scheduler', description: 'Denoising schedulers (diffusers names: PNDM, DDIM, Euler, Euler ancestral, DPM-Solver++ 2M, LMS)' });
registerEnumType(NoiseModeEnum, { name: 'NoiseMode', description: "Whose random generator draws the initial latents: torch's CPU generator or numpy's RandomState" });
registerEnumType(EmphasisEnum, { name: 'Emphasis', description: "How prompt weights apply (AUTOMATIC1111's emphasis modes): ORIGINAL rescales to the embeddings' mean, NO_NORM does not" });
registerEnumType(ImageFormatEnum, { name: 'ImageFormat' });
registerEnumType(GenerationStatusEnum, { name: 'GenerationStatus' });
registerEnumType(GenerationEventKind, { name: 'GenerationEventKind', description: 'PROGRESS once per denoising step, then one DONE' });

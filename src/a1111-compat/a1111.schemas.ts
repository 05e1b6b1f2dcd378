/**
 * The AUTOMATIC1111-compatible routes' requests and answers for the OpenAPI document (and the tests'
 * checks of real answers). The requests are documented, not enforced by these schemas: the parser
 * (a1111-request.ts) decides each field, and fields the web UI does not know are ignored as it
 * ignores them.
 */
import { z } from 'zod';
import { DEFAULT_LIMITS } from '../engine/pipeline/generation-request';
import { EMPHASIS_LABELS, IGNORED_FIELDS, NEUTRAL_ONLY_FIELDS, SCHEDULE_TYPES } from './a1111-fields';

const optional = <T extends z.ZodType>(schema: T) => schema.nullable().optional();
const neutralList = Object.entries(NEUTRAL_ONLY_FIELDS)
  .map(([field, { rule }]) => `\`${field}\` (${rule})`)
  .join(', ');

const SHARED_FIELDS = {
  prompt: optional(z.string().max(DEFAULT_LIMITS.maxPromptLength).describe('The prompt, with A1111 attention syntax: (word:1.3), ((word)), [word]; past 75 tokens in chunks')),
  negative_prompt: optional(z.string().max(DEFAULT_LIMITS.maxPromptLength).describe('The negative prompt')),
  seed: optional(z.int().min(-1).describe('-1 (default): random; the seeds of the images count on from it')),
  sampler_name: optional(z.string().describe('A sampler by its web UI name ("Euler a", "DPM++ 2M Karras", …) or id, any case; GET /sdapi/v1/samplers lists them').meta({ default: 'Euler' })),
  sampler_index: optional(z.string().describe('Older clients\' sampler field, used when sampler_name is absent')),
  scheduler: optional(z.enum(SCHEDULE_TYPES.map((t) => t.label) as [string, ...string[]]).describe('Schedule type (web UI ≥ 1.9, lower case too): Automatic (DPM++ 2M and DPM2 then run on Karras sigmas, as there) or Karras (the sampler\'s Karras variant; 422 when it has none). Absent: the sampler as named')),
  batch_size: optional(z.int().min(1).describe('Images per batch; batch_size × n_iter images in all, at most the image limit (8 by default)').meta({ default: 1 })),
  n_iter: optional(z.int().min(1).describe('Batches; the seeds count on across them').meta({ default: 1 })),
  steps: optional(z.int().min(1).max(DEFAULT_LIMITS.maxSteps).meta({ default: 50 })),
  cfg_scale: optional(z.number().min(0).max(DEFAULT_LIMITS.maxGuidanceScale).meta({ default: 7 })),
  width: optional(z.int().min(DEFAULT_LIMITS.minSize).max(DEFAULT_LIMITS.maxSize).describe('A multiple of the checkpoint\'s size granularity').meta({ default: 512 })),
  height: optional(z.int().min(DEFAULT_LIMITS.minSize).max(DEFAULT_LIMITS.maxSize).meta({ default: 512 })),
  eta: optional(z.number().min(0).max(1).describe('DDIM\'s eta')),
  override_settings: optional(
    z
      .record(z.string(), z.unknown())
      .describe(
        `Per-request settings: sd_model_checkpoint (a checkpoint id, sd-models title or filename), emphasis (${Object.keys(EMPHASIS_LABELS).join(' or ')}), CLIP_stop_at_last_layers (1 only); any other setting is accepted and ignored`,
      ),
  ),
  send_images: optional(z.boolean().describe('false: the answer\'s images list is empty').meta({ default: true })),
};

const NOTE = `Also accepted and ignored: ${Object.keys(IGNORED_FIELDS).join(', ')}. Accepted only at their neutral value (422 otherwise): ${neutralList}. Unknown fields are ignored.`;

export const Txt2ImgRequestSchema = z.looseObject(SHARED_FIELDS).describe(`AUTOMATIC1111's txt2img request (web UI 1.10). ${NOTE}`).meta({
  example: { prompt: 'a red and gold kente dress, studio photo', negative_prompt: 'blurry', sampler_name: 'DPM++ 2M', scheduler: 'Karras', steps: 25, cfg_scale: 7, width: 512, height: 512, seed: 42, override_settings: { sd_model_checkpoint: 'final' } },
});

export const Img2ImgRequestSchema = z
  .looseObject({
    ...SHARED_FIELDS,
    init_images: z.array(z.string()).min(1).max(1).describe('Exactly one photo, base64 or a data URL (PNG, JPEG or WebP, at most 8 MiB and 4096 × 4096); this route reads bodies up to that size'),
    denoising_strength: optional(z.number().gt(0).max(1).describe('The share of the schedule that runs (diffusers\' strength)').meta({ default: 0.75 })),
    resize_mode: optional(z.union([z.literal(0), z.literal(1)]).describe('0 (just resize): honoured for a photo of the size\'s aspect ratio, 422 otherwise; 1 (crop and resize): the engine\'s own fit').meta({ default: 0 })),
    include_init_images: optional(z.boolean().describe('Echo the photo in parameters.init_images').meta({ default: false })),
  })
  .describe(`AUTOMATIC1111's img2img request (web UI 1.10). ${NOTE}`);

export const A1111ImagesResponseSchema = z
  .object({
    images: z.array(z.string()).describe('Base64 PNGs (with A1111\'s parameters text chunk); empty with send_images false'),
    parameters: z.record(z.string(), z.unknown()).describe('The request echoed: every field of the web UI\'s model, the sent ones as sent, the rest at its defaults'),
    info: z.string().describe('A JSON string: prompt, seed, all_seeds, sampler_name, cfg_scale, steps, width, height, sd_model_name, sd_model_hash, denoising_strength, infotexts (each image\'s parameters text), …'),
  })
  .meta({ example: { images: ['iVBORw0KGgo…'], parameters: { prompt: 'red kente dress', seed: 42 }, info: '{"seed": 42, "all_seeds": [42], "sampler_name": "Euler a", "sd_model_name": "final"}' } });

export const A1111ModelSchema = z.object({
  title: z.string().describe('`id [hash]`, as options and override_settings take it'),
  model_name: z.string(),
  hash: z.string().nullable().describe('The first 10 hex digits of sha256'),
  sha256: z.string().nullable().describe("The checkpoint's UNet content hash"),
  filename: z.string().describe('The checkpoint id (no path on the server is shown)'),
  config: z.null(),
});
export const A1111ModelListSchema = z.array(A1111ModelSchema);

export const A1111SamplerListSchema = z.array(z.object({ name: z.string(), aliases: z.array(z.string()), options: z.record(z.string(), z.string()) }));

export const A1111SchedulerListSchema = z.array(
  z.object({ name: z.string(), label: z.string(), aliases: z.array(z.string()).nullable(), default_rho: z.number(), need_inner_model: z.boolean() }),
);

export const A1111OptionsSchema = z
  .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
  .describe('This key\'s options: sd_model_checkpoint (its title), sd_checkpoint_hash, emphasis, and fixed ones (CLIP_stop_at_last_layers 1, samples_format png, …)');

export const A1111OptionsUpdateSchema = z
  .record(z.string(), z.unknown())
  .describe('sd_model_checkpoint and emphasis are kept for this API key (not for other clients); every other setting is accepted and ignored');

export const A1111ProgressSchema = z.object({
  progress: z.number().min(0).max(1),
  eta_relative: z.number().min(0).describe('Seconds left, estimated'),
  state: z.object({
    skipped: z.boolean(),
    interrupted: z.boolean(),
    stopping_generation: z.boolean(),
    job: z.string(),
    job_count: z.int().min(0),
    job_timestamp: z.string(),
    job_no: z.int(),
    sampling_step: z.int().min(0),
    sampling_steps: z.int().min(0),
  }),
  current_image: z.null().describe('Always null: live previews come with the native generation events'),
  textinfo: z.string().nullable(),
  current_task: z.string().nullable(),
});

export const A1111ValidationErrorSchema = z
  .object({ detail: z.array(z.object({ loc: z.array(z.union([z.string(), z.int()])), msg: z.string(), type: z.string() })) })
  .meta({ example: { detail: [{ loc: ['body', 'restore_faces'], msg: 'restore_faces: must be false or null (no face restoration here), got true', type: 'value_error' }] } });

export const A1111ErrorSchema = z
  .object({
    error: z.string().describe("This API's error code (NOT_FOUND, UNAUTHENTICATED, RESOURCE_EXHAUSTED, …)"),
    detail: z.string(),
    body: z.string(),
    errors: z.string(),
  })
  .meta({ example: { error: 'NOT_FOUND', detail: 'override_settings.sd_model_checkpoint "v1-5" does not exist; known: baseline, final', body: '', errors: 'override_settings.sd_model_checkpoint "v1-5" does not exist; known: baseline, final' } });

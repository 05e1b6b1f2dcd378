/**
 * POST /v1/generations and what the generation endpoints answer, written once. The limits come from
 * the engine (DEFAULT_LIMITS, FIXED_RULES, the scheduler and noise lists), which checks every value
 * with messages naming the field; this schema says the same rules to clients (OpenAPI) and fixes the
 * fields every transport takes: the REST body, GraphQL's GenerateInput and gRPC's GenerateRequest
 * are checked against it (test/contract-parity.e2e-spec.ts).
 */
import { z } from 'zod';
import { fieldsOf } from '../common/api-contract';
import { ErrorCode } from '../common/error-code';
import { IMAGE_FORMATS, MIME_TYPES } from '../engine/image/encode-image';
import { DEFAULT_LIMITS, DEFAULT_REQUEST, FIXED_RULES } from '../engine/pipeline/generation-request';
import { MAX_SEED, NOISE_MODES, NUMPY_MAX_SEED } from '../engine/noise';
import { EMPHASIS_MODES, MAX_PROMPT_CHUNKS, MAX_TOKEN_WEIGHT } from '../engine/prompt-weighting';
import { SCHEDULER_INPUT_NAMES } from '../engine/schedulers';
import { PromptAttributesInputSchema } from '../prompts/prompt.schemas';
import { IMAGE_INPUT_RULES } from '../transports/image-input';
import { MAX_MULTIPART_REQUEST_BYTES, MULTIPART_REQUEST_FIELD, type ImageUploadShape } from '../transports/rest/image-upload';

/** JPEG and WebP quality (the encoder's scale). */
export const QUALITY_RANGE = { min: 1, max: 100 } as const;

/** The field that carries image to image's starting picture on every transport (REST JSON and multipart, GraphQL, gRPC `init_image`). */
export const INIT_IMAGE_FIELD = 'initImage';
/** A multipart generation's one file part. */
export const GENERATION_UPLOAD: ImageUploadShape = { kind: 'generation', fileFields: [INIT_IMAGE_FIELD] };

/** Image to image, stated once for the generation and comparison schemas (the engine checks the same rules). */
export const INIT_IMAGE_DESCRIPTION =
  `Image to image: the starting picture (e.g. the product photo), base64 or a data URL (data:image/png;base64,…) in JSON and GraphQL, a file part in multipart, bytes in gRPC. ${IMAGE_INPUT_RULES}. ` +
  'Sent at its own size; the engine fits it to width × height. The checkpoint needs a VAE encoder (400 naming initImage otherwise)';
export const STRENGTH_DESCRIPTION =
  `Image to image (only with initImage): how much of the picture is repainted, greater than ${FIXED_RULES.minStrengthExclusive} and at most ${FIXED_RULES.maxStrength}. ` +
  'As diffusers counts it, floor(steps × strength) denoising steps run, from the timestep that far into the schedule: near 0 keeps the picture, 1 ignores it';

/** Steps between progress previews; at most the step limit. */
export const PREVIEW_INTERVAL_RANGE = { min: 1, default: 1 } as const;

const { sizeMultiple } = FIXED_RULES;
const optional = <T extends z.ZodType>(schema: T) => schema.nullable().optional();

/** A prompt: at most maxPromptLength characters, no control characters but tab and newline. */
const promptText = z.string().max(DEFAULT_LIMITS.maxPromptLength);
/** The attention syntax and chunking, stated in both prompts' descriptions (the engine checks the weights). */
const PROMPT_SYNTAX =
  `AUTOMATIC1111's attention syntax: (word) weighs 1.1, [word] 1/1.1, (word:1.4) 1.4, nesting multiplies, \\( \\) \\[ \\] are literal brackets; weights must stay within ±${MAX_TOKEN_WEIGHT}. ` +
  `Up to ${MAX_PROMPT_CHUNKS} chunks of 75 tokens are encoded (the prompt and negative prompt share one chunk count); tokens past them are cut (POST /v1/prompts/tokenize reports chunks, weights and cuts)`;
const size = (side: 'width' | 'height') =>
  optional(
    z
      .int()
      .min(DEFAULT_LIMITS.minSize)
      .max(DEFAULT_LIMITS.maxSize)
      .multipleOf(sizeMultiple)
      .describe(`Image ${side} in pixels: a multiple of ${sizeMultiple}, ${DEFAULT_LIMITS.minSize} to ${DEFAULT_LIMITS.maxSize}`)
      .meta({ default: DEFAULT_REQUEST[side] }),
  );

/** An unsigned 64-bit seed: a JSON number while it is exact (up to 2^53 - 1), larger ones as a decimal string. */
export const SeedSchema = z
  .union([z.int().min(0).max(Number.MAX_SAFE_INTEGER), z
      .string()
      .regex(/^(0|[1-9][0-9]{0,19})$/)
      // A range JSON Schema cannot state over strings; the description does.
      .refine((digits) => /^[0-9]+$/.test(digits) && BigInt(digits) <= MAX_SEED, `must be at most 2^64 - 1 = ${MAX_SEED}`)])
  .describe(`Random when omitted; image i uses seed + i. A number from 0 to ${Number.MAX_SAFE_INTEGER}, or a decimal string up to 2^64 - 1 = ${MAX_SEED}; with noiseMode numpy, seed + numImages - 1 must be at most ${NUMPY_MAX_SEED}`);

/** The multipart body: the generation as JSON in one part (without the image), the init image file in the other. */
export const GenerateMultipartSchema = z.object({
  [MULTIPART_REQUEST_FIELD]: z.string().describe(`The generation as JSON (the JSON body's object without initImage), at most ${MAX_MULTIPART_REQUEST_BYTES / 1024} KiB`),
  [INIT_IMAGE_FIELD]: z.string().meta({ contentMediaType: 'application/octet-stream' }).describe('The init image file'),
});

/**
 * The generation request. Its key order is the order error messages list the known fields in.
 * Omitted fields (or null) take the defaults shown.
 */
export const GenerateRequestSchema = z
  .object({
    prompt: optional(promptText.describe(`The text prompt, at most ${DEFAULT_LIMITS.maxPromptLength} characters, without control characters other than tab and newline. Required unless attributes are given. ${PROMPT_SYNTAX}`)),
    attributes: optional(PromptAttributesInputSchema.describe("Fashion attributes instead of a prompt, rendered by the checkpoint's prompt template")),
    negativePrompt: optional(promptText.describe(`What the image should not show (the unconditional prompt of classifier-free guidance); the same syntax as prompt`).meta({ default: DEFAULT_REQUEST.negativePrompt })),
    checkpoint: optional(z.string().describe("A checkpoint id (GET /v1/checkpoints); the registry's default when omitted")),
    seed: optional(SeedSchema),
    steps: optional(z.int().min(FIXED_RULES.minSteps).max(DEFAULT_LIMITS.maxSteps).describe('Denoising steps').meta({ default: DEFAULT_REQUEST.steps })),
    guidanceScale: optional(
      z.number().min(FIXED_RULES.minGuidanceScale).max(DEFAULT_LIMITS.maxGuidanceScale).describe('Classifier-free guidance; at most 1 means none').meta({ default: DEFAULT_REQUEST.guidanceScale }),
    ),
    width: size('width'),
    height: size('height'),
    scheduler: optional(
      // One enum of every accepted spelling: the ids first, then the display names they stand for.
      z
        .enum(SCHEDULER_INPUT_NAMES as [string, ...string[]])
        .describe('The sampler: an id from GET /v1/samplers (e.g. dpm++2m-karras), or its AUTOMATIC1111 display name, exact, case included (e.g. "DPM++ 2M Karras", "Euler a"), which is read as the id')
        .meta({ default: DEFAULT_REQUEST.scheduler }),
    ),
    noiseMode: optional(z.enum(NOISE_MODES).describe("Whose random generator draws the initial latents: torch's CPU generator or numpy's RandomState").meta({ default: DEFAULT_REQUEST.noiseMode })),
    numImages: optional(z.int().min(FIXED_RULES.minImages).max(DEFAULT_LIMITS.maxImages).describe('Images to generate, with seeds seed, seed + 1, …').meta({ default: DEFAULT_REQUEST.numImages })),
    eta: optional(z.number().min(FIXED_RULES.minEta).max(FIXED_RULES.maxEta).describe("DDIM's eta (0 = deterministic); other schedulers ignore it").meta({ default: DEFAULT_REQUEST.eta })),
    emphasis: optional(
      z
        .enum(EMPHASIS_MODES)
        .describe("How prompt weights apply (AUTOMATIC1111's emphasis): original multiplies each token's embedding by its weight, then rescales to the embeddings' previous mean (skipped when that mean is near zero); no-norm only multiplies")
        .meta({ default: DEFAULT_REQUEST.emphasis }),
    ),
    [INIT_IMAGE_FIELD]: optional(z.string().min(1).describe(INIT_IMAGE_DESCRIPTION)),
    strength: optional(z.number().gt(FIXED_RULES.minStrengthExclusive).max(FIXED_RULES.maxStrength).describe(STRENGTH_DESCRIPTION).meta({ default: FIXED_RULES.defaultStrength })),
    outputFormat: optional(z.enum(IMAGE_FORMATS).describe('The encoding of the images').meta({ default: 'png' })),
    quality: optional(z.int().min(QUALITY_RANGE.min).max(QUALITY_RANGE.max).describe('JPEG and WebP quality')),
    preview: optional(
      z.boolean().describe('Progress events carry a small WebP preview of the first image, made from the predicted clean image (x0), every previewInterval steps and at the last').meta({ default: false }),
    ),
    previewInterval: optional(z.int().min(PREVIEW_INTERVAL_RANGE.min).max(DEFAULT_LIMITS.maxSteps).describe('Steps between previews (with preview)').meta({ default: PREVIEW_INTERVAL_RANGE.default })),
  })
  .strict()
  .meta({ example: { prompt: 'a red and gold kente dress, studio photo', checkpoint: 'final', seed: 42, steps: 25, width: 512, height: 512, scheduler: 'euler-a' } });
export type GenerateRequestBody = z.input<typeof GenerateRequestSchema>;

/** Every field a generation request may carry, in the schema's order; anything else is refused by name. */
export const GENERATION_FIELDS = fieldsOf(GenerateRequestSchema);

export const GenerationStatusSchema = z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']);

const ProgressSchema = z.object({ step: z.int().min(0), totalSteps: z.int().min(0), etaMs: z.number().min(0).describe('Estimated time left') });
export const FailureSchema = z.object({ code: z.enum(ErrorCode), message: z.string() });

/** What a generation's view says about its init image: the strength it ran at, never the pixels. */
export const ImageToImageSchema = z.object({ strength: z.number().gt(0).max(1).describe('The strength it ran at') });

export const GenerationViewSchema = z
  .object({
    id: z.string(),
    status: GenerationStatusSchema,
    checkpoint: z.string(),
    progress: ProgressSchema,
    images: z.array(
      z.object({
        index: z.int().min(0),
        seed: z.string().describe('The seed this image used, as a decimal string'),
        mimeType: z.enum(Object.values(MIME_TYPES) as [string, ...string[]]),
        url: z.string().describe('GET it for the image bytes'),
        base64: z.string().optional().describe('The image bytes, with ?base64=true'),
      }),
    ),
    error: FailureSchema.optional().describe('Why it failed or was cancelled'),
    imageToImage: ImageToImageSchema.optional().describe('Present when the generation started from an init image'),
  })
  .meta({
    example: {
      id: '01JF3Z8M6Q2W5T9X0A1B2C3D4E',
      status: 'succeeded',
      checkpoint: 'final',
      progress: { step: 25, totalSteps: 25, etaMs: 0 },
      images: [{ index: 0, seed: '42', mimeType: 'image/png', url: '/v1/generations/01JF3Z8M6Q2W5T9X0A1B2C3D4E/images/0' }],
    },
  });
export type GenerationViewBody = z.infer<typeof GenerationViewSchema>;

/** A progress preview: the first image as the model predicts it at that step, small. */
export const ProgressPreviewSchema = z.object({
  mimeType: z.literal('image/webp'),
  width: z.int().min(1),
  height: z.int().min(1),
  base64: z.string().describe('The WebP bytes'),
});

/** The data of a `progress` server-sent event. */
export const GenerationProgressEventSchema = ProgressSchema.extend({
  status: GenerationStatusSchema,
  preview: ProgressPreviewSchema.optional().describe('With preview: true, every previewInterval steps and at the last'),
});
/** The data of the one `done` server-sent event, the last of the stream. */
export const GenerationDoneEventSchema = z.object({ status: GenerationStatusSchema, step: z.int().min(0), totalSteps: z.int().min(0), error: FailureSchema.optional() });

/** A generation field's description as the schema states it (limits included), for the GraphQL inputs. */
export function describeGenerationField(field: keyof typeof GenerateRequestSchema.shape): string {
  let schema: z.ZodType = GenerateRequestSchema.shape[field];
  while (schema.description === undefined && (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable)) schema = schema.unwrap() as z.ZodType;
  return schema.description ?? field;
}

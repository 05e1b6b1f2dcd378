/**
 * The OpenAI-compatible routes' request and answers, written once (OpenAPI components, the
 * request parser's choices, the tests' checks). The request takes OpenAI's Images API fields, some
 * honoured, some accepted and ignored, some refused (see OPENAI_FIELD_HANDLING), and this server's
 * own settings as extensions whose rules are the native generation schema's.
 */
import { z } from 'zod';
import { IMAGE_FORMATS } from '../engine/image/encode-image';
import { DEFAULT_LIMITS, DEFAULT_REQUEST, FIXED_RULES } from '../engine/pipeline/generation-request';
import { GenerateRequestSchema } from '../generation/generation.schemas';
import { IMAGE_INPUT_RULES } from '../transports/image-input';

export const RESPONSE_FORMATS = ['url', 'b64_json'] as const;
export type ResponseFormat = (typeof RESPONSE_FORMATS)[number];

/** Choices OpenAI defines that make no difference to a Stable Diffusion image here: accepted, ignored. */
export const IGNORED_CHOICES = {
  quality: ['low', 'medium', 'high', 'xhigh', 'max', 'auto', 'standard', 'hd'],
  style: ['vivid', 'natural'],
  moderation: ['low', 'auto'],
  complexity: ['low', 'medium', 'high'],
} as const;

/** `background`: the images are opaque, so `transparent` is refused. */
export const BACKGROUNDS = ['opaque', 'auto'] as const;
/** OpenAI output formats this server cannot produce (refused, naming the ones it can). */
export const UNSUPPORTED_OUTPUT_FORMATS = ['gif', 'svg'] as const;
/** `partial_images` goes with streaming; accepted in OpenAI's range and ignored, since answers are not streamed. */
export const PARTIAL_IMAGES_RANGE = { min: 0, max: 3 } as const;
/** `output_compression` (OpenAI: 0 to 100, default 100) is the JPEG and WebP quality here; 0 counts as 1. */
export const OUTPUT_COMPRESSION_RANGE = { min: 0, max: 100 } as const;
/** `user` and `safety_identifier`: opaque end-user ids, bounded so they cannot fill memory or logs. */
export const MAX_USER_LENGTH = 256;

const optional = <T extends z.ZodType>(schema: T) => schema.nullable().optional();
const native = GenerateRequestSchema.shape;
const ignored = (description: string, choices: readonly [string, ...string[]]) => optional(z.enum(choices).describe(`Accepted and ignored: ${description}`));

export const ImageGenerationRequestSchema = z
  .object({
    prompt: z.string().max(DEFAULT_LIMITS.maxPromptLength).describe(`The text prompt, at most ${DEFAULT_LIMITS.maxPromptLength} characters (CLIP reads the first 77 tokens)`),
    model: optional(z.string().describe("A checkpoint id (GET /v1/models); the registry's default when omitted")),
    n: optional(z.int().min(FIXED_RULES.minImages).max(DEFAULT_LIMITS.maxImages).describe(`Images to generate (OpenAI allows 10; this server ${DEFAULT_LIMITS.maxImages})`).meta({ default: DEFAULT_REQUEST.numImages })),
    size: optional(
      z
        .string()
        .regex(/^(auto|[0-9]{1,5}x[0-9]{1,5})$/)
        .describe(`\`WIDTHxHEIGHT\`, each a multiple of ${FIXED_RULES.sizeMultiple} from ${DEFAULT_LIMITS.minSize} to ${DEFAULT_LIMITS.maxSize}; \`auto\` or omitted: ${DEFAULT_REQUEST.width}x${DEFAULT_REQUEST.height}`)
        .meta({ default: `${DEFAULT_REQUEST.width}x${DEFAULT_REQUEST.height}` }),
    ),
    response_format: optional(z.enum(RESPONSE_FORMATS).describe('`url`: a URL on this server (read it with the same API key); `b64_json`: the image bytes in base64').meta({ default: 'url' })),
    output_format: optional(z.enum(IMAGE_FORMATS).describe(`The image encoding; ${UNSUPPORTED_OUTPUT_FORMATS.join(' and ')} are refused`).meta({ default: 'png' })),
    output_compression: optional(
      z.int().min(OUTPUT_COMPRESSION_RANGE.min).max(OUTPUT_COMPRESSION_RANGE.max).describe('The JPEG or WebP quality (0 counts as 1); ignored for PNG').meta({ default: OUTPUT_COMPRESSION_RANGE.max }),
    ),
    background: optional(z.enum(BACKGROUNDS).describe('The images are opaque: `transparent` is refused').meta({ default: 'auto' })),
    stream: optional(z.literal(false).describe('Answers are not streamed: `true` is refused (progress streams: POST /v1/generations and its events)')),
    partial_images: optional(z.int().min(PARTIAL_IMAGES_RANGE.min).max(PARTIAL_IMAGES_RANGE.max).describe('Accepted and ignored (it goes with streaming)')),
    quality: ignored('the checkpoint and `steps` decide the quality here', IGNORED_CHOICES.quality as unknown as [string, ...string[]]),
    style: ignored('describe the style in the prompt', IGNORED_CHOICES.style as unknown as [string, ...string[]]),
    moderation: ignored('this server applies no content moderation', IGNORED_CHOICES.moderation as unknown as [string, ...string[]]),
    complexity: ignored('there is no planning stage', IGNORED_CHOICES.complexity as unknown as [string, ...string[]]),
    user: optional(z.string().max(MAX_USER_LENGTH).describe('Accepted and ignored (an end-user id for abuse monitoring)')),
    safety_identifier: optional(z.string().max(MAX_USER_LENGTH).describe('Accepted and ignored, like `user`')),
    frame_count: optional(z.null().describe('GIF output only: refused unless null')),
    frame_duration_ms: optional(z.null().describe('GIF output only: refused unless null')),
    svg: optional(z.null().describe('SVG output only: refused unless null')),
    // Extensions: this server's own settings, with the native generation request's rules.
    seed: native.seed,
    steps: native.steps,
    scheduler: native.scheduler,
    negative_prompt: native.negativePrompt,
    guidance_scale: native.guidanceScale,
  })
  .strict()
  .meta({ example: { model: 'final', prompt: 'a red and gold kente dress, studio photo', n: 1, size: '512x512', response_format: 'b64_json', seed: 42, steps: 25 } });
export type ImageGenerationRequestBody = z.input<typeof ImageGenerationRequestSchema>;

/** Every field the request may carry; anything else is refused naming it (OpenAI's `unknown_parameter`). */
export const IMAGE_GENERATION_FIELDS = Object.keys(ImageGenerationRequestSchema.shape) as ReadonlyArray<keyof typeof ImageGenerationRequestSchema.shape & string>;

/** The variation's file part (OpenAI's name). */
export const VARIATION_IMAGE_FIELD = 'image';

/**
 * What a variation is when the client says only "this image" (OpenAI's variations take no prompt):
 * an empty prompt, so the picture alone steers (guidance pushes away from nothing in particular),
 * and a strength of 0.6, which repaints details, colours and folds while the garment's layout
 * survives (diffusers' 0.8 default redraws most of it; under 0.4 a few steps hardly change it).
 */
export const VARIATION_DEFAULTS = { prompt: '', strength: 0.6 } as const;

/**
 * POST /v1/images/variations: multipart/form-data, one text part per field (as OpenAI's SDKs send
 * it; numbers arrive as text) and the `image` file part. OpenAI's fields and this server's
 * extensions; `prompt` and `strength` are extensions too, with VARIATION_DEFAULTS.
 */
export const ImageVariationRequestSchema = z
  .object({
    [VARIATION_IMAGE_FIELD]: z
      .string()
      .meta({ contentMediaType: 'application/octet-stream' })
      .describe(`The picture to vary, as a file part: ${IMAGE_INPUT_RULES}. Fitted to \`size\` as image to image fits its init image (scaled to cover, centre-cropped)`),
    model: optional(z.string().describe("A checkpoint id (GET /v1/models) with a VAE encoder; the registry's default when omitted")),
    n: optional(z.int().min(FIXED_RULES.minImages).max(DEFAULT_LIMITS.maxImages).describe(`Variations to make, with seeds seed, seed + 1, … (OpenAI allows 10; this server ${DEFAULT_LIMITS.maxImages})`).meta({ default: DEFAULT_REQUEST.numImages })),
    size: optional(
      z
        .string()
        .regex(/^(auto|[0-9]{1,5}x[0-9]{1,5})$/)
        .describe(`\`WIDTHxHEIGHT\`, each a multiple of the checkpoint's sizeMultiple from ${DEFAULT_LIMITS.minSize} to ${DEFAULT_LIMITS.maxSize}; \`auto\` or omitted: ${DEFAULT_REQUEST.width}x${DEFAULT_REQUEST.height} (as OpenAI answers its fixed default size whatever the input's)`)
        .meta({ default: `${DEFAULT_REQUEST.width}x${DEFAULT_REQUEST.height}` }),
    ),
    response_format: optional(z.enum(RESPONSE_FORMATS).describe('`url`: a URL on this server (read it with the same API key); `b64_json`: the PNG bytes in base64').meta({ default: 'url' })),
    user: optional(z.string().max(MAX_USER_LENGTH).describe('Accepted and ignored (an end-user id for abuse monitoring)')),
    // Extensions: this server's own settings, with the native generation request's rules.
    prompt: optional(z.string().max(DEFAULT_LIMITS.maxPromptLength).describe('Extension: a prompt to steer the variation (the native prompt syntax)').meta({ default: VARIATION_DEFAULTS.prompt })),
    strength: optional(z.number().gt(FIXED_RULES.minStrengthExclusive).max(FIXED_RULES.maxStrength).describe('Extension: how much of the picture is repainted (native `strength`)').meta({ default: VARIATION_DEFAULTS.strength })),
    seed: native.seed,
    steps: native.steps,
    scheduler: native.scheduler,
    negative_prompt: native.negativePrompt,
    guidance_scale: native.guidanceScale,
  })
  .strict()
  .meta({ example: { image: '(file dress.png)', model: 'final', n: 2, size: '512x512', response_format: 'b64_json', seed: '42', strength: 0.6 } });

/** The variation's text parts: every field but the file. */
export const IMAGE_VARIATION_TEXT_FIELDS = Object.keys(ImageVariationRequestSchema.shape).filter((field) => field !== VARIATION_IMAGE_FIELD);

export const ImagesResponseSchema = z
  .object({
    created: z.int().min(0).describe('When the generation was created, in Unix seconds'),
    data: z.array(
      z.object({
        url: z.string().optional().describe('With response_format url: the image, read with the same API key'),
        b64_json: z.string().optional().describe('With response_format b64_json: the image bytes in base64'),
        seed: z.string().describe('Extension: the seed this image used, as a decimal string (send it back as `seed` to reproduce the image)'),
      }),
    ),
    background: z.literal('opaque'),
    output_format: z.enum(IMAGE_FORMATS),
    size: z.string().describe('`WIDTHxHEIGHT` of every image'),
  })
  .meta({ example: { created: 1765100000, data: [{ url: 'https://api.example.com/v1/generations/01JF3Z8M6Q2W5T9X0A1B2C3D4E/images/0', seed: '42' }], background: 'opaque', output_format: 'png', size: '512x512' } });
export type ImagesResponseBody = z.infer<typeof ImagesResponseSchema>;

export const OpenAiModelSchema = z
  .object({
    id: z.string().describe('The checkpoint id, to send as `model`'),
    object: z.literal('model'),
    created: z.int().min(0).describe("When the checkpoint's model directory was written, in Unix seconds"),
    owned_by: z.string(),
  })
  .meta({ example: { id: 'final', object: 'model', created: 1765100000, owned_by: 'afro-fashion-diffusion' } });
export type OpenAiModelBody = z.infer<typeof OpenAiModelSchema>;

export const OpenAiModelListSchema = z.object({ object: z.literal('list'), data: z.array(OpenAiModelSchema) });
export type OpenAiModelListBody = z.infer<typeof OpenAiModelListSchema>;

/** As OpenAI answers them: client errors (401 and 404 included), rate limits, server errors. */
export const OPENAI_ERROR_TYPES = ['invalid_request_error', 'requests', 'server_error'] as const;
export type OpenAiErrorType = (typeof OPENAI_ERROR_TYPES)[number];

/** OpenAI's error body, which these routes answer instead of `{code, message, details}`. */
export const OpenAiErrorSchema = z
  .object({
    error: z.object({
      message: z.string().describe('`param: rule, got value` for bad input'),
      type: z.enum(OPENAI_ERROR_TYPES),
      param: z.string().nullable().describe('The request field at fault (OpenAI names), or null'),
      code: z.string().nullable().describe('A finer reason: invalid_value, unknown_parameter, missing_required_parameter, invalid_api_key, model_not_found, rate_limit_exceeded, overloaded, …'),
    }),
  })
  .meta({ example: { error: { message: 'size: width must be a multiple of 8 (latents are 1/8 of the image), got 100', type: 'invalid_request_error', param: 'size', code: 'invalid_value' } } });
export type OpenAiErrorBody = z.infer<typeof OpenAiErrorSchema>;

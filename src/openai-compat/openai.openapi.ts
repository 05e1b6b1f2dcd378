/** The OpenAI-compatible routes in the OpenAPI document (openai-images.controller.ts and openai-models.controller.ts serve them). */
import { MAX_IDEMPOTENCY_KEY_LENGTH } from '../generation/idempotency-cache';
import { errorsIn, GATED_ERRORS, json, pathParameter, ref, type PathTable } from '../common/openapi';
import { ImageGenerationRequestSchema, ImageVariationRequestSchema, ImagesResponseSchema, OpenAiErrorSchema, OpenAiModelListSchema, OpenAiModelSchema, VARIATION_DEFAULTS, VARIATION_IMAGE_FIELD } from './openai.schemas';

export const OPENAI_SCHEMAS = {
  OpenAiImageGenerationRequest: ImageGenerationRequestSchema,
  OpenAiImageVariationRequest: ImageVariationRequestSchema,
  OpenAiImagesResponse: ImagesResponseSchema,
  OpenAiModel: OpenAiModelSchema,
  OpenAiModelList: OpenAiModelListSchema,
  OpenAiError: OpenAiErrorSchema,
};

const TAGS = ['openai'];
const requestId = { $ref: '#/components/parameters/X-Request-Id' };
const idempotencyKey = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description: 'As on POST /v1/generations: the same key and body within the result retention give back the generation already started',
  schema: { type: 'string', minLength: 1, maxLength: MAX_IDEMPOTENCY_KEY_LENGTH, pattern: '^[\\x21-\\x7e]+$' },
};

/** What each status means on these routes; every one answers `OpenAiError`. */
const MEANINGS: Readonly<Record<number, string>> = {
  400: 'Bad input: `error.param` names the OpenAI field, `error.message` is `param: rule, got value`; `error.code` is invalid_value, unknown_parameter, missing_required_parameter or invalid_type',
  401: 'No API key, or one the server does not know (`error.code` invalid_api_key)',
  404: 'No such model (`error.code` model_not_found)',
  429: 'Too many requests for the key\'s tier (`error.type` requests): retry after `Retry-After` seconds (`retry-after-ms` too)',
  503: 'Overloaded (a full queue, `error.code` overloaded), shutting down, or the checkpoint is broken: retry after `Retry-After` seconds when given',
};
const errors = (...statuses: number[]) => errorsIn('OpenAiError', MEANINGS, ...statuses);

export const OPENAI_PATHS: PathTable = {
  '/v1/images/generations': {
    post: {
      operationId: 'createOpenAiImage',
      summary: "OpenAI-compatible: generate images (OpenAI's Images API request and answer)",
      description:
        "For clients built on OpenAI's SDKs: set the SDK's base URL to this server's `/v1` and the API key to yours. Synchronous; the same queue, rate limits and metrics as POST /v1/generations. " +
        "OpenAI's fields are honoured, accepted and ignored, or refused as each says; `seed`, `steps`, `scheduler`, `negative_prompt` and `guidance_scale` are extensions. Errors answer in OpenAI's shape.",
      tags: TAGS,
      parameters: [
        idempotencyKey,
        requestId,
      ],
      requestBody: { required: true, content: { 'application/json': { schema: ref('OpenAiImageGenerationRequest') } } },
      responses: {
        '200': json({ description: 'The images', schema: ref('OpenAiImagesResponse') }),
        ...errors(...GATED_ERRORS, 404, 409, 413, 502, 504),
      },
    },
  },
  '/v1/images/variations': {
    post: {
      operationId: 'createOpenAiImageVariation',
      summary: "OpenAI-compatible: variations of a picture (OpenAI's createVariation), as image to image",
      description:
        `multipart/form-data as OpenAI's SDKs send it: the picture as the \`${VARIATION_IMAGE_FIELD}\` file part (PNG, JPEG or WebP), each other field as a text part. ` +
        `It runs as POST /v1/generations with \`initImage\` (the same queue, rate limits, metrics and checks): \`prompt\` defaults to "${VARIATION_DEFAULTS.prompt}" and \`strength\` to ${VARIATION_DEFAULTS.strength}, ` +
        'both extensions like `seed`, `steps`, `scheduler`, `negative_prompt` and `guidance_scale`. The checkpoint needs a VAE encoder (400 naming `image` otherwise). Answers as /v1/images/generations, always PNG.',
      tags: TAGS,
      parameters: [idempotencyKey, requestId],
      requestBody: {
        required: true,
        content: { 'multipart/form-data': { schema: ref('OpenAiImageVariationRequest'), encoding: { [VARIATION_IMAGE_FIELD]: { contentType: 'image/png, image/jpeg, image/webp' } } } },
      },
      responses: {
        '200': json({ description: 'The variations', schema: ref('OpenAiImagesResponse') }),
        ...errors(...GATED_ERRORS, 404, 409, 413, 502, 504),
      },
    },
  },
  '/v1/models': {
    get: {
      operationId: 'listOpenAiModels',
      summary: "OpenAI-compatible: list the checkpoints as OpenAI's models",
      tags: TAGS,
      parameters: [requestId],
      responses: { '200': json({ description: 'Every checkpoint in registry order', schema: ref('OpenAiModelList') }), ...errors(...GATED_ERRORS) },
    },
  },
  '/v1/models/{id}': {
    get: {
      operationId: 'getOpenAiModel',
      summary: "OpenAI-compatible: read one checkpoint as OpenAI's model",
      tags: TAGS,
      parameters: [pathParameter('id', 'The checkpoint id', 'final'), requestId],
      responses: { '200': json({ description: 'The model', schema: ref('OpenAiModel') }), ...errors(...GATED_ERRORS, 404) },
    },
  },
};

/** The generation routes in the OpenAPI document (generation.controller.ts serves them). */
import { binary, errors, GATED_ERRORS, json, pathParameter, ref, type PathTable, serverSentEvents } from '../common/openapi';
import { MIME_TYPES } from '../engine/image/encode-image';
import { MAX_IDEMPOTENCY_KEY_LENGTH } from './idempotency-cache';
import { MULTIPART_REQUEST_FIELD } from '../transports/rest/image-upload';
import { GenerateMultipartSchema, GenerateRequestSchema, GenerationDoneEventSchema, GenerationProgressEventSchema, GenerationViewSchema, INIT_IMAGE_FIELD } from './generation.schemas';

export const GENERATION_SCHEMAS = {
  GenerateRequest: GenerateRequestSchema,
  GenerateMultipartRequest: GenerateMultipartSchema,
  Generation: GenerationViewSchema,
  GenerationProgressEvent: GenerationProgressEventSchema,
  GenerationDoneEvent: GenerationDoneEventSchema,
};

const IMAGE_TYPES = Object.values(MIME_TYPES);
const TAGS = ['generations'];
const id = pathParameter('id', 'The generation id', '01JF3Z8M6Q2W5T9X0A1B2C3D4E');
const base64 = { $ref: '#/components/parameters/base64' };
const requestId = { $ref: '#/components/parameters/X-Request-Id' };

export const GENERATION_PATHS: PathTable = {
  '/v1/generations': {
    post: {
      operationId: 'createGeneration',
      summary: 'Generate images from a prompt',
      description:
        'Synchronous by default: answers 201 with the finished generation (or, when `Accept` names the image type of `outputFormat` and numImages is 1, 200 with the image bytes). ' +
        'With `Prefer: respond-async` it answers 202 at once; follow `Location`, or stream progress from `/events`. `Accept` is settled before any work is queued. ' +
        `Image to image: a JSON body with \`${INIT_IMAGE_FIELD}\` inline (base64 or a data URL; the JSON body limit applies), or multipart/form-data with the generation as JSON in ` +
        `\`${MULTIPART_REQUEST_FIELD}\` and the picture as the file part \`${INIT_IMAGE_FIELD}\`; \`strength\` says how much of it is repainted.`,
      tags: TAGS,
      parameters: [
        {
          name: 'Prefer',
          in: 'header',
          required: false,
          description: '`respond-async`: answer 202 with the queued generation instead of waiting',
          schema: { type: 'string' },
          example: 'respond-async',
        },
        {
          name: 'Idempotency-Key',
          in: 'header',
          required: false,
          description: `1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} visible ASCII characters. The same key and body within the result retention give back the generation already started; the same key with another body is a 409`,
          schema: { type: 'string', minLength: 1, maxLength: MAX_IDEMPOTENCY_KEY_LENGTH, pattern: '^[\\x21-\\x7e]+$' },
        },
        base64,
        requestId,
      ],
      requestBody: {
        required: true,
        content: {
          'application/json': { schema: ref('GenerateRequest') },
          'multipart/form-data': {
            schema: ref('GenerateMultipartRequest'),
            encoding: { [MULTIPART_REQUEST_FIELD]: { contentType: 'application/json' }, [INIT_IMAGE_FIELD]: { contentType: 'image/png, image/jpeg, image/webp' } },
          },
        },
      },
      responses: {
        '200': binary('The image bytes (when `Accept` asks for them and numImages is 1)', IMAGE_TYPES),
        '201': json({ description: 'The finished generation', schema: ref('Generation'), headers: ['Location'] }),
        '202': json({ description: 'Queued (`Prefer: respond-async`)', schema: ref('Generation'), headers: ['Location'] }),
        ...errors(...GATED_ERRORS, 404, 406, 409, 413, 502, 504),
      },
    },
  },
  '/v1/generations/{id}': {
    get: {
      operationId: 'getGeneration',
      summary: 'Read a generation: status, progress, image URLs',
      tags: TAGS,
      parameters: [id, base64, requestId],
      responses: { '200': json({ description: 'The generation', schema: ref('Generation') }), ...errors(...GATED_ERRORS, 404, 410) },
    },
    delete: {
      operationId: 'cancelGeneration',
      summary: 'Cancel a queued or running generation (within one step)',
      tags: TAGS,
      parameters: [id, requestId],
      responses: { '202': json({ description: 'Cancellation accepted; the generation as it is now', schema: ref('Generation') }), ...errors(...GATED_ERRORS, 404, 410) },
    },
  },
  '/v1/generations/{id}/events': {
    get: {
      operationId: 'streamGenerationEvents',
      summary: 'Stream progress as server-sent events',
      description:
        'The current progress at once, a `progress` event per step (data: `GenerationProgressEvent`), then one `done` event (data: `GenerationDoneEvent`) and the end of the stream. ' +
        'A client that does not read gets the latest progress once it drains. Counts against the open streams a client may hold (429 past the limit).',
      tags: TAGS,
      parameters: [id, requestId],
      responses: {
        '200': serverSentEvents({ progress: ref('GenerationProgressEvent'), done: ref('GenerationDoneEvent') }, 'event: progress\ndata: {"step":1,"totalSteps":2,"etaMs":40,"status":"running"}\n\nevent: done\ndata: {"status":"succeeded","step":2,"totalSteps":2}\n\n'),
        ...errors(...GATED_ERRORS, 404, 410),
      },
    },
  },
  '/v1/generations/{id}/images/{index}': {
    get: {
      operationId: 'getGenerationImage',
      summary: "Read one image's bytes (PNG images carry their generation parameters)",
      tags: TAGS,
      parameters: [id, pathParameter('index', 'The image index, from 0', '0'), requestId],
      responses: { '200': binary('The image, in the generation\'s outputFormat', IMAGE_TYPES), ...errors(...GATED_ERRORS, 404, 409, 410) },
    },
  },
};

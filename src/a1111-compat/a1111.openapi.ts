/** The AUTOMATIC1111-compatible routes in the OpenAPI document (a1111-images.controller.ts and a1111-state.controller.ts serve them). */
import { errorsIn, GATED_ERRORS, json, ref, type Operation, type PathTable } from '../common/openapi';
import {
  A1111ErrorSchema,
  A1111ImagesResponseSchema,
  A1111ModelListSchema,
  A1111OptionsSchema,
  A1111OptionsUpdateSchema,
  A1111ProgressSchema,
  A1111SamplerListSchema,
  A1111SchedulerListSchema,
  A1111ValidationErrorSchema,
  Img2ImgRequestSchema,
  Txt2ImgRequestSchema,
} from './a1111.schemas';

export const A1111_SCHEMAS = {
  A1111Txt2ImgRequest: Txt2ImgRequestSchema,
  A1111Img2ImgRequest: Img2ImgRequestSchema,
  A1111ImagesResponse: A1111ImagesResponseSchema,
  A1111ModelList: A1111ModelListSchema,
  A1111SamplerList: A1111SamplerListSchema,
  A1111SchedulerList: A1111SchedulerListSchema,
  A1111Options: A1111OptionsSchema,
  A1111OptionsUpdate: A1111OptionsUpdateSchema,
  A1111Progress: A1111ProgressSchema,
  A1111ValidationError: A1111ValidationErrorSchema,
  A1111Error: A1111ErrorSchema,
};

const TAGS = ['a1111'];
const requestId = { $ref: '#/components/parameters/X-Request-Id' };
const AUTH = 'The API key as Bearer, X-API-Key, or as the password of `Authorization: Basic` (any user name), as A1111 clients send it for --api-auth.';

/** What each status means on these routes; 422 answers `A1111ValidationError`, the others `A1111Error`. */
const MEANINGS: Readonly<Record<number, string>> = {
  400: 'A path the server cannot decode',
  401: 'No API key, or one the server does not know (`WWW-Authenticate: Basic`)',
  404: 'No such checkpoint (override_settings.sd_model_checkpoint or the sd_model_checkpoint option)',
  413: 'The body is larger than the server accepts',
  429: "Too many requests for the key's tier: retry after `Retry-After` seconds",
  503: 'Overloaded, shutting down, or the checkpoint is broken: retry after `Retry-After` seconds when given',
};

const errors = (...statuses: number[]): Record<string, unknown> => ({
  ...errorsIn('A1111Error', MEANINGS, ...statuses),
  '422': json({ description: "Bad input, as FastAPI answers it: `detail[0].loc` is the A1111 field's path, `msg` is `field: rule, got value`", schema: ref('A1111ValidationError') }),
});

function read(operationId: string, summary: string, schema: string, description?: string): Operation {
  return { operationId, summary, ...(description ? { description } : {}), tags: TAGS, parameters: [requestId], responses: { '200': json({ description: summary, schema: ref(schema) }), ...errors(...GATED_ERRORS) } };
}

function generate(operationId: string, summary: string, request: string, description: string): Operation {
  return {
    operationId,
    summary,
    description: `${description} Synchronous; the same queue, rate limits and metrics as POST /v1/generations; a client that goes away cancels the work. ${AUTH}`,
    tags: TAGS,
    parameters: [requestId],
    requestBody: { required: true, content: { 'application/json': { schema: ref(request) } } },
    responses: { '200': json({ description: 'The images, the request echoed, and info', schema: ref('A1111ImagesResponse') }), ...errors(...GATED_ERRORS, 404, 409, 413, 502, 504) },
  };
}

export const A1111_PATHS: PathTable = {
  '/sdapi/v1/txt2img': { post: generate('a1111Txt2Img', 'AUTOMATIC1111-compatible: text to image', 'A1111Txt2ImgRequest', "The web UI's txt2img with its field names; each field honoured, ignored or refused as the request schema says.") },
  '/sdapi/v1/img2img': {
    post: generate('a1111Img2Img', 'AUTOMATIC1111-compatible: image to image', 'A1111Img2ImgRequest', "The web UI's img2img: one init image, denoising_strength; masks (inpainting) are refused."),
  },
  '/sdapi/v1/sd-models': { get: read('a1111ListModels', 'AUTOMATIC1111-compatible: the checkpoints as sd-models', 'A1111ModelList') },
  '/sdapi/v1/samplers': { get: read('a1111ListSamplers', 'AUTOMATIC1111-compatible: the samplers by their web UI names', 'A1111SamplerList') },
  '/sdapi/v1/schedulers': { get: read('a1111ListSchedulers', 'AUTOMATIC1111-compatible: the schedule types (Automatic, Karras)', 'A1111SchedulerList') },
  '/sdapi/v1/progress': {
    get: read('a1111GetProgress', "AUTOMATIC1111-compatible: progress of this key's latest txt2img or img2img", 'A1111Progress', 'Per API key (per address when open): another client\'s generations are not seen. current_image is always null.'),
  },
  '/sdapi/v1/options': {
    get: read('a1111GetOptions', "AUTOMATIC1111-compatible: this key's options (checkpoint, emphasis)", 'A1111Options'),
    post: {
      operationId: 'a1111SetOptions',
      summary: "AUTOMATIC1111-compatible: set this key's checkpoint and emphasis",
      description: 'Kept per API key, in memory on this replica (not global as in the web UI); other settings are accepted and ignored. Answers JSON null, as the web UI does.',
      tags: TAGS,
      parameters: [requestId],
      requestBody: { required: true, content: { 'application/json': { schema: ref('A1111OptionsUpdate') } } },
      responses: { '200': json({ description: 'null', schema: { type: 'null' } }), ...errors(...GATED_ERRORS, 404) },
    },
  },
  '/sdapi/v1/interrupt': {
    post: {
      operationId: 'a1111Interrupt',
      summary: "AUTOMATIC1111-compatible: cancel this key's running generation",
      tags: TAGS,
      parameters: [requestId],
      responses: { '200': json({ description: '{} whether or not something was running', schema: { type: 'object', additionalProperties: false } }), ...errors(...GATED_ERRORS) },
    },
  },
};

/** The comparison routes in the OpenAPI document. */
import { binary, errors, GATED_ERRORS, json, pathParameter, ref, type PathTable, serverSentEvents } from '../common/openapi';
import { INIT_IMAGE_FIELD } from '../generation/generation.schemas';
import { IMAGE_INPUT_RULES } from '../transports/image-input';
import { MULTIPART_REQUEST_FIELD } from '../transports/rest/image-upload';
import {
  CompareMultipartSchema,
  CompareRequestSchema,
  ComparisonCellEventSchema,
  ComparisonDoneEventSchema,
  ComparisonPageSchema,
  ComparisonSummarySchema,
  ComparisonViewSchema,
  DEFAULT_COMPARISON_PAGE,
  MAX_COMPARISON_PAGE,
  REFERENCE_IMAGE_FIELD,
} from './comparison.schemas';

export const COMPARISON_SCHEMAS = {
  CompareRequest: CompareRequestSchema,
  CompareMultipartRequest: CompareMultipartSchema,
  Comparison: ComparisonViewSchema,
  ComparisonCellEvent: ComparisonCellEventSchema,
  ComparisonDoneEvent: ComparisonDoneEventSchema,
  ComparisonSummary: ComparisonSummarySchema,
  ComparisonPage: ComparisonPageSchema,
};

const REFERENCE_RULES =
  `${IMAGE_INPUT_RULES}. It is scaled to cover the cell size ` +
  '(cropped at the centre) and shown as the first grid column, titled "Reference", in every row. `cells` still number the checkpoint columns from 0.';
const IMAGE_TYPES = 'image/png, image/jpeg, image/webp';

const TAGS = ['comparisons'];
const id = pathParameter('id', 'The comparison id', '01JF3Z8M6Q2W5T9X0A1B2C3D4E');
const requestId = { $ref: '#/components/parameters/X-Request-Id' };

export const COMPARISON_PATHS: PathTable = {
  '/v1/comparisons': {
    get: {
      operationId: 'listComparisons',
      summary: "This key's kept comparisons, newest first, a page at a time",
      description:
        "The calling client's finished comparisons still kept (an administrator's key: every client's), newest first, without image bytes: " +
        'reopen one through its id or `gridUrl`. When more exist the answer has `nextCursor`: pass it as `cursor` for the next page.',
      tags: TAGS,
      parameters: [
        {
          name: 'limit',
          in: 'query',
          required: false,
          description: `How many to answer, 1 to ${MAX_COMPARISON_PAGE} (400 otherwise)`,
          schema: { type: 'integer', minimum: 1, maximum: MAX_COMPARISON_PAGE, default: DEFAULT_COMPARISON_PAGE },
        },
        {
          name: 'cursor',
          in: 'query',
          required: false,
          description: "The previous page's `nextCursor` (400 for anything else)",
          schema: { type: 'string' },
        },
        requestId,
      ],
      responses: { '200': json({ description: 'A page of comparisons', schema: ref('ComparisonPage') }), ...errors(...GATED_ERRORS) },
    },
    post: {
      operationId: 'createComparison',
      summary: 'Run every prompt on every checkpoint with one seed; answers when the grid is ready',
      description:
        'Synchronous by default: answers 201 with the finished comparison. With `Prefer: respond-async` it answers 202 at once with its state (status queued or running); ' +
        'follow `Location`, or stream each cell\'s progress (with previews when `preview` is true) from `/events`. ' +
        `A JSON body (images inline in \`${REFERENCE_IMAGE_FIELD}\` and \`${INIT_IMAGE_FIELD}\`; the JSON body limit applies), or multipart/form-data with the comparison as JSON in ` +
        `\`${MULTIPART_REQUEST_FIELD}\` and the image files in \`${REFERENCE_IMAGE_FIELD}\` and \`${INIT_IMAGE_FIELD}\`. The reference image: ${REFERENCE_RULES} ` +
        `With \`${INIT_IMAGE_FIELD}\` (and \`strength\`) every cell is image to image from that picture: each checkpoint's rendition of the same product photo; every checkpoint needs a VAE encoder.`,
      tags: TAGS,
      parameters: [
        {
          name: 'Prefer',
          in: 'header',
          required: false,
          description: '`respond-async`: answer 202 with the started comparison instead of waiting',
          schema: { type: 'string' },
          example: 'respond-async',
        },
        requestId,
      ],
      requestBody: {
        required: true,
        content: {
          'application/json': { schema: ref('CompareRequest') },
          'multipart/form-data': {
            schema: ref('CompareMultipartRequest'),
            encoding: { [MULTIPART_REQUEST_FIELD]: { contentType: 'application/json' }, [REFERENCE_IMAGE_FIELD]: { contentType: IMAGE_TYPES }, [INIT_IMAGE_FIELD]: { contentType: IMAGE_TYPES } },
          },
        },
      },
      responses: {
        '201': json({ description: 'The finished comparison', schema: ref('Comparison'), headers: ['Location'] }),
        '202': json({ description: 'Started (with `Prefer: respond-async`): the comparison as it is now', schema: ref('Comparison'), headers: ['Location'] }),
        ...errors(...GATED_ERRORS, 404, 413, 502, 504),
      },
    },
  },
  '/v1/comparisons/{id}': {
    get: {
      operationId: 'getComparison',
      summary: 'Read a comparison: its seed, cells and grid URL',
      tags: TAGS,
      parameters: [id, requestId],
      responses: { '200': json({ description: 'The comparison', schema: ref('Comparison') }), ...errors(...GATED_ERRORS, 404, 410) },
    },
  },
  '/v1/comparisons/{id}/events': {
    get: {
      operationId: 'streamComparisonEvents',
      summary: "Stream each cell's progress as server-sent events",
      description:
        'A `cell` event per step of each cell (data: `ComparisonCellEvent`, with a preview when the comparison asked for them), then one `done` event ' +
        '(data: `ComparisonDoneEvent`) and the end of the stream; a finished comparison sends its `done` at once. A client that does not read gets the latest ' +
        'cell event once it drains. Counts against the open streams a client may hold (429 past the limit).',
      tags: TAGS,
      parameters: [id, requestId],
      responses: {
        '200': serverSentEvents({ cell: ref('ComparisonCellEvent'), done: ref('ComparisonDoneEvent') }, 'event: cell\ndata: {"row":0,"column":1,"checkpoint":"final","step":1,"totalSteps":2,"etaMs":40}\n\nevent: done\ndata: {"status":"succeeded"}\n\n'),
        ...errors(...GATED_ERRORS, 404, 410),
      },
    },
  },
  '/v1/comparisons/{id}/grid': {
    get: {
      operationId: 'getComparisonGrid',
      summary: 'The labelled grid as a PNG',
      tags: TAGS,
      parameters: [id, requestId],
      responses: { '200': binary('The grid', ['image/png']), ...errors(...GATED_ERRORS, 404, 410) },
    },
  },
  '/v1/comparisons/{id}/cells/{row}/{column}': {
    get: {
      operationId: 'getComparisonCell',
      summary: 'One cell as a PNG (row: prompt, column: checkpoint, from 0)',
      tags: TAGS,
      parameters: [id, pathParameter('row', 'The prompt row, from 0', '0'), pathParameter('column', 'The checkpoint column, from 0', '0'), requestId],
      responses: { '200': binary('The cell', ['image/png']), ...errors(...GATED_ERRORS, 404, 410) },
    },
  },
};

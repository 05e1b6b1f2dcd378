/** The comparison routes in the OpenAPI document. */
import { binary, errors, GATED_ERRORS, json, pathParameter, ref, type PathTable } from '../common/openapi';
import { MULTIPART_REQUEST_FIELD } from './comparison-upload';
import { CompareMultipartSchema, CompareRequestSchema, ComparisonViewSchema } from './comparison.schemas';
import { MAX_REFERENCE_IMAGE_BYTES, MAX_REFERENCE_IMAGE_PIXELS, REFERENCE_IMAGE_FIELD } from './reference-image';

export const COMPARISON_SCHEMAS = { CompareRequest: CompareRequestSchema, CompareMultipartRequest: CompareMultipartSchema, Comparison: ComparisonViewSchema };

const REFERENCE_RULES =
  `PNG, JPEG or WebP (others are refused with 400), at most ${MAX_REFERENCE_IMAGE_BYTES / (1024 * 1024)} MiB and ` +
  `${MAX_REFERENCE_IMAGE_PIXELS.toLocaleString('en-US')} pixels (413 above). Its metadata is dropped; it is scaled to cover the cell size ` +
  '(cropped at the centre) and shown as the first grid column, titled "Reference", in every row. `cells` still number the checkpoint columns from 0.';

const TAGS = ['comparisons'];
const id = pathParameter('id', 'The comparison id', '01JF3Z8M6Q2W5T9X0A1B2C3D4E');
const requestId = { $ref: '#/components/parameters/X-Request-Id' };

export const COMPARISON_PATHS: PathTable = {
  '/v1/comparisons': {
    post: {
      operationId: 'createComparison',
      summary: 'Run every prompt on every checkpoint with one seed; answers when the grid is ready',
      description:
        `A JSON body (the reference image inline in \`${REFERENCE_IMAGE_FIELD}\`; the JSON body limit applies), or multipart/form-data with the comparison as JSON in ` +
        `\`${MULTIPART_REQUEST_FIELD}\` and the image file in \`${REFERENCE_IMAGE_FIELD}\`. The reference image: ${REFERENCE_RULES}`,
      tags: TAGS,
      parameters: [requestId],
      requestBody: {
        required: true,
        content: {
          'application/json': { schema: ref('CompareRequest') },
          'multipart/form-data': {
            schema: ref('CompareMultipartRequest'),
            encoding: { [MULTIPART_REQUEST_FIELD]: { contentType: 'application/json' }, [REFERENCE_IMAGE_FIELD]: { contentType: 'image/png, image/jpeg, image/webp' } },
          },
        },
      },
      responses: { '201': json({ description: 'The finished comparison', schema: ref('Comparison'), headers: ['Location'] }), ...errors(...GATED_ERRORS, 404, 413, 502, 504) },
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

/** The checkpoint routes in the OpenAPI document. */
import { errors, GATED_ERRORS, json, pathParameter, ref, type PathTable } from '../common/openapi';
import { CheckpointDeviceRequestSchema, CheckpointListSchema, CheckpointViewSchema } from './checkpoint.schemas';

export const CHECKPOINT_SCHEMAS = { Checkpoint: CheckpointViewSchema, CheckpointList: CheckpointListSchema, CheckpointDeviceRequest: CheckpointDeviceRequestSchema };

const TAGS = ['checkpoints'];
const id = pathParameter('id', 'The checkpoint id', 'final');
const requestId = { $ref: '#/components/parameters/X-Request-Id' };
const deviceBody = { required: false, content: { 'application/json': { schema: ref('CheckpointDeviceRequest') } } };

export const CHECKPOINT_PATHS: PathTable = {
  '/v1/checkpoints': {
    get: {
      operationId: 'listCheckpoints',
      summary: 'List the checkpoints, with residency and status',
      tags: TAGS,
      parameters: [requestId],
      responses: { '200': json({ description: 'Every checkpoint in registry order', schema: ref('CheckpointList') }), ...errors(...GATED_ERRORS) },
    },
  },
  '/v1/checkpoints/{id}': {
    get: {
      operationId: 'getCheckpoint',
      summary: 'Read one checkpoint',
      tags: TAGS,
      parameters: [id, requestId],
      responses: { '200': json({ description: 'The checkpoint', schema: ref('Checkpoint') }), ...errors(...GATED_ERRORS, 404) },
    },
  },
  '/v1/checkpoints/{id}/load': {
    post: {
      operationId: 'loadCheckpoint',
      summary: 'Administrators: load a checkpoint now; answers once it is resident',
      tags: TAGS,
      parameters: [id, requestId],
      requestBody: deviceBody,
      responses: { '200': json({ description: 'The checkpoint, loaded', schema: ref('Checkpoint') }), ...errors(...GATED_ERRORS, 403, 404, 502) },
    },
  },
  '/v1/checkpoints/{id}/unload': {
    post: {
      operationId: 'unloadCheckpoint',
      summary: 'Administrators: unload a checkpoint from one device or all; its running jobs finish first',
      tags: TAGS,
      parameters: [id, requestId],
      requestBody: deviceBody,
      responses: { '200': json({ description: 'The checkpoint, unloaded', schema: ref('Checkpoint') }), ...errors(...GATED_ERRORS, 403, 404, 409) },
    },
  },
};

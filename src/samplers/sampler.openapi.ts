/** The samplers route in the OpenAPI document. */
import { errors, GATED_ERRORS, json, ref, type PathTable } from '../common/openapi';
import { SamplerListSchema, SamplerViewSchema } from './sampler.schemas';

export const SAMPLER_SCHEMAS = { Sampler: SamplerViewSchema, SamplerList: SamplerListSchema };

export const SAMPLER_PATHS: PathTable = {
  '/v1/samplers': {
    get: {
      operationId: 'listSamplers',
      summary: "List the samplers a generation's `scheduler` field takes, with AUTOMATIC1111's names for them",
      tags: ['samplers'],
      parameters: [{ $ref: '#/components/parameters/X-Request-Id' }],
      responses: { '200': json({ description: 'Every sampler', schema: ref('SamplerList') }), ...errors(...GATED_ERRORS) },
    },
  },
};

/** The probes in the OpenAPI document: public (no key). */
import { json, ref, type PathTable } from '../../common/openapi';
import { HealthReportSchema } from './health.schemas';

export const HEALTH_SCHEMAS = { HealthReport: HealthReportSchema };

const report = (description: string) => json({ description, schema: ref('HealthReport') });

export const HEALTH_PATHS: PathTable = {
  '/health/live': {
    get: {
      operationId: 'getLiveness',
      summary: 'Liveness: the process answers',
      tags: ['health'],
      security: [],
      responses: { '200': report('Alive') },
    },
  },
  '/health/ready': {
    get: {
      operationId: 'getReadiness',
      summary: 'Readiness: warmed up, a device ready, not draining',
      tags: ['health'],
      security: [],
      responses: { '200': report('Ready'), '503': report('Not ready (the report says which check is down)') },
    },
  },
};

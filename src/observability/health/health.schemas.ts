/** The probes' report (@nestjs/terminus's shape). */
import { z } from 'zod';

const indicators = z.record(z.string(), z.object({ status: z.enum(['up', 'down']) }).catchall(z.unknown()));

export const HealthReportSchema = z
  .object({ status: z.enum(['ok', 'error', 'shutting_down']), info: indicators.optional(), error: indicators.optional(), details: indicators })
  .meta({ example: { status: 'ok', info: { process: { status: 'up', uptimeSeconds: 42 } }, error: {}, details: { process: { status: 'up', uptimeSeconds: 42 } } } });

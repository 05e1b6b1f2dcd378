/**
 * grpc.health.v1.Health: Check answers SERVING for the server ("") and each service it serves once
 * ready, NOT_SERVING before (warming up) and once shutting down; Watch streams the same status and
 * each change (health-watch.ts).
 */
import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import { quote } from '../common/bounded-text';
import { ApiError, ErrorCode } from '../common/error-code';
import { serverStream, unary } from '../transports/grpc/grpc-handlers';
import type { HealthWatch } from './health-watch';

export const SERVED_SERVICES = ['', 'afrofashion.v1.DiffusionService', 'afrofashion.v1.PromptService', 'grpc.health.v1.Health'] as const;

export function healthHandlers(serving: () => Promise<boolean>, watch: HealthWatch): UntypedServiceImplementation {
  return {
    Check: unary<{ service?: string }, { status: string }>(async (request) => {
      const service = request.service ?? '';
      if (!(SERVED_SERVICES as readonly string[]).includes(service)) throw new ApiError(ErrorCode.NOT_FOUND, `service: ${quote(service)} is not served here`, { field: 'service' });
      return { status: (await serving()) ? 'SERVING' : 'NOT_SERVING' };
    }),
    Watch: serverStream((request: { service?: string }, call) => watch.watch(request, call)),
  };
}

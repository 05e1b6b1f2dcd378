/** grpc.health.v1.Health/Check: SERVING for the server ("") and each service it serves once ready, NOT_SERVING before (warming up) and once shutting down. */
import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import { ApiError, ErrorCode } from '../common/error-code';
import { unary } from '../transports/grpc/grpc-handlers';

export const SERVED_SERVICES = ['', 'afrofashion.v1.DiffusionService', 'afrofashion.v1.PromptService', 'grpc.health.v1.Health'] as const;

export function healthHandlers(serving: () => Promise<boolean>): UntypedServiceImplementation {
  return {
    Check: unary<{ service?: string }, { status: string }>(async (request) => {
      const service = request.service ?? '';
      if (!(SERVED_SERVICES as readonly string[]).includes(service)) throw new ApiError(ErrorCode.NOT_FOUND, `service: "${service}" is not served here`, { field: 'service' });
      return { status: (await serving()) ? 'SERVING' : 'NOT_SERVING' };
    }),
    // Watch is left to grpc-js's default answer, UNIMPLEMENTED.
  };
}


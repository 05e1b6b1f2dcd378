/** afrofashion.v1.DiffusionService, samplers: ListSamplers. */
import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import { unary } from '../transports/grpc/grpc-handlers';
import type { SamplersService } from './samplers.service';

export function samplerHandlers(samplers: SamplersService): UntypedServiceImplementation {
  return {
    ListSamplers: unary<unknown, unknown>(() => Promise.resolve({ samplers: samplers.list() })),
  };
}

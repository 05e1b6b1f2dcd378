/** afrofashion.v1.DiffusionService: one gRPC service, served by the handlers each feature owns. */
import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import { checkpointHandlers } from '../checkpoints/checkpoints.grpc-handlers';
import type { CheckpointsService } from '../checkpoints/checkpoints.service';
import { comparisonHandlers } from '../comparisons/comparisons.grpc-handlers';
import type { ComparisonsService } from '../comparisons/comparisons.service';
import { generationHandlers } from '../generation/generation.grpc-handlers';
import type { Generations } from '../generation/generations';
import { samplerHandlers } from '../samplers/samplers.grpc-handlers';
import type { SamplersService } from '../samplers/samplers.service';

export function diffusionHandlers(generations: Generations, checkpoints: CheckpointsService, comparisons: ComparisonsService, samplers: SamplersService): UntypedServiceImplementation {
  return { ...generationHandlers(generations), ...checkpointHandlers(checkpoints), ...comparisonHandlers(comparisons), ...samplerHandlers(samplers) };
}

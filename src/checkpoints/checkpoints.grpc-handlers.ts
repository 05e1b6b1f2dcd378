/** afrofashion.v1.DiffusionService, checkpoints: List, Get, and (administrators) Load and Unload. */
import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import { unary } from '../transports/grpc/grpc-handlers';
import type { CheckpointsService, CheckpointView } from './checkpoints.service';

function checkpointMessage(c: CheckpointView): Record<string, unknown> {
  return {
    id: c.id,
    label: c.label,
    baseModel: c.baseModel,
    trainingStep: c.trainingStep,
    isDefault: c.default,
    pinned: c.pinned,
    unetHash: c.unetHash,
    residentOn: c.residentOn,
    bytes: c.bytes,
    ...(c.measuredBytes !== null ? { measuredBytes: c.measuredBytes } : {}),
    status: c.status,
    error: c.error ?? '',
    sizeMultiple: c.sizeMultiple,
  };
}

export function checkpointHandlers(checkpoints: CheckpointsService): UntypedServiceImplementation {
  return {
    ListCheckpoints: unary<unknown, unknown>(async () => ({ checkpoints: (await checkpoints.list()).map(checkpointMessage) })),
    GetCheckpoint: unary<{ id?: string }, unknown>(async (request) => checkpointMessage(await checkpoints.get(request.id ?? ''))),
    LoadCheckpoint: unary<{ id?: string; device?: string }, unknown>(async (request) => checkpointMessage(await checkpoints.load(request.id ?? '', request.device))),
    UnloadCheckpoint: unary<{ id?: string; device?: string }, unknown>(async (request) => checkpointMessage(await checkpoints.unload(request.id ?? '', request.device))),
  };
}

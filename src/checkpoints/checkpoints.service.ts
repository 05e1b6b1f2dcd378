/**
 * The registry's checkpoints with what the pool knows of them (component hashes, residency, status).
 * A broken checkpoint (its directory unreadable at start, or a load that found a file changed or a
 * graph refused) stays listed as `unavailable` with its reason; requests that would run on it are
 * refused with UNAVAILABLE (503) naming it and the reason, while the others serve.
 */
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { ApiError, ErrorCode, invalidArgument } from '../common/error-code';
import { toApiError } from '../error-mapping/to-api-error';
import { quote } from '../common/bounded-text';
import { PoolEventBus } from '../inference/pool-event-bus';
import { InferencePool, type DeviceResidency } from '../pool';
import type { CheckpointEntry } from './checkpoint-registry';
import type { z } from 'zod';
import type { CheckpointViewSchema } from './checkpoint.schemas';

export const CHECKPOINT_REGISTRY = Symbol('CHECKPOINT_REGISTRY');

/** A checkpoint as the API answers it (its schema: checkpoint.schemas.ts). */
export type CheckpointView = z.infer<typeof CheckpointViewSchema>;

@Injectable()
export class CheckpointsService implements OnModuleDestroy {
  private readonly logger = new Logger('Checkpoints');
  private readonly unsubscribe: () => void;

  constructor(
    @Inject(CHECKPOINT_REGISTRY) private readonly registry: readonly CheckpointEntry[],
    @Inject(InferencePool) private readonly pool: InferencePool,
    @Inject(PoolEventBus) events: PoolEventBus,
  ) {
    // Replays those found at start, then each one a load finds later: the log says which, where and why
    // (answers name only the file within the checkpoint).
    this.unsubscribe = events.subscribe((event) => {
      if (event.type !== 'checkpoint-unavailable') return;
      const directory = this.registry.find((c) => c.id === event.checkpointId)?.path ?? 'unknown directory';
      this.logger.error(`checkpoint ${event.checkpointId} (${directory}) is unavailable (listed, not served): ${event.error}`);
    });
  }

  onModuleDestroy(): void {
    this.unsubscribe();
  }

  /**
   * The checkpoint a request will run on: the one it names, or the default when it names none.
   * NOT_FOUND for an unknown id; UNAVAILABLE naming the reason for a broken one.
   */
  resolve(id: unknown): CheckpointEntry {
    const entry = this.entry(id);
    const broken = this.pool.checkpoints().find((c) => c.id === entry.id && c.status === 'unavailable');
    if (broken) {
      throw new ApiError(ErrorCode.UNAVAILABLE, `checkpoint "${entry.id}" is unavailable: ${broken.error ?? 'broken'}`, { field: 'checkpoint', reason: 'CHECKPOINT_UNAVAILABLE' });
    }
    return entry;
  }

  /** A registry entry whatever its status (for listing and administration). */
  private entry(id: unknown): CheckpointEntry {
    if (id === undefined || id === null) return this.registry.find((c) => c.default) as CheckpointEntry;
    if (typeof id !== 'string') throw invalidArgument('checkpoint', 'must be a checkpoint id string');
    const entry = this.registry.find((c) => c.id === id);
    if (!entry) throw new ApiError(ErrorCode.NOT_FOUND, `checkpoint ${quote(id)} does not exist; known: ${this.registry.map((c) => c.id).join(', ')}`, { field: 'checkpoint' });
    return entry;
  }

  /**
   * Why the checkpoint cannot start from an image (image to image), or null when it can: the pool's
   * verdict on its VAE encoder (none, or a graph the engine cannot use), made when it registered it.
   */
  vaeEncoderProblem(id: string): string | null {
    const descriptor = this.pool.checkpoints().find((c) => c.id === id);
    return descriptor ? descriptor.imageToImageProblem : 'it is not registered with the inference pool';
  }

  unetHash(id: string): string {
    return this.pool.checkpoints().find((c) => c.id === id)?.components.unet.hash ?? '';
  }

  async list(): Promise<CheckpointView[]> {
    const residency = await this.pool.residency();
    const descriptors = this.pool.checkpoints();
    return this.registry.map((entry) => {
      const d = descriptors.find((c) => c.id === entry.id);
      const components = d ? Object.values(d.components) : [];
      return {
        id: entry.id,
        label: entry.label,
        baseModel: entry.baseModel,
        trainingStep: entry.trainingStep,
        default: entry.default,
        pinned: entry.pinned,
        unetHash: d?.components.unet.hash ?? '',
        residentOn: residency.filter((r) => r.residentCheckpointIds.includes(entry.id)).map((r) => r.device),
        bytes: components.reduce((n, c) => n + c.bytes, 0),
        measuredBytes: measuredCost(residency, entry.id),
        status: d?.status ?? 'unavailable',
        error: d ? (d.error ?? null) : 'not registered with the inference pool',
        sizeMultiple: d?.sizeMultiple ?? 8,
      };
    });
  }

  /** Loads a checkpoint onto a device (the pool's choice when none is named) and answers its view. */
  async load(id: string, device: unknown): Promise<CheckpointView> {
    this.entry(id);
    try {
      await this.pool.load(id, await this.deviceName(device));
    } catch (error) {
      throw toApiError(error);
    }
    return this.get(id);
  }

  /** Unloads a checkpoint from one device or every device (its running jobs finish first). */
  async unload(id: string, device: unknown): Promise<CheckpointView> {
    const entry = this.entry(id);
    if (entry.pinned) throw new ApiError(ErrorCode.CONFLICT, `checkpoint ${id} is pinned (kept loaded by the registry); unpin it there to unload it`, { field: 'checkpoint' });
    try {
      await this.pool.unload(id, await this.deviceName(device));
    } catch (error) {
      throw toApiError(error);
    }
    return this.get(id);
  }

  private async deviceName(device: unknown): Promise<string | undefined> {
    if (device === undefined || device === null) return undefined;
    const devices = (await this.pool.residency()).map((r) => r.device);
    if (typeof device !== 'string' || !devices.includes(device)) throw invalidArgument('device', `must be one of ${devices.join(', ')}`);
    return device;
  }

  async get(id: string): Promise<CheckpointView> {
    this.entry(id);
    return (await this.list()).find((c) => c.id === id) as CheckpointView;
  }
}

/** A checkpoint's measured resident cost: the most over the devices that measured all its components; null before any did. */
function measuredCost(residency: readonly DeviceResidency[], checkpointId: string): number | null {
  const costs = residency.map((r) => r.measuredCheckpointBytes[checkpointId]).filter((cost): cost is number => cost !== undefined);
  return costs.length > 0 ? Math.max(...costs) : null;
}

/** The registry's checkpoints with what the pool knows of them (component hashes, residency). */
import { Inject, Injectable } from '@nestjs/common';
import { ApiError, ErrorCode, invalidArgument, toApiError } from '../common/error-code';
import { quote } from '../common/bounded-text';
import { InferencePool } from '../pool';
import type { CheckpointEntry } from './checkpoint-registry';

export const CHECKPOINT_REGISTRY = Symbol('CHECKPOINT_REGISTRY');

export interface CheckpointView {
  readonly id: string;
  readonly label: string;
  readonly baseModel: string;
  readonly trainingStep: number;
  readonly default: boolean;
  readonly pinned: boolean;
  readonly unetHash: string;
  readonly residentOn: string[];
  readonly bytes: number;
}

@Injectable()
export class CheckpointsService {
  constructor(
    @Inject(CHECKPOINT_REGISTRY) private readonly registry: readonly CheckpointEntry[],
    @Inject(InferencePool) private readonly pool: InferencePool,
  ) {}

  /** The checkpoint a request names, or the default when it names none. */
  resolve(id: unknown): CheckpointEntry {
    if (id === undefined || id === null) return this.registry.find((c) => c.default) as CheckpointEntry;
    if (typeof id !== 'string') throw invalidArgument('checkpoint', 'must be a checkpoint id string');
    const entry = this.registry.find((c) => c.id === id);
    if (!entry) throw new ApiError(ErrorCode.NOT_FOUND, `checkpoint ${quote(id)} does not exist; known: ${this.registry.map((c) => c.id).join(', ')}`, { field: 'checkpoint' });
    return entry;
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
      };
    });
  }

  /** Loads a checkpoint onto a device (the pool's choice when none is named) and answers its view. */
  async load(id: string, device: unknown): Promise<CheckpointView> {
    this.resolve(id);
    try {
      await this.pool.load(id, await this.deviceName(device));
    } catch (error) {
      throw toApiError(error);
    }
    return this.get(id);
  }

  /** Unloads a checkpoint from one device or every device (its running jobs finish first). */
  async unload(id: string, device: unknown): Promise<CheckpointView> {
    const entry = this.resolve(id);
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
    this.resolve(id);
    return (await this.list()).find((c) => c.id === id) as CheckpointView;
  }
}

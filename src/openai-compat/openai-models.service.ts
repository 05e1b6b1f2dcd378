/** The registry's checkpoints as OpenAI's model objects (GET /v1/models). */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { quote } from '../common/bounded-text';
import { ApiError, ErrorCode } from '../common/error-code';
import type { CheckpointEntry } from '../checkpoints/checkpoint-registry';
import { CHECKPOINT_REGISTRY } from '../checkpoints/checkpoints.service';
import type { OpenAiModelBody } from './openai.schemas';

export const MODEL_OWNER = 'afro-fashion-diffusion';

@Injectable()
export class OpenAiModelsService {
  /** `created` per checkpoint, read once: the registry does not change while the server runs. */
  private readonly created = new Map<string, number>();

  constructor(@Inject(CHECKPOINT_REGISTRY) private readonly registry: readonly CheckpointEntry[]) {}

  list(): OpenAiModelBody[] {
    return this.registry.map((entry) => this.model(entry));
  }

  /** NOT_FOUND naming `model` and the known ids for an id the registry does not have. */
  get(id: string): OpenAiModelBody {
    const entry = this.registry.find((c) => c.id === id);
    if (!entry) throw new ApiError(ErrorCode.NOT_FOUND, `model ${quote(id)} does not exist; known: ${this.registry.map((c) => c.id).join(', ')}`, { field: 'model' });
    return this.model(entry);
  }

  private model(entry: CheckpointEntry): OpenAiModelBody {
    return { id: entry.id, object: 'model', created: this.createdAt(entry), owned_by: MODEL_OWNER };
  }

  /** When the checkpoint's directory was written (its model_index.json), in Unix seconds; 0 when it cannot be read (a broken checkpoint stays listed). */
  private createdAt(entry: CheckpointEntry): number {
    let created = this.created.get(entry.id);
    if (created === undefined) {
      try {
        created = Math.floor(statSync(join(entry.path, 'model_index.json')).mtimeMs / 1000);
      } catch {
        created = 0;
      }
      this.created.set(entry.id, created);
    }
    return created;
  }
}

/**
 * The web UI's lists and state, per client: GET /sdapi/v1/sd-models, samplers, schedulers;
 * GET/POST options (the checkpoint and emphasis a client's requests use when they name none);
 * progress and interrupt for the generation the client started last on these routes.
 */
import { Inject, Injectable } from '@nestjs/common';
import { viewerOf, type Principal } from '../auth/api-keys';
import { quote } from '../common/bounded-text';
import { ApiError, ErrorCode } from '../common/error-code';
import type { CheckpointEntry } from '../checkpoints/checkpoint-registry';
import { CHECKPOINT_REGISTRY, CheckpointsService } from '../checkpoints/checkpoints.service';
import { SAMPLERS, samplerLabel } from '../engine/schedulers';
import type { GenerationRecord } from '../generation/generation-store';
import { Generations } from '../generation/generations';
import { A1111ClientStates } from './a1111-client-state';
import { a1111Invalid } from './a1111-errors';
import { EMPHASIS_LABELS, OVERRIDE_SETTINGS, SCHEDULE_TYPES } from './a1111-fields';
import { checkpointSetting, emphasisSetting } from './a1111-request';

export interface A1111ModelBody {
  readonly title: string;
  readonly model_name: string;
  readonly hash: string | null;
  readonly sha256: string | null;
  readonly filename: string;
  readonly config: null;
}

export interface A1111SamplerBody {
  readonly name: string;
  readonly aliases: string[];
  readonly options: Record<string, string>;
}

export interface A1111ProgressBody {
  readonly progress: number;
  readonly eta_relative: number;
  readonly state: {
    readonly skipped: boolean;
    readonly interrupted: boolean;
    readonly stopping_generation: boolean;
    readonly job: string;
    readonly job_count: number;
    readonly job_timestamp: string;
    readonly job_no: number;
    readonly sampling_step: number;
    readonly sampling_steps: number;
  };
  readonly current_image: string | null;
  readonly textinfo: string | null;
  readonly current_task: string | null;
}

/** Options the web UI's clients read; the others it has are not served. */
export type A1111OptionsBody = Readonly<Record<string, string | number | boolean>>;

@Injectable()
export class A1111StateService {
  constructor(
    @Inject(CHECKPOINT_REGISTRY) private readonly registry: readonly CheckpointEntry[],
    @Inject(CheckpointsService) private readonly checkpoints: CheckpointsService,
    @Inject(Generations) private readonly generations: Generations,
    @Inject(A1111ClientStates) private readonly clients: A1111ClientStates,
  ) {}

  models(): A1111ModelBody[] {
    return this.registry.map((entry) => {
      const sha256 = this.checkpoints.unetHash(entry.id) || null;
      const hash = sha256?.slice(0, 10) ?? null;
      // No path on this server's disk is shown: the filename is the id, which options and override_settings take.
      return { title: this.title(entry.id), model_name: entry.id, hash, sha256, filename: entry.id, config: null };
    });
  }

  samplers(): A1111SamplerBody[] {
    return SAMPLERS.map((s) => {
      const name = samplerLabel(s.id);
      const options: Record<string, string> = {};
      if (s.karras) options['scheduler'] = 'karras';
      if (s.unetEvaluationsPerStep === 2) options['second_order'] = 'True';
      if (s.stochastic) options['uses_ensd'] = 'True';
      return { name, aliases: [...new Set([s.id, ...s.a1111Names, ...s.aliases])].filter((n) => n !== name), options };
    });
  }

  schedulers(): typeof SCHEDULE_TYPES {
    return SCHEDULE_TYPES;
  }

  options(clientId: string): A1111OptionsBody {
    const state = this.clients.get(clientId);
    const checkpoint = state.checkpoint ?? (this.registry.find((c) => c.default) as CheckpointEntry).id;
    const emphasis = Object.entries(EMPHASIS_LABELS).find(([, mode]) => mode === (state.emphasis ?? 'original'))?.[0] ?? 'Original';
    return {
      sd_model_checkpoint: this.title(checkpoint),
      sd_checkpoint_hash: this.checkpoints.unetHash(checkpoint),
      emphasis,
      CLIP_stop_at_last_layers: 1,
      samples_format: 'png',
      sd_vae: 'Automatic',
      live_previews_enable: false,
    };
  }

  /** POST /sdapi/v1/options: sd_model_checkpoint and emphasis are kept for this client; other settings are accepted and ignored. */
  setOptions(clientId: string, body: unknown): void {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw a1111Invalid([], 'must be a JSON object of web UI settings');
    const settings = body as Record<string, unknown>;
    const checkpoint = checkpointSetting(settings[OVERRIDE_SETTINGS.checkpoint] ?? undefined, [OVERRIDE_SETTINGS.checkpoint]);
    const emphasis = emphasisSetting(settings[OVERRIDE_SETTINGS.emphasis] ?? undefined, [OVERRIDE_SETTINGS.emphasis]);
    if (checkpoint !== undefined && !this.registry.some((c) => c.id === checkpoint)) {
      throw new ApiError(ErrorCode.NOT_FOUND, `sd_model_checkpoint: ${quote(checkpoint)} does not exist; known: ${this.registry.map((c) => c.id).join(', ')}`, {
        loc: [OVERRIDE_SETTINGS.checkpoint],
      });
    }
    const change: { checkpoint?: string; emphasis?: string } = {};
    if (checkpoint !== undefined) change.checkpoint = checkpoint;
    if (emphasis !== undefined) change.emphasis = emphasis;
    if (Object.keys(change).length > 0) this.clients.update(clientId, change);
  }

  async progress(principal: Principal): Promise<A1111ProgressBody> {
    const record = await this.current(principal);
    const active = record !== undefined && (record.status === 'queued' || record.status === 'running');
    const { step, totalSteps, etaMs } = active ? record.progress : { step: 0, totalSteps: 0, etaMs: 0 };
    return {
      progress: active && totalSteps > 0 ? step / totalSteps : 0,
      eta_relative: active ? etaMs / 1000 : 0,
      state: {
        skipped: false,
        interrupted: record?.status === 'cancelled',
        stopping_generation: false,
        job: active ? record.id : '',
        job_count: active ? 1 : 0,
        job_timestamp: record !== undefined ? new Date(record.createdAt).toISOString().replace(/[-:T]/g, '').slice(0, 14) : '0',
        job_no: 0,
        sampling_step: step,
        sampling_steps: totalSteps,
      },
      // Live previews are not produced for these routes (the native generation events carry them).
      current_image: null,
      textinfo: active ? `${record.status}: step ${step} of ${totalSteps}` : null,
      current_task: active ? record.id : null,
    };
  }

  /** Cancels the client's running generation, if any (the web UI answers {} either way). */
  async interrupt(principal: Principal): Promise<Record<string, never>> {
    const record = await this.current(principal);
    if (record !== undefined && (record.status === 'queued' || record.status === 'running')) {
      await this.generations.cancel(record.id, viewerOf(principal)).catch(() => undefined);
    }
    return {};
  }

  private async current(principal: Principal): Promise<GenerationRecord | undefined> {
    const id = this.clients.get(principal.clientId).currentGenerationId;
    if (id === undefined) return undefined;
    // Gone past the result time (or never readable): nothing to report.
    return this.generations.get(id, viewerOf(principal)).catch(() => undefined);
  }

  private title(id: string): string {
    const hash = this.checkpoints.unetHash(id).slice(0, 10);
    return hash ? `${id} [${hash}]` : id;
  }
}

/**
 * POST /sdapi/v1/txt2img and img2img bodies as native generation requests. Each A1111 field is
 * honoured, ignored or accepted only at its neutral value (a1111-fields.ts); the values that become
 * native fields are checked where every native request is, by the generation service and the
 * engine, whose errors the A1111 error face renames to these fields.
 */
import { quote } from '../common/bounded-text';
import type { SchedulerName } from '../engine/schedulers';
import { a1111Invalid } from './a1111-errors';
import { DEFAULT_SAMPLER, resolveA1111Sampler } from './a1111-sampler';
import {
  EMPHASIS_LABELS,
  IGNORED_FIELDS,
  IMG2IMG_DEFAULTS,
  NEUTRAL_ONLY_FIELDS,
  type IgnoredKind,
  type NeutralRule,
  OVERRIDE_SETTINGS,
  RESIZE_MODES,
  TXT2IMG_DEFAULTS,
} from './a1111-fields';

export type A1111Route = 'txt2img' | 'img2img';

/** What the route needs: the native body to start, and what the answer echoes. */
export interface A1111Ask {
  readonly route: A1111Route;
  readonly generation: Readonly<Record<string, unknown>>;
  /** The request as the web UI echoes it in `parameters`: every field of its model, defaults filled. */
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly scheduler: SchedulerName;
  readonly sendImages: boolean;
  /** img2img: the one photo, as sent (base64 or a data URL), for the resize-mode check. */
  readonly initImage?: string;
  readonly resizeMode?: number;
}

/** A checkpoint given as the sd-models `title` ("final [1a2b3c4d5e]") is its id before the hash. */
const TITLE = /^(.+?) \[[0-9a-f]{6,64}\]$/;

/**
 * `selectedCheckpoint`: the key's sd_model_checkpoint option (POST /sdapi/v1/options), used when
 * the request names none in override_settings.
 */
export function parseA1111Request(route: A1111Route, body: unknown, selectedCheckpoint?: string): A1111Ask {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw a1111Invalid([], 'must be a JSON object');
  const input = body as Record<string, unknown>;
  const defaults = route === 'txt2img' ? TXT2IMG_DEFAULTS : IMG2IMG_DEFAULTS;
  // null means "the default" for every field, as in A1111's optional pydantic fields.
  const given = (field: string): unknown => (Object.hasOwn(input, field) && Object.hasOwn(defaults, field) ? (input[field] ?? undefined) : undefined);

  for (const [field, rule] of Object.entries(NEUTRAL_ONLY_FIELDS)) if (Object.hasOwn(defaults, field)) neutral(field, given(field), rule);
  for (const [field, kind] of Object.entries(IGNORED_FIELDS)) if (Object.hasOwn(defaults, field)) wellTyped(field, given(field), kind);

  const sampler = given('sampler_name') !== undefined ? (['sampler_name', given('sampler_name')] as const) : (['sampler_index', given('sampler_index') ?? DEFAULT_SAMPLER] as const);
  const scheduler = resolveA1111Sampler(sampler[1], sampler[0], given('scheduler'));
  const batchSize = count('batch_size', given('batch_size'));
  const iterations = count('n_iter', given('n_iter'));
  const sendImages = flag('send_images', given('send_images')) ?? true;
  const overrides = overrideSettings(given('override_settings'));

  const generation: Record<string, unknown> = {
    prompt: given('prompt') ?? '',
    negativePrompt: given('negative_prompt') ?? '',
    steps: given('steps') ?? defaults['steps'],
    guidanceScale: given('cfg_scale') ?? defaults['cfg_scale'],
    width: given('width') ?? defaults['width'],
    height: given('height') ?? defaults['height'],
    scheduler,
    // A1111 makes n_iter batches of batch_size images, seeds counting on from the first: one generation of their product here.
    numImages: batchSize * iterations,
    outputFormat: 'png',
  };
  const seed = given('seed');
  if (seed !== undefined && seed !== -1 && seed !== '-1') generation['seed'] = seed;
  if (given('eta') !== undefined) generation['eta'] = given('eta');
  if (overrides.emphasis !== undefined) generation['emphasis'] = overrides.emphasis;
  const checkpoint = overrides.checkpoint ?? selectedCheckpoint;
  if (checkpoint !== undefined) generation['checkpoint'] = checkpoint;

  let initImage: string | undefined;
  let resizeMode: number | undefined;
  if (route === 'img2img') {
    initImage = oneInitImage(given('init_images'));
    resizeMode = resizeModeOf(given('resize_mode'));
    generation['initImage'] = initImage;
    generation['strength'] = given('denoising_strength') ?? defaults['denoising_strength'];
  }

  const known = Object.fromEntries(Object.keys(defaults).filter((k) => Object.hasOwn(input, k)).map((k) => [k, input[k]]));
  const parameters: Record<string, unknown> = { ...defaults, ...known };
  // The web UI drops the photos from its echo unless include_init_images is set.
  if (route === 'img2img' && flag('include_init_images', given('include_init_images')) !== true) {
    parameters['init_images'] = null;
    parameters['mask'] = null;
  }
  return { route, generation, parameters, scheduler, sendImages, initImage, resizeMode };
}

function neutral(field: string, value: unknown, { rule, neutral: isNeutral }: NeutralRule): void {
  if (value === undefined || isNeutral(value)) return;
  // Name the script a client asked for, so its user sees which extension this server lacks.
  const script = field === 'alwayson_scripts' && typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.keys(value)[0] : undefined;
  throw a1111Invalid([field], `must be ${rule}${script !== undefined ? `; ${quote(script)} cannot run here` : ''}`, value);
}

/** An ignored field still has A1111's type: a client sending a structure where a number goes has a bug worth naming. */
function wellTyped(field: string, value: unknown, kind: IgnoredKind): void {
  if (value === undefined) return;
  const ok =
    kind === 'number'
      ? typeof value === 'number' && Number.isFinite(value)
      : kind === 'object'
        ? typeof value === 'object' && value !== null && !Array.isArray(value)
        : typeof value === kind;
  if (!ok) throw a1111Invalid([field], `must be ${kind === 'object' ? 'an object' : `a ${kind}`} (accepted and ignored here)`, value);
}

function count(field: string, value: unknown): number {
  if (value === undefined) return 1;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 100) return value;
  throw a1111Invalid([field], 'must be an integer from 1 (batch_size × n_iter images, at most the server\'s image limit)', value);
}

function flag(field: string, value: unknown): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  throw a1111Invalid([field], 'must be true or false', value);
}

/** What override_settings asks of this server: the checkpoint and the emphasis mode; other settings are ignored. */
function overrideSettings(value: unknown): { checkpoint?: string; emphasis?: string } {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw a1111Invalid(['override_settings'], 'must be an object of web UI settings', value);
  const settings = value as Record<string, unknown>;
  return { checkpoint: checkpointSetting(settings[OVERRIDE_SETTINGS.checkpoint] ?? undefined), emphasis: emphasisSetting(settings[OVERRIDE_SETTINGS.emphasis] ?? undefined), ...clipSkip(settings[OVERRIDE_SETTINGS.clipSkip] ?? undefined) };
}

/** A checkpoint named by id, by the sd-models title `id [hash]` or its filename: the id. */
export function checkpointSetting(value: unknown, loc: readonly string[] = ['override_settings', OVERRIDE_SETTINGS.checkpoint]): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0) throw a1111Invalid(loc, 'must be a checkpoint title or name (GET /sdapi/v1/sd-models lists them)', value);
  return TITLE.exec(value)?.[1] ?? value;
}

export function emphasisSetting(value: unknown, loc: readonly string[] = ['override_settings', OVERRIDE_SETTINGS.emphasis]): string | undefined {
  if (value === undefined) return undefined;
  const mode = typeof value === 'string' ? EMPHASIS_LABELS[value] : undefined;
  if (mode === undefined) throw a1111Invalid(loc, `must be one of ${Object.keys(EMPHASIS_LABELS).join(', ')}`, value);
  return mode;
}

function clipSkip(value: unknown): Record<string, never> {
  if (value !== undefined && value !== 1) throw a1111Invalid(['override_settings', OVERRIDE_SETTINGS.clipSkip], 'must be 1: the exported text encoders give the last layer only', value);
  return {};
}

function oneInitImage(value: unknown): string {
  if (value === undefined) throw a1111Invalid(['init_images'], 'is required: a list with one image, base64 or a data URL');
  if (!Array.isArray(value) || value.length !== 1) throw a1111Invalid(['init_images'], 'must be a list of exactly one image (base64 or a data URL)', Array.isArray(value) ? `${value.length} images` : value);
  const image: unknown = value[0];
  if (typeof image !== 'string' || image.length === 0) throw a1111Invalid(['init_images', 0], 'must be a base64 image or a data URL', image);
  return image;
}

function resizeModeOf(value: unknown): number {
  if (value === undefined) return RESIZE_MODES.justResize;
  if (value === RESIZE_MODES.justResize || value === RESIZE_MODES.cropAndResize) return value;
  throw a1111Invalid(['resize_mode'], 'must be 0 (just resize, for a photo of the size\'s aspect ratio) or 1 (crop and resize); resize-and-fill and latent upscale are not supported', value);
}

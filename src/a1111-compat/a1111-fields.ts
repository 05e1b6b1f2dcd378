/**
 * AUTOMATIC1111's txt2img and img2img request fields (web UI 1.10's API models), written once: the
 * defaults its `parameters` echo carries, and what this server does with each field. A field is
 * honoured, accepted and ignored (it changes nothing this server can do, or only the web UI's own
 * files and scripts), or accepted only at its neutral value and refused otherwise, since honouring
 * it is beyond this server (face restoration, hires fix, scripts, masks). Fields A1111 does not
 * know are ignored, as its pydantic models ignore them.
 */
import { MAX_IMAGE_INPUT_BYTES } from '../transports/image-input';

/** What the txt2img route echoes in `parameters` for a field the client left out (A1111's defaults). */
export const TXT2IMG_DEFAULTS: Readonly<Record<string, unknown>> = {
  prompt: '',
  negative_prompt: '',
  styles: null,
  seed: -1,
  subseed: -1,
  subseed_strength: 0,
  seed_resize_from_h: -1,
  seed_resize_from_w: -1,
  sampler_name: null,
  scheduler: null,
  batch_size: 1,
  n_iter: 1,
  steps: 50,
  cfg_scale: 7,
  width: 512,
  height: 512,
  restore_faces: null,
  tiling: null,
  do_not_save_samples: false,
  do_not_save_grid: false,
  eta: null,
  denoising_strength: null,
  s_min_uncond: null,
  s_churn: null,
  s_tmax: null,
  s_tmin: null,
  s_noise: null,
  override_settings: null,
  override_settings_restore_afterwards: true,
  refiner_checkpoint: null,
  refiner_switch_at: null,
  disable_extra_networks: false,
  firstpass_image: null,
  comments: null,
  enable_hr: false,
  firstphase_width: 0,
  firstphase_height: 0,
  hr_scale: 2,
  hr_upscaler: null,
  hr_second_pass_steps: 0,
  hr_resize_x: 0,
  hr_resize_y: 0,
  hr_checkpoint_name: null,
  hr_sampler_name: null,
  hr_scheduler: null,
  hr_prompt: '',
  hr_negative_prompt: '',
  force_task_id: null,
  sampler_index: 'Euler',
  script_name: null,
  script_args: [],
  send_images: true,
  save_images: false,
  alwayson_scripts: {},
  infotext: null,
};

/** img2img's own fields, added to the shared ones (txt2img's hires-fix fields are not img2img's). */
export const IMG2IMG_DEFAULTS: Readonly<Record<string, unknown>> = {
  ...Object.fromEntries(Object.entries(TXT2IMG_DEFAULTS).filter(([k]) => !/^(enable_hr|firstphase_|hr_|firstpass_image)/.test(k))),
  init_images: null,
  resize_mode: 0,
  image_cfg_scale: null,
  mask: null,
  mask_blur_x: 4,
  mask_blur_y: 4,
  mask_blur: null,
  mask_round: true,
  inpainting_fill: 0,
  inpaint_full_res: true,
  inpaint_full_res_padding: 0,
  inpainting_mask_invert: 0,
  initial_noise_multiplier: null,
  latent_mask: null,
  include_init_images: false,
  denoising_strength: 0.75,
};

/** Honoured: they become the native request (or choose the answer). */
export const HONOURED_FIELDS = [
  'prompt',
  'negative_prompt',
  'seed',
  'sampler_name',
  'sampler_index',
  'scheduler',
  'batch_size',
  'n_iter',
  'steps',
  'cfg_scale',
  'width',
  'height',
  'eta',
  'override_settings',
  'send_images',
  'init_images',
  'denoising_strength',
  'resize_mode',
  'include_init_images',
] as const;

/** The JSON type an ignored field must still have (its type in A1111's model). */
export type IgnoredKind = 'number' | 'boolean' | 'string' | 'object';

/**
 * Accepted and ignored, whatever their value of A1111's type: the web UI's files and UI state, the
 * k-diffusion sampler tweaks this server's diffusers samplers do not take, hires-fix settings that
 * only apply with enable_hr, and mask settings that only apply with a mask.
 */
export const IGNORED_FIELDS: Readonly<Record<string, IgnoredKind>> = {
  subseed: 'number',
  do_not_save_samples: 'boolean',
  do_not_save_grid: 'boolean',
  save_images: 'boolean',
  s_min_uncond: 'number',
  s_churn: 'number',
  s_tmax: 'number',
  s_tmin: 'number',
  s_noise: 'number',
  override_settings_restore_afterwards: 'boolean',
  disable_extra_networks: 'boolean',
  comments: 'object',
  force_task_id: 'string',
  firstphase_width: 'number',
  firstphase_height: 'number',
  hr_scale: 'number',
  hr_upscaler: 'string',
  hr_second_pass_steps: 'number',
  hr_resize_x: 'number',
  hr_resize_y: 'number',
  hr_checkpoint_name: 'string',
  hr_sampler_name: 'string',
  hr_scheduler: 'string',
  hr_prompt: 'string',
  hr_negative_prompt: 'string',
  image_cfg_scale: 'number',
  mask_blur_x: 'number',
  mask_blur_y: 'number',
  mask_blur: 'number',
  mask_round: 'boolean',
  inpainting_fill: 'number',
  inpaint_full_res: 'boolean',
  inpaint_full_res_padding: 'number',
  inpainting_mask_invert: 'number',
};

/** A field accepted only at its neutral value: the rule (for the message) and the test. */
export interface NeutralRule {
  readonly rule: string;
  readonly neutral: (value: unknown) => boolean;
}

const isOff = (v: unknown): boolean => v === false || v === 0;
const isEmptyText = (v: unknown): boolean => v === '';
const isEmptyList = (v: unknown): boolean => Array.isArray(v) && v.length === 0;
const isEmptyObject = (v: unknown): boolean => typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0;
const never = (): boolean => false;

/** Accepted only at a neutral value (null always is), refused otherwise naming the field and the rule. */
export const NEUTRAL_ONLY_FIELDS: Readonly<Record<string, NeutralRule>> = {
  styles: { rule: 'null or [] (this server keeps no styles)', neutral: isEmptyList },
  subseed_strength: { rule: '0 or null (variation seeds are not supported)', neutral: (v) => v === 0 },
  seed_resize_from_h: { rule: '-1, 0 or null', neutral: (v) => v === -1 || v === 0 },
  seed_resize_from_w: { rule: '-1, 0 or null', neutral: (v) => v === -1 || v === 0 },
  restore_faces: { rule: 'false or null (no face restoration here)', neutral: isOff },
  tiling: { rule: 'false or null (tiling is not supported)', neutral: isOff },
  enable_hr: { rule: 'false or null (no hires fix here)', neutral: isOff },
  refiner_checkpoint: { rule: 'null, "" or "None" (no refiner here)', neutral: (v) => v === '' || v === 'None' },
  refiner_switch_at: { rule: 'null (no refiner here)', neutral: never },
  firstpass_image: { rule: 'null (no hires fix here)', neutral: never },
  script_name: { rule: 'null or "" (no scripts here)', neutral: isEmptyText },
  script_args: { rule: '[] or null (no scripts here)', neutral: isEmptyList },
  alwayson_scripts: { rule: '{} or null (no scripts or extensions here)', neutral: isEmptyObject },
  infotext: { rule: 'null or "" (send the fields themselves)', neutral: isEmptyText },
  mask: { rule: 'null (inpainting is not supported)', neutral: never },
  latent_mask: { rule: 'null (inpainting is not supported)', neutral: never },
  initial_noise_multiplier: { rule: '1 or null', neutral: (v) => v === 1 },
};

/** override_settings keys this server acts on; every other key is accepted and ignored. */
export const OVERRIDE_SETTINGS = {
  /** The checkpoint: its id, its title `id [hash]`, or its sd-models filename. */
  checkpoint: 'sd_model_checkpoint',
  /** A1111's emphasis option: "Original" (default) or "No norm". */
  emphasis: 'emphasis',
  /** CLIP skip: only 1 (the last layer) is what the exported text encoders give. */
  clipSkip: 'CLIP_stop_at_last_layers',
} as const;

/** A1111's emphasis option labels and the native `emphasis` values. */
export const EMPHASIS_LABELS: Readonly<Record<string, string>> = { Original: 'original', 'No norm': 'no-norm' };

/**
 * A1111 ≥ 1.9's schedule types this server can run: `Automatic` (the sampler's own schedule: the
 * named sampler as it is) and `Karras` (its Karras variant). Labels and names both taken.
 */
export const SCHEDULE_TYPES = [
  { name: 'automatic', label: 'Automatic', aliases: null as readonly string[] | null, default_rho: -1, need_inner_model: false },
  { name: 'karras', label: 'Karras', aliases: ['karras'], default_rho: 7, need_inner_model: false },
] as const;

/** img2img's resize_mode: 0 "Just resize" (honoured when the photo already has the size's aspect ratio), 1 "Crop and resize". */
export const RESIZE_MODES = { justResize: 0, cropAndResize: 1 } as const;

/**
 * img2img bodies carry the photo as base64 JSON (A1111's clients have no multipart form), so that
 * route reads up to the native image limit (8 MiB of image, 4/3 of it as base64) plus room for
 * the other fields, instead of the server's JSON limit (AFD_BODY_LIMIT_KB) when that is smaller.
 */
export const IMG2IMG_PATH = '/sdapi/v1/img2img';
export const IMG2IMG_BODY_LIMIT_BYTES = Math.ceil((MAX_IMAGE_INPUT_BYTES * 4) / 3) + 256 * 1024;

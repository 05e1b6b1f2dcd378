/**
 * The AUTOMATIC1111-compatible routes' hostile cases (REST only: the API exists for the web UI's
 * clients). Bad input is answered as FastAPI answers it, 422 `{detail: [{loc, msg, type}]}` with
 * `loc` the A1111 field's path; every other refusal in the web UI's `{error, detail, body, errors}`
 * with this API's status; never a 5xx. Run open and with API keys by test/a1111-bad-input.e2e-spec.ts.
 */
import { gzip, json } from './rest-case';

interface CaseBase {
  readonly name: string;
  readonly method: string;
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Buffer;
  readonly message: RegExp;
  /** Answered before the key is checked (the body parser, an unknown path): the same answer without a key. */
  readonly beforeAuth?: boolean;
}

/** FastAPI's validation answer: 422 naming the field's path. */
export interface A1111ValidationCase extends CaseBase {
  readonly shape: 'validation';
  readonly loc: readonly (string | number)[];
}

/** The web UI's exception answer with this API's status and error code. */
export interface A1111ExceptionCase extends CaseBase {
  readonly shape: 'exception';
  readonly status: number;
  readonly error: string;
}

export type A1111Case = A1111ValidationCase | A1111ExceptionCase;

const TXT2IMG = '/sdapi/v1/txt2img';
const IMG2IMG = '/sdapi/v1/img2img';
const OPTIONS = '/sdapi/v1/options';
const JSON_TYPE = { 'content-type': 'application/json' };
/** A small valid request: every case changes one thing about it. */
export const VALID_A1111_TXT2IMG = { prompt: 'red kente dress', width: 64, height: 64, steps: 1, seed: 1, sampler_name: 'Euler a' } as const;
/** A 1×1 PNG, base64. */
const PIXEL = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC';
export const VALID_A1111_IMG2IMG = { ...VALID_A1111_TXT2IMG, init_images: [PIXEL], denoising_strength: 1, steps: 2 } as const;

function bad(name: string, patch: Record<string, unknown>, loc: readonly (string | number)[], message: RegExp, path = TXT2IMG): A1111ValidationCase {
  const valid = path === IMG2IMG ? VALID_A1111_IMG2IMG : VALID_A1111_TXT2IMG;
  return { name, method: 'POST', path, headers: JSON_TYPE, body: json({ ...valid, ...patch }), shape: 'validation', loc, message };
}

function refused(name: string, patch: Record<string, unknown>, status: number, error: string, message: RegExp, path = TXT2IMG): A1111ExceptionCase {
  const valid = path === IMG2IMG ? VALID_A1111_IMG2IMG : path === OPTIONS ? {} : VALID_A1111_TXT2IMG;
  return { name, method: 'POST', path, headers: JSON_TYPE, body: json({ ...valid, ...patch }), shape: 'exception', status, error, message };
}

function raw(name: string, body: string | Buffer, headers: Record<string, string>, expected: Omit<A1111ValidationCase, keyof CaseBase> | Omit<A1111ExceptionCase, keyof CaseBase>, message: RegExp, path = TXT2IMG): A1111Case {
  return { name, method: 'POST', path, headers, body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body, message, ...expected } as A1111Case;
}

function route(name: string, method: string, path: string, message: RegExp): A1111Case {
  return { name, method, path, shape: 'exception', status: 404, error: 'NOT_FOUND', message, beforeAuth: true };
}

const BODY = { shape: 'validation', loc: [] } as const;
const NOT_JSON = /^body: /;

const bodyCases: A1111Case[] = [
  { ...raw('malformed JSON', '{"prompt":', JSON_TYPE, BODY, /^body: is not valid JSON/), beforeAuth: true },
  { ...raw('a JSON string', '"red kente dress"', JSON_TYPE, BODY, NOT_JSON), beforeAuth: true },
  { ...raw('JSON null', 'null', JSON_TYPE, BODY, NOT_JSON), beforeAuth: true },
  raw('a JSON array', '[{"prompt":"red"}]', JSON_TYPE, BODY, /^body: must be a JSON object/),
  raw('text/plain', JSON.stringify(VALID_A1111_TXT2IMG), { 'content-type': 'text/plain' }, BODY, /^body: must be a JSON object/),
  { ...raw('invalid UTF-8', Buffer.concat([Buffer.from('{"prompt":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]), JSON_TYPE, BODY, /^body: is not valid UTF-8/), beforeAuth: true },
  { ...raw('gzip that is not gzip', '{"prompt":"red"}', { ...JSON_TYPE, 'content-encoding': 'gzip' }, BODY, NOT_JSON), beforeAuth: true },
  { ...raw('a gzip bomb-sized body over the limit', gzip(JSON.stringify({ prompt: 'x'.repeat(100_000) })), { ...JSON_TYPE, 'content-encoding': 'gzip' }, { shape: 'exception', status: 413, error: 'TOO_LARGE' }, /^body: is larger than the server accepts/), beforeAuth: true },
  { ...raw('a txt2img body over AFD_BODY_LIMIT_KB', JSON.stringify({ prompt: 'x'.repeat(20_000) }), JSON_TYPE, { shape: 'exception', status: 413, error: 'TOO_LARGE' }, /^body: is larger than the server accepts/), beforeAuth: true },
  { ...raw('an img2img body over the image limit', JSON.stringify({ init_images: ['A'.repeat(12 * 1024 * 1024)] }), JSON_TYPE, { shape: 'exception', status: 413, error: 'TOO_LARGE' }, /^body: is larger than the server accepts/, IMG2IMG), beforeAuth: true },
  raw('1e999 as steps', `${JSON.stringify(VALID_A1111_TXT2IMG).slice(0, -1)},"steps":1e999}`, JSON_TYPE, { shape: 'validation', loc: ['steps'] }, /^steps: /),
];

const fieldCases: A1111Case[] = [
  bad('a number as prompt', { prompt: 42 }, ['prompt'], /^prompt: must be a string/),
  bad('an array as prompt', { prompt: ['red'] }, ['prompt'], /^prompt: must be a string/),
  bad('a prompt over 4000 characters', { prompt: 'x'.repeat(4001) }, ['prompt'], /^prompt: must be at most 4000 characters/),
  bad('a control character in the prompt', { prompt: 'red\u0000dress' }, ['prompt'], /^prompt: must not contain control characters/),
  bad('a number as negative_prompt', { negative_prompt: 42 }, ['negative_prompt'], /^negative_prompt: must be a string/),
  bad('steps of 0', { steps: 0 }, ['steps'], /^steps: must be between 1 and 150, got 0$/),
  bad('steps over the limit', { steps: 151 }, ['steps'], /^steps: must be between 1 and 150, got 151$/),
  bad('fractional steps', { steps: 1.5 }, ['steps'], /^steps: must be an integer/),
  bad('steps as a string', { steps: '20' }, ['steps'], /^steps: must be a finite number/),
  bad('a negative cfg_scale', { cfg_scale: -1 }, ['cfg_scale'], /^cfg_scale: must be between 0 and /),
  bad('cfg_scale as a string', { cfg_scale: '7' }, ['cfg_scale'], /^cfg_scale: must be a finite number/),
  bad('a width not a multiple of 8', { width: 65 }, ['width'], /^width: must be a multiple of 8/),
  bad('a width of 0', { width: 0 }, ['width'], /^width: must be between 64 and 1024/),
  bad('a height past the limit', { height: 2048 }, ['height'], /^height: must be between 64 and 1024, got 2048/),
  bad('a width as a string', { width: '512' }, ['width'], /^width: /),
  bad('a seed of -2', { seed: -2 }, ['seed'], /^seed: /),
  bad('a fractional seed', { seed: 1.5 }, ['seed'], /^seed: /),
  bad('a seed that is not a number', { seed: 'abc' }, ['seed'], /^seed: /),
  bad('a seed past 2^64 - 1', { seed: '18446744073709551616' }, ['seed'], /^seed: /),
  bad('a sampler this server lacks', { sampler_name: 'DPM adaptive' }, ['sampler_name'], /^sampler_name: is not a sampler this server has .*, got "DPM adaptive"$/),
  bad('a number as sampler_name', { sampler_name: 42 }, ['sampler_name'], /^sampler_name: must be a sampler name string/),
  bad('an empty sampler_name', { sampler_name: '' }, ['sampler_name'], /^sampler_name: is not a sampler this server has/),
  bad('a sampler_index this server lacks', { sampler_name: undefined, sampler_index: 'DPM fast' }, ['sampler_index'], /^sampler_index: is not a sampler/),
  bad('a schedule type this server lacks', { scheduler: 'Exponential' }, ['scheduler'], /^scheduler: must be one of Automatic, Karras, got "Exponential"$/),
  bad('Karras for a sampler without a Karras variant', { scheduler: 'Karras' }, ['scheduler'], /^scheduler: Karras is not available for Euler a; it is for /),
  bad('a number as scheduler', { scheduler: 1 }, ['scheduler'], /^scheduler: must be one of /),
  bad('batch_size of 0', { batch_size: 0 }, ['batch_size'], /^batch_size: must be an integer from 1/),
  bad('a fractional batch_size', { batch_size: 1.5 }, ['batch_size'], /^batch_size: /),
  bad('batch_size over the image limit', { batch_size: 9 }, ['batch_size'], /^batch_size: .*8.*, got 9/),
  bad('batch_size × n_iter over the image limit', { batch_size: 4, n_iter: 3 }, ['batch_size'], /^batch_size: .*8.*, got 12/),
  bad('n_iter of 0', { n_iter: 0 }, ['n_iter'], /^n_iter: must be an integer from 1/),
  bad('an eta over 1', { eta: 2 }, ['eta'], /^eta: /),
  bad('send_images as a string', { send_images: 'true' }, ['send_images'], /^send_images: must be true or false/),
  bad('restore_faces', { restore_faces: true }, ['restore_faces'], /^restore_faces: must be false or null \(no face restoration here\), got true$/),
  bad('tiling', { tiling: true }, ['tiling'], /^tiling: must be false or null/),
  bad('hires fix', { enable_hr: true }, ['enable_hr'], /^enable_hr: must be false or null \(no hires fix here\)/),
  bad('a style', { styles: ['Cinematic'] }, ['styles'], /^styles: must be null or \[\] \(this server keeps no styles\), got an array$/),
  bad('a variation seed strength', { subseed_strength: 0.5 }, ['subseed_strength'], /^subseed_strength: must be 0 or null/),
  bad('a seed resize', { seed_resize_from_h: 512 }, ['seed_resize_from_h'], /^seed_resize_from_h: must be -1, 0 or null/),
  bad('an always-on script (ControlNet)', { alwayson_scripts: { controlnet: { args: [] } } }, ['alwayson_scripts'], /^alwayson_scripts: must be \{\} or null .*; "controlnet" cannot run here/),
  bad('alwayson_scripts as a list', { alwayson_scripts: [] }, ['alwayson_scripts'], /^alwayson_scripts: must be \{\} or null/),
  bad('a script', { script_name: 'x/y/z plot' }, ['script_name'], /^script_name: must be null or ""/),
  bad('script arguments', { script_args: [1, 2] }, ['script_args'], /^script_args: must be \[\] or null/),
  bad('a refiner', { refiner_checkpoint: 'sdxl_refiner' }, ['refiner_checkpoint'], /^refiner_checkpoint: must be null, "" or "None"/),
  bad('an infotext', { infotext: 'red\nSteps: 20' }, ['infotext'], /^infotext: must be null or ""/),
  bad('a first-pass image', { firstpass_image: PIXEL }, ['firstpass_image'], /^firstpass_image: must be null/),
  bad('an ignored number as text', { s_churn: 'high' }, ['s_churn'], /^s_churn: must be a number \(accepted and ignored here\), got "high"$/),
  bad('an ignored flag as a number', { do_not_save_grid: 2 }, ['do_not_save_grid'], /^do_not_save_grid: must be a boolean/),
  bad('comments as text', { comments: 'x' }, ['comments'], /^comments: must be an object/),
  bad('override_settings as a list', { override_settings: [] }, ['override_settings'], /^override_settings: must be an object of web UI settings/),
  bad('a number as checkpoint', { override_settings: { sd_model_checkpoint: 42 } }, ['override_settings', 'sd_model_checkpoint'], /^override_settings\.sd_model_checkpoint: must be a checkpoint title or name/),
  bad('an emphasis mode this server lacks', { override_settings: { emphasis: 'Ignore' } }, ['override_settings', 'emphasis'], /^override_settings\.emphasis: must be one of Original, No norm, got "Ignore"$/),
  bad('CLIP skip 2', { override_settings: { CLIP_stop_at_last_layers: 2 } }, ['override_settings', 'CLIP_stop_at_last_layers'], /^override_settings\.CLIP_stop_at_last_layers: must be 1/),
  refused('an unknown checkpoint', { override_settings: { sd_model_checkpoint: 'v1-5-pruned-emaonly.safetensors' } }, 404, 'NOT_FOUND', /^override_settings\.sd_model_checkpoint "v1-5-pruned-emaonly.safetensors" does not exist; known: baseline, /),
  refused('a path-trick checkpoint', { override_settings: { sd_model_checkpoint: '../final' } }, 404, 'NOT_FOUND', /^override_settings\.sd_model_checkpoint "..\/final" does not exist/),
  refused('a 10,000-character checkpoint', { override_settings: { sd_model_checkpoint: 'm'.repeat(10_000) } }, 404, 'NOT_FOUND', /^override_settings\.sd_model_checkpoint "m+"… \(10000 characters\) does not exist/),
];

const img2imgCases: A1111Case[] = [
  bad('no init_images', { init_images: undefined }, ['init_images'], /^init_images: is required/, IMG2IMG),
  bad('init_images as a string', { init_images: PIXEL }, ['init_images'], /^init_images: must be a list of exactly one image/, IMG2IMG),
  bad('no init image in the list', { init_images: [] }, ['init_images'], /^init_images: must be a list of exactly one image .*, got "0 images"$/, IMG2IMG),
  bad('two init images', { init_images: [PIXEL, PIXEL] }, ['init_images'], /^init_images: must be a list of exactly one image/, IMG2IMG),
  bad('a number as the init image', { init_images: [42] }, ['init_images', 0], /^init_images\.0: must be a base64 image or a data URL, got 42$/, IMG2IMG),
  bad('an init image that is not base64', { init_images: ['not base64!'] }, ['init_images', 0], /^init_images\.0: must be base64-encoded image bytes/, IMG2IMG),
  bad('an init image that is text', { init_images: [Buffer.from('hello, this is not an image').toString('base64')] }, ['init_images', 0], /^init_images\.0: /, IMG2IMG),
  bad('a GIF init image', { init_images: ['R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw=='] }, ['init_images', 0], /^init_images\.0: /, IMG2IMG),
  bad('a denoising_strength of 0', { denoising_strength: 0 }, ['denoising_strength'], /^denoising_strength: /, IMG2IMG),
  bad('a denoising_strength over 1', { denoising_strength: 1.5 }, ['denoising_strength'], /^denoising_strength: /, IMG2IMG),
  bad('a denoising_strength as a string', { denoising_strength: '0.5' }, ['denoising_strength'], /^denoising_strength: /, IMG2IMG),
  bad('a mask (inpainting)', { mask: PIXEL }, ['mask'], /^mask: must be null \(inpainting is not supported\)/, IMG2IMG),
  bad('resize and fill', { resize_mode: 2 }, ['resize_mode'], /^resize_mode: must be 0 .* or 1/, IMG2IMG),
  bad('resize_mode as a string', { resize_mode: '0' }, ['resize_mode'], /^resize_mode: must be 0/, IMG2IMG),
  bad('just resize of another aspect ratio', { width: 128 }, ['resize_mode'], /^resize_mode: 0 \(just resize\) would stretch this 1×1 photo to 128×64/, IMG2IMG),
  bad('an initial noise multiplier', { initial_noise_multiplier: 1.2 }, ['initial_noise_multiplier'], /^initial_noise_multiplier: must be 1 or null/, IMG2IMG),
  bad('an ignored mask setting of the wrong type', { inpainting_fill: 'latent noise' }, ['inpainting_fill'], /^inpainting_fill: must be a number/, IMG2IMG),
];

const optionCases: A1111Case[] = [
  raw('options as a list', '[]', JSON_TYPE, BODY, /^body: must be a JSON object of web UI settings/, OPTIONS),
  raw('a number as the checkpoint option', JSON.stringify({ sd_model_checkpoint: 42 }), JSON_TYPE, { shape: 'validation', loc: ['sd_model_checkpoint'] }, /^sd_model_checkpoint: must be a checkpoint title or name/, OPTIONS),
  raw('an emphasis option this server lacks', JSON.stringify({ emphasis: 'None' }), JSON_TYPE, { shape: 'validation', loc: ['emphasis'] }, /^emphasis: must be one of Original, No norm/, OPTIONS),
  refused('an unknown checkpoint option', { sd_model_checkpoint: 'sd_xl_base_1.0.safetensors [31e35c80fc]' }, 404, 'NOT_FOUND', /^sd_model_checkpoint: "sd_xl_base_1.0.safetensors" does not exist; known: baseline, /, OPTIONS),
];

const routeCases: A1111Case[] = [
  route('GET on txt2img', 'GET', TXT2IMG, /^Cannot GET \/sdapi\/v1\/txt2img/),
  route('a route this server lacks (extras)', 'POST', '/sdapi/v1/extra-single-image', /^Cannot POST \/sdapi\/v1\/extra-single-image/),
  route('LoRA listing', 'GET', '/sdapi/v1/loras', /^Cannot GET \/sdapi\/v1\/loras/),
  route('DELETE on options', 'DELETE', OPTIONS, /^Cannot DELETE/),
];

export const A1111_CASES: readonly A1111Case[] = [...bodyCases, ...fieldCases, ...img2imgCases, ...optionCases, ...routeCases];

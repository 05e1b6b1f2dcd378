import { ApiError } from '../common/error-code';
import { a1111ErrorAnswer } from './a1111-errors';
import { HONOURED_FIELDS, IGNORED_FIELDS, IMG2IMG_DEFAULTS, NEUTRAL_ONLY_FIELDS, TXT2IMG_DEFAULTS } from './a1111-fields';
import { parseA1111Request, type A1111Route } from './a1111-request';

/** The 422 a refusal answers: FastAPI's validation item. */
function refusal(route: A1111Route, body: unknown): { loc: unknown; msg: string } {
  try {
    parseA1111Request(route, body);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    const answer = a1111ErrorAnswer(error, 400);
    expect(answer.status).toBe(422);
    const [item] = (answer.body as { detail: Array<{ loc: unknown; msg: string }> }).detail;
    return item as { loc: unknown; msg: string };
  }
  throw new Error('the body was accepted');
}

describe('parseA1111Request', () => {
  it('classifies every field of both web UI models exactly once: honoured, ignored, or neutral only', () => {
    const classes = [[...HONOURED_FIELDS], Object.keys(IGNORED_FIELDS), Object.keys(NEUTRAL_ONLY_FIELDS)];
    for (const field of new Set([...Object.keys(TXT2IMG_DEFAULTS), ...Object.keys(IMG2IMG_DEFAULTS)])) {
      expect({ field, classes: classes.filter((c) => c.includes(field)).length }).toEqual({ field, classes: 1 });
    }
  });

  it("maps the honoured fields to the native request, with A1111's defaults for the ones left out", () => {
    const ask = parseA1111Request('txt2img', { prompt: 'p', negative_prompt: 'n', cfg_scale: 5, batch_size: 2, n_iter: 3, seed: 9, eta: 0.5, override_settings: { sd_model_checkpoint: 'final [0123456789]', emphasis: 'No norm' } });
    expect(ask.generation).toEqual({
      prompt: 'p',
      negativePrompt: 'n',
      steps: 50,
      guidanceScale: 5,
      width: 512,
      height: 512,
      scheduler: 'euler',
      numImages: 6,
      outputFormat: 'png',
      seed: 9,
      eta: 0.5,
      emphasis: 'no-norm',
      checkpoint: 'final',
    });
  });

  it('resolves sampler names as the web UI does: exact, any case, sampler_index as the fallback, and the schedule type', () => {
    const scheduler = (body: Record<string, unknown>): string => parseA1111Request('txt2img', { prompt: 'p', ...body }).scheduler;
    expect(scheduler({ sampler_name: 'DPM++ 2M Karras' })).toBe('dpm++2m-karras');
    expect(scheduler({ sampler_name: 'euler a' })).toBe('euler-a');
    expect(scheduler({ sampler_index: 'UniPC' })).toBe('unipc');
    expect(scheduler({ sampler_name: 'Heun', sampler_index: 'DDIM' })).toBe('heun');
    expect(scheduler({ sampler_name: 'Euler', scheduler: 'Karras' })).toBe('euler-karras');
    expect(scheduler({ sampler_name: 'DPM++ 2M', scheduler: 'karras' })).toBe('dpm++2m-karras');
    // A1111 ≥ 1.9 runs DPM++ 2M and DPM2 on Karras sigmas under Automatic; an older client sending no scheduler means the plain one.
    expect(scheduler({ sampler_name: 'DPM++ 2M', scheduler: 'Automatic' })).toBe('dpm++2m-karras');
    expect(scheduler({ sampler_name: 'DPM++ 2M' })).toBe('dpm++2m');
    expect(scheduler({ sampler_name: 'Euler a', scheduler: 'Automatic' })).toBe('euler-a');
  });

  it('accepts the neutral values of what it cannot do and ignores what does not matter here', () => {
    const ask = parseA1111Request('txt2img', {
      prompt: 'p',
      restore_faces: false,
      tiling: null,
      enable_hr: false,
      alwayson_scripts: {},
      script_args: [],
      script_name: '',
      styles: [],
      subseed: 42,
      subseed_strength: 0,
      s_churn: 0.5,
      comments: { note: 'x' },
      save_images: true,
      refiner_checkpoint: 'None',
      unknown_extension_field: { anything: true },
    });
    expect(ask.generation['prompt']).toBe('p');
    expect(ask.parameters).toMatchObject({ subseed: 42, save_images: true });
    expect(ask.parameters).not.toHaveProperty('unknown_extension_field');
  });

  it('refuses, naming the field and the rule, what it cannot honour', () => {
    expect(refusal('txt2img', { prompt: 'p', restore_faces: true })).toEqual({ loc: ['body', 'restore_faces'], msg: 'restore_faces: must be false or null (no face restoration here), got true', type: 'value_error' });
    expect(refusal('txt2img', { prompt: 'p', alwayson_scripts: { controlnet: { args: [] } } }).msg).toMatch(/^alwayson_scripts: must be \{\} or null .*; "controlnet" cannot run here, got an object$/);
    expect(refusal('txt2img', { prompt: 'p', styles: ['Cinematic'] }).loc).toEqual(['body', 'styles']);
    expect(refusal('txt2img', { prompt: 'p', enable_hr: true }).loc).toEqual(['body', 'enable_hr']);
    expect(refusal('txt2img', { prompt: 'p', sampler_name: 'DPM adaptive' }).msg).toMatch(/^sampler_name: is not a sampler this server has/);
    expect(refusal('txt2img', { prompt: 'p', sampler_name: 'Euler a', scheduler: 'Karras' }).msg).toMatch(/^scheduler: Karras is not available for Euler a; it is for /);
    expect(refusal('txt2img', { prompt: 'p', scheduler: 'Exponential' }).loc).toEqual(['body', 'scheduler']);
    expect(refusal('txt2img', { prompt: 'p', override_settings: { CLIP_stop_at_last_layers: 2 } }).loc).toEqual(['body', 'override_settings', 'CLIP_stop_at_last_layers']);
    expect(refusal('txt2img', { prompt: 'p', override_settings: { emphasis: 'Ignore' } }).loc).toEqual(['body', 'override_settings', 'emphasis']);
    expect(refusal('txt2img', { prompt: 'p', override_settings: [] }).loc).toEqual(['body', 'override_settings']);
    expect(refusal('txt2img', { prompt: 'p', batch_size: 0 }).loc).toEqual(['body', 'batch_size']);
    expect(refusal('txt2img', { prompt: 'p', send_images: 'yes' }).loc).toEqual(['body', 'send_images']);
    expect(refusal('txt2img', { prompt: 'p', s_churn: 'high' }).msg).toBe('s_churn: must be a number (accepted and ignored here), got "high"');
    expect(refusal('txt2img', [{ prompt: 'p' }])).toMatchObject({ loc: ['body'], msg: 'body: must be a JSON object' });
    expect(refusal('img2img', { prompt: 'p' }).loc).toEqual(['body', 'init_images']);
    expect(refusal('img2img', { prompt: 'p', init_images: ['a', 'b'] }).msg).toBe('init_images: must be a list of exactly one image (base64 or a data URL), got "2 images"');
    expect(refusal('img2img', { prompt: 'p', init_images: [7] }).loc).toEqual(['body', 'init_images', 0]);
    expect(refusal('img2img', { prompt: 'p', init_images: ['a'], mask: 'bWFzaw==' }).loc).toEqual(['body', 'mask']);
    expect(refusal('img2img', { prompt: 'p', init_images: ['a'], resize_mode: 2 }).loc).toEqual(['body', 'resize_mode']);
  });

  it("renames the native request's field in errors raised after parsing: batch_size, cfg_scale, the checkpoint in override_settings", () => {
    const answer = (field: string, message: string): unknown => a1111ErrorAnswer(new ApiError('INVALID_ARGUMENT' as never, message, { field }), 400).body;
    expect(answer('guidanceScale', 'guidanceScale: must be from 0 to 50, got 99')).toEqual({ detail: [{ loc: ['body', 'cfg_scale'], msg: 'cfg_scale: must be from 0 to 50, got 99', type: 'value_error' }] });
    expect(answer('initImage', 'initImage: must be base64')).toEqual({ detail: [{ loc: ['body', 'init_images', 0], msg: 'init_images.0: must be base64', type: 'value_error' }] });
    const notFound = a1111ErrorAnswer(new ApiError('NOT_FOUND' as never, 'checkpoint "x" does not exist; known: final', { field: 'checkpoint' }), 404);
    expect(notFound).toEqual({ status: 404, body: { error: 'NOT_FOUND', detail: 'override_settings.sd_model_checkpoint "x" does not exist; known: final', body: '', errors: expect.any(String) }, headers: {} });
  });
});

/**
 * The AUTOMATIC1111-compatible API against the real application (engine, pool, demo release) with
 * API keys, fed request bodies shaped like the ones popular clients send: Open WebUI, SillyTavern,
 * and the web UI's own "copy API payload" (sampler names with spaces, override_settings,
 * alwayson_scripts absent or {}, unknown extra fields). The answers are checked as those clients
 * read them (images decode to PNGs of the size, info parses as JSON, parameters echo the request),
 * and the images are the native generations' own: the same settings give the same bytes.
 */
import type { NestExpressApplication } from '@nestjs/platform-express';
import sharp from 'sharp';
import { hashApiKey } from '../src/auth/api-keys';
import { createApp } from '../src/create-app';
import { request as httpRequest } from 'node:http';
import { readPngTextChunks } from '../src/engine/image/png-text-chunk';
import type { GenerationRecord } from '../src/generation/generation-store';
import { Generations } from '../src/generation/generations';
import { sendRaw, type RawResponse } from './bad-input-corpus/raw-http';
import { testAppConfig } from './support/test-app-config';
import { waitUntilReady } from './support/wait-until-ready';

const KEY = 'afd_a1111-compat-key-0123456789abcdefghijklmnop';
const OTHER_KEY = 'afd_a1111-compat-other-0123456789abcdefghijklm';
const TIGHT_KEY = 'afd_a1111-compat-tight-0123456789abcdefghijklm';
const KEYS = JSON.stringify({
  tiers: { tight: { generations: 1, reads: 50 } },
  keys: [
    { name: 'webui', tier: 'internal', roles: [], sha256: hashApiKey(KEY) },
    { name: 'other', tier: 'internal', roles: [], sha256: hashApiKey(OTHER_KEY) },
    { name: 'tight', tier: 'tight', roles: [], sha256: hashApiKey(TIGHT_KEY) },
  ],
});

interface ImagesAnswer {
  images: string[];
  parameters: Record<string, unknown>;
  info: string;
}

interface Info {
  seed: number;
  all_seeds: number[];
  sampler_name: string;
  sd_model_name: string;
  sd_model_hash: string;
  width: number;
  height: number;
  steps: number;
  cfg_scale: number;
  infotexts: string[];
  denoising_strength: number | null;
  prompt: string;
  negative_prompt: string;
}

/** Open WebUI's automatic1111 engine: prompt, batch_size, width, height, steps, negative_prompt, cfg_scale, sampler_name, scheduler. */
const OPEN_WEBUI = { prompt: 'red kente dress', batch_size: 1, width: 128, height: 64, steps: 2, negative_prompt: 'blurry', cfg_scale: 7, sampler_name: 'Euler a', scheduler: 'Automatic', seed: 11 };

/** SillyTavern's stable-diffusion extension (its A1111 source), with the fields it always sends. */
const SILLY_TAVERN = {
  prompt: 'portrait of a woman in an ankara gown, (gold jewellery:1.2)',
  negative_prompt: 'lowres, bad anatomy',
  sampler_name: 'DPM++ 2M Karras',
  steps: 3,
  cfg_scale: 6,
  width: 64,
  height: 128,
  restore_faces: false,
  enable_hr: false,
  hr_upscaler: 'Latent',
  hr_scale: 2,
  hr_additional_modules: [],
  denoising_strength: 0.7,
  hr_second_pass_steps: 0,
  seed: 21,
  override_settings: { CLIP_stop_at_last_layers: 1 },
  override_settings_restore_afterwards: true,
  save_images: true,
  send_images: true,
  do_not_save_grid: false,
  do_not_save_samples: false,
};

/** The web UI's "copy API payload" of a txt2img run (1.10), trimmed of nothing. */
const WEBUI_PAYLOAD = {
  alwayson_scripts: {},
  batch_size: 2,
  cfg_scale: 5,
  comments: {},
  denoising_strength: 0.7,
  disable_extra_networks: false,
  do_not_save_grid: false,
  do_not_save_samples: false,
  enable_hr: false,
  height: 64,
  hr_negative_prompt: '',
  hr_prompt: '',
  hr_resize_x: 0,
  hr_resize_y: 0,
  hr_scale: 2,
  hr_second_pass_steps: 0,
  hr_upscaler: 'Latent',
  n_iter: 2,
  negative_prompt: '',
  override_settings: { sd_model_checkpoint: 'checkpoint-40000' },
  override_settings_restore_afterwards: true,
  prompt: 'indigo adire wrap skirt',
  restore_faces: false,
  s_churn: 0,
  s_min_uncond: 0,
  s_noise: 1,
  s_tmax: null,
  s_tmin: 0,
  sampler_name: 'DPM++ 2M',
  scheduler: 'Karras',
  script_args: [],
  script_name: null,
  seed: 100,
  seed_enable_extras: true,
  seed_resize_from_h: -1,
  seed_resize_from_w: -1,
  steps: 2,
  styles: [],
  subseed: 3657811370,
  subseed_strength: 0,
  tiling: false,
  width: 64,
};

describe('AUTOMATIC1111-compatible API (/sdapi/v1)', () => {
  let app: NestExpressApplication;
  let port: number;
  const call = (method: string, path: string, body?: unknown, key: string | null = KEY, extra: Record<string, string> = {}): Promise<RawResponse> =>
    sendRaw(port, {
      method,
      path,
      headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...extra },
      body: body !== undefined ? Buffer.from(JSON.stringify(body)) : undefined,
    });
  const txt2img = async (body: unknown, key = KEY): Promise<ImagesAnswer> => {
    const res = await call('POST', '/sdapi/v1/txt2img', body, key);
    expect([res.status, res.status === 200 ? '' : res.text]).toEqual([200, '']);
    return res.json as ImagesAnswer;
  };
  /** The native route's first image for the same settings, as PNG bytes. */
  const nativePng = async (body: Record<string, unknown>): Promise<Buffer> => {
    const res = await fetch(`http://127.0.0.1:${port}/v1/generations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', accept: 'image/png' },
      body: JSON.stringify({ ...body, outputFormat: 'png' }),
    });
    expect(res.status).toBe(200);
    return Buffer.from(await res.arrayBuffer());
  };

  beforeAll(async () => {
    app = await createApp(testAppConfig({ AFD_ALLOW_OPEN: 'false', AFD_API_KEYS: KEYS }));
    await app.listen(0, '127.0.0.1');
    port = (app.getHttpServer().address() as { port: number }).port;
    await waitUntilReady(app);
  }, 120_000);
  afterAll(() => app?.close());

  it("answers Open WebUI's txt2img: a PNG of the size, info as JSON whose infotext is the PNG's own, parameters echoing the request", async () => {
    const answer = await txt2img(OPEN_WEBUI);
    expect(answer.images).toHaveLength(1);
    const png = Buffer.from(answer.images[0] as string, 'base64');
    const meta = await sharp(png).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 128, 64]);
    const info = JSON.parse(answer.info) as Info;
    expect(info).toMatchObject({ prompt: 'red kente dress', negative_prompt: 'blurry', seed: 11, all_seeds: [11], sampler_name: 'Euler a', width: 128, height: 64, steps: 2, cfg_scale: 7, sd_model_name: 'final', denoising_strength: null });
    expect(info.sd_model_hash).toMatch(/^[0-9a-f]{10}$/);
    expect(info.infotexts).toEqual([readPngTextChunks(png).get('parameters')]);
    expect(info.infotexts[0]).toMatch(/^red kente dress\nNegative prompt: blurry\nSteps: 2, Sampler: Euler a, CFG scale: 7, Seed: 11, Size: 128x64, Model hash: [0-9a-f]{10}, Model: final/);
    // Every field of the web UI's model, the sent ones as sent and the rest at its defaults.
    expect(answer.parameters).toMatchObject({ ...OPEN_WEBUI, styles: null, restore_faces: null, n_iter: 1, send_images: true, alwayson_scripts: {}, sampler_index: 'Euler' });
  });

  it("runs SillyTavern's body as the native request it names: DPM++ 2M Karras is dpm++2m-karras, weights and all, the same bytes", async () => {
    const answer = await txt2img(SILLY_TAVERN);
    const png = Buffer.from(answer.images[0] as string, 'base64');
    const native = await nativePng({ prompt: SILLY_TAVERN.prompt, negativePrompt: SILLY_TAVERN.negative_prompt, scheduler: 'dpm++2m-karras', steps: 3, guidanceScale: 6, width: 64, height: 128, seed: 21 });
    expect(png.equals(native)).toBe(true);
    expect((JSON.parse(answer.info) as Info).sampler_name).toBe('DPM++ 2M Karras');
    // Unknown fields (hr_additional_modules) are ignored, and echoed no more than the web UI echoes them.
    expect(answer.parameters).not.toHaveProperty('hr_additional_modules');
  });

  it("runs the web UI's own copied payload: batch_size × n_iter images with consecutive seeds, scheduler Karras, the override_settings checkpoint", async () => {
    const answer = await txt2img(WEBUI_PAYLOAD);
    expect(answer.images).toHaveLength(4);
    const info = JSON.parse(answer.info) as Info;
    expect(info).toMatchObject({ all_seeds: [100, 101, 102, 103], sampler_name: 'DPM++ 2M Karras', sd_model_name: 'checkpoint-40000' });
    const native = await nativePng({ prompt: WEBUI_PAYLOAD.prompt, scheduler: 'dpm++2m-karras', steps: 2, guidanceScale: 5, width: 64, height: 64, seed: 100, checkpoint: 'checkpoint-40000' });
    expect(Buffer.from(answer.images[0] as string, 'base64').equals(native)).toBe(true);
    expect(info.infotexts[3]).toMatch(/Seed: 103, .*Model: checkpoint-40000/);
  });

  it('takes sampler_index when sampler_name is absent, a random seed for -1, and answers no images with send_images false', async () => {
    const answer = await txt2img({ prompt: 'x', steps: 1, width: 64, height: 64, sampler_index: 'DDIM', seed: -1, send_images: false });
    expect(answer.images).toEqual([]);
    const info = JSON.parse(answer.info) as Info;
    expect(info.sampler_name).toBe('DDIM');
    expect(Number.isSafeInteger(info.seed) && info.seed >= 0).toBe(true);
    expect(info.infotexts[0]).toContain(`Seed: ${info.seed},`);
  });

  it('runs img2img from a photo sent as a data URL: the size asked, Denoising strength in the infotext; just-resize of another aspect is refused', async () => {
    const photo = await sharp({ create: { width: 96, height: 48, channels: 3, background: { r: 200, g: 40, b: 40 } } }).png().toBuffer();
    const res = await call('POST', '/sdapi/v1/img2img', { init_images: [`data:image/png;base64,${photo.toString('base64')}`], prompt: 'red kente dress', denoising_strength: 0.5, steps: 4, width: 128, height: 64, seed: 5, sampler_name: 'Euler', resize_mode: 0, include_init_images: false });
    expect([res.status, res.status === 200 ? '' : res.text]).toEqual([200, '']);
    const answer = res.json as ImagesAnswer;
    const meta = await sharp(Buffer.from(answer.images[0] as string, 'base64')).metadata();
    expect([meta.width, meta.height]).toEqual([128, 64]);
    const info = JSON.parse(answer.info) as Info;
    expect(info.denoising_strength).toBe(0.5);
    expect(info.infotexts[0]).toContain('Denoising strength: 0.5');
    expect(answer.parameters).toMatchObject({ init_images: null, denoising_strength: 0.5, resize_mode: 0 });

    const stretched = await call('POST', '/sdapi/v1/img2img', { init_images: [photo.toString('base64')], prompt: 'x', steps: 2, width: 64, height: 64, resize_mode: 0 });
    expect([stretched.status, stretched.json]).toEqual([422, { detail: [{ loc: ['body', 'resize_mode'], msg: expect.stringMatching(/^resize_mode: 0 \(just resize\) would stretch this 96×48 photo to 64×64/), type: 'value_error' }] }]);
    const cropped = await call('POST', '/sdapi/v1/img2img', { init_images: [photo.toString('base64')], prompt: 'x', steps: 2, width: 64, height: 64, resize_mode: 1 });
    expect(cropped.status).toBe(200);
  });

  it("runs an img2img body shaped like a Krita plugin's (mask settings without a mask, no alwayson_scripts): the same bytes as native image to image", async () => {
    const photo = await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 30, g: 90, b: 160 } } }).png().toBuffer();
    const krita = {
      prompt: 'indigo adire dress',
      negative_prompt: '',
      init_images: [photo.toString('base64')],
      denoising_strength: 0.6,
      resize_mode: 0,
      mask_blur: 4,
      inpainting_fill: 1,
      inpaint_full_res: false,
      inpainting_mask_invert: 0,
      include_init_images: false,
      sampler_name: 'DPM++ 2M SDE Karras',
      steps: 5,
      cfg_scale: 7,
      width: 64,
      height: 64,
      seed: 77,
      batch_size: 1,
      override_settings: { sd_model_checkpoint: 'final', emphasis: 'Original' },
    };
    const res = await call('POST', '/sdapi/v1/img2img', krita);
    expect([res.status, res.status === 200 ? '' : res.text]).toEqual([200, '']);
    const png = Buffer.from((res.json as ImagesAnswer).images[0] as string, 'base64');
    const native = await nativePng({ prompt: krita.prompt, initImage: photo.toString('base64'), strength: 0.6, scheduler: 'dpm++2m-sde-karras', steps: 5, guidanceScale: 7, width: 64, height: 64, seed: 77, checkpoint: 'final' });
    expect(png.equals(native)).toBe(true);
  });

  it('cancels the generation when the client goes away', async () => {
    const generations = app.get(Generations);
    const start = generations.start.bind(generations);
    let record: GenerationRecord | undefined;
    jest.spyOn(generations, 'start').mockImplementationOnce(async (...args) => {
      const started = await start(...args);
      record = started.record;
      return started;
    });
    const outgoing = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/sdapi/v1/txt2img', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' } });
    outgoing.on('error', () => undefined);
    outgoing.end(JSON.stringify({ prompt: 'x', steps: 150, width: 512, height: 512 }));
    const deadline = Date.now() + 30_000;
    while (record?.status !== 'running' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    outgoing.destroy();
    while (record?.status === 'running' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(record?.status).toBe('cancelled');
    expect(record?.progress.step).toBeLessThan(150);
  });

  it('lists the checkpoints as sd-models, and the samplers and schedule types by their web UI names', async () => {
    const models = (await call('GET', '/sdapi/v1/sd-models')).json as Array<Record<string, unknown>>;
    expect(models).toHaveLength(6);
    const final = models.find((m) => m['model_name'] === 'final') as Record<string, string>;
    expect(final).toEqual({ title: `final [${final['hash']}]`, model_name: 'final', hash: expect.stringMatching(/^[0-9a-f]{10}$/), sha256: expect.stringMatching(/^[0-9a-f]{64}$/), filename: 'final', config: null });
    expect(final['sha256']?.startsWith(final['hash'] as string)).toBe(true);

    const samplers = (await call('GET', '/sdapi/v1/samplers')).json as Array<{ name: string; aliases: string[]; options: Record<string, string> }>;
    const names = samplers.map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['Euler a', 'Euler', 'DPM++ 2M', 'DPM++ 2M Karras', 'DDIM', 'PLMS', 'Heun', 'UniPC']));
    expect(samplers.find((s) => s.name === 'DPM++ 2M Karras')).toEqual({ name: 'DPM++ 2M Karras', aliases: ['dpm++2m-karras'], options: { scheduler: 'karras' } });
    expect((await call('GET', '/sdapi/v1/schedulers')).json).toEqual([
      expect.objectContaining({ name: 'automatic', label: 'Automatic' }),
      expect.objectContaining({ name: 'karras', label: 'Karras' }),
    ]);
  });

  it("keeps options per key: one key's checkpoint (set by title, as clients do) is its own, and its requests use it", async () => {
    const before = (await call('GET', '/sdapi/v1/options', undefined, OTHER_KEY)).json as Record<string, string>;
    expect(before['sd_model_checkpoint']).toMatch(/^final \[[0-9a-f]{10}\]$/);
    const models = (await call('GET', '/sdapi/v1/sd-models')).json as Array<{ title: string; model_name: string }>;
    const title = models.find((m) => m.model_name === 'checkpoint-20000')?.title as string;
    const set = await call('POST', '/sdapi/v1/options', { sd_model_checkpoint: title, CLIP_stop_at_last_layers: 1, samples_format: 'png' });
    expect([set.status, set.text]).toEqual([200, 'null']);
    expect(((await call('GET', '/sdapi/v1/options')).json as Record<string, string>)['sd_model_checkpoint']).toBe(title);
    expect(((await call('GET', '/sdapi/v1/options', undefined, OTHER_KEY)).json as Record<string, string>)['sd_model_checkpoint']).toBe(before['sd_model_checkpoint']);
    const info = JSON.parse((await txt2img({ prompt: 'x', steps: 1, width: 64, height: 64 })).info) as Info;
    expect(info.sd_model_name).toBe('checkpoint-20000');
    // override_settings still wins for one request.
    expect((JSON.parse((await txt2img({ prompt: 'x', steps: 1, width: 64, height: 64, override_settings: { sd_model_checkpoint: 'final' } })).info) as Info).sd_model_name).toBe('final');
    // The emphasis option applies to this key's requests too, and shows in the infotext as the web UI writes it.
    expect((await call('POST', '/sdapi/v1/options', { emphasis: 'No norm' })).status).toBe(200);
    expect(((await call('GET', '/sdapi/v1/options')).json as Record<string, string>)['emphasis']).toBe('No norm');
    expect((JSON.parse((await txt2img({ prompt: '(red:1.3) dress', steps: 1, width: 64, height: 64 })).info) as Info).infotexts[0]).toContain('Emphasis: No norm');
    expect((JSON.parse((await txt2img({ prompt: '(red:1.3) dress', steps: 1, width: 64, height: 64 }, OTHER_KEY)).info) as Info).infotexts[0]).not.toContain('Emphasis');
    await call('POST', '/sdapi/v1/options', { emphasis: 'Original' });
    const unknown = await call('POST', '/sdapi/v1/options', { sd_model_checkpoint: 'sd_xl_base_1.0.safetensors' });
    expect([unknown.status, (unknown.json as { detail: string }).detail]).toEqual([404, expect.stringMatching(/^sd_model_checkpoint: "sd_xl_base_1.0.safetensors" does not exist; known: baseline, /)]);
    await call('POST', '/sdapi/v1/options', { sd_model_checkpoint: 'final' });
  });

  it("reports the key's running generation in progress, and interrupt cancels it", async () => {
    const idle = (await call('GET', '/sdapi/v1/progress', undefined, OTHER_KEY)).json as { state: { job_count: number } };
    expect(idle).toMatchObject({ progress: 0, eta_relative: 0, state: { job_count: 0, sampling_step: 0 }, current_image: null });
    const running = call('POST', '/sdapi/v1/txt2img', { prompt: 'x', steps: 150, width: 512, height: 512, seed: 1 }, OTHER_KEY);
    let progress: { progress: number; state: { job_count: number; sampling_step: number; sampling_steps: number } } | undefined;
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      progress = (await call('GET', '/sdapi/v1/progress', undefined, OTHER_KEY)).json as typeof progress;
      if ((progress?.state.sampling_step ?? 0) > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(progress?.state).toMatchObject({ job_count: 1, sampling_steps: 150 });
    expect(progress?.state.sampling_step).toBeGreaterThan(0);
    expect(progress?.progress).toBeCloseTo((progress?.state.sampling_step ?? 0) / 150, 10);
    // Another key sees nothing of it, and cannot interrupt it.
    expect(((await call('GET', '/sdapi/v1/progress')).json as { state: { job_count: number } }).state.job_count).toBe(0);
    expect((await call('POST', '/sdapi/v1/interrupt', undefined, OTHER_KEY)).json).toEqual({});
    const ended = await running;
    expect(ended.status).toBeGreaterThanOrEqual(400);
    expect(ended.json).toMatchObject({ error: 'CANCELLED', detail: expect.any(String) });
    expect(((await call('GET', '/sdapi/v1/progress', undefined, OTHER_KEY)).json as { state: { job_count: number; interrupted: boolean } }).state).toMatchObject({ job_count: 0, interrupted: true });
  });

  it('takes the key as a Basic password (A1111 --api-auth clients) and refuses no key with 401 asking for Basic', async () => {
    const basic = `Basic ${Buffer.from(`webui:${KEY}`).toString('base64')}`;
    expect((await call('GET', '/sdapi/v1/sd-models', undefined, null, { authorization: basic })).status).toBe(200);
    const none = await call('GET', '/sdapi/v1/options', undefined, null);
    expect([none.status, none.json]).toEqual([401, { error: 'UNAUTHENTICATED', detail: expect.stringMatching(/^authorization: an API key is required/), body: '', errors: expect.any(String) }]);
    expect(none.headers['www-authenticate']).toMatch(/^Basic/);
    const wrong = await call('GET', '/sdapi/v1/options', undefined, null, { authorization: `Basic ${Buffer.from('webui:afd_wrong').toString('base64')}` });
    expect(wrong.status).toBe(401);
  });

  it("counts against the key's rate limit like native calls: 429 with Retry-After, shared with /v1/generations", async () => {
    await txt2img({ prompt: 'x', steps: 1, width: 64, height: 64 }, TIGHT_KEY);
    const limited = await call('POST', '/sdapi/v1/txt2img', { prompt: 'x', steps: 1, width: 64, height: 64 }, TIGHT_KEY);
    expect([limited.status, (limited.json as { error: string }).error]).toEqual([429, 'RESOURCE_EXHAUSTED']);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    const native = await call('POST', '/v1/generations', { prompt: 'x' }, TIGHT_KEY);
    expect(native.status).toBe(429);
  });

  it('counts in the metrics as native calls do: images, invalid requests, requests by route', async () => {
    const scrape = async (): Promise<string> => (await sendRaw(port, { method: 'GET', path: '/metrics' })).text;
    const value = (text: string, series: RegExp): number => Number(series.exec(text)?.[1] ?? 0);
    const INVALID = /afd_generation_failures_total\{reason="invalid"\} (\d+)/;
    const IMAGES = /afd_images_generated_total\{checkpoint="final"\} (\d+)/;
    const before = await scrape();
    await txt2img({ prompt: 'x', steps: 1, width: 64, height: 64, batch_size: 2 });
    expect((await call('POST', '/sdapi/v1/txt2img', { prompt: 'x', restore_faces: true })).status).toBe(422);
    expect((await call('POST', '/sdapi/v1/txt2img', { prompt: 'x', width: 65 })).status).toBe(422);
    const after = await scrape();
    expect(value(after, IMAGES) - value(before, IMAGES)).toBe(2);
    expect(value(after, INVALID) - value(before, INVALID)).toBe(2);
    expect(after).toMatch(/afd_request_duration_seconds_count\{[^}]*route="POST \/sdapi\/v1\/txt2img"[^}]*status="200"[^}]*\} [1-9]/);
  });
});

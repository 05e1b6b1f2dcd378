/**
 * The OpenAI-compatible routes' hostile cases (REST only: the API exists for OpenAI's SDKs). Every
 * case must be answered in OpenAI's error shape with the status its SDKs map to a class, the `param`
 * a client would fix and OpenAI's `code`; never a 5xx. Run open and with API keys by
 * test/openai-bad-input.e2e-spec.ts.
 */
import { INIT_IMAGES, solidPng } from './init-image-cases';
import { gzip, json } from './rest-case';

export interface OpenAiCase {
  readonly name: string;
  readonly method: string;
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Buffer;
  readonly status: number;
  readonly type: 'invalid_request_error';
  /** `error.param`: the OpenAI field at fault, or null. */
  readonly param: string | null;
  readonly code: string;
  readonly message: RegExp;
  /** Answered before the key is checked (the body parser, an unknown path): the same answer without a key. */
  readonly beforeAuth?: boolean;
}

const GENERATIONS = '/v1/images/generations';
const JSON_TYPE = { 'content-type': 'application/json' };
/** A small valid request: every case changes one thing about it. */
export const VALID_OPENAI_GENERATION = { prompt: 'red kente dress', size: '64x64', steps: 1, seed: 1 } as const;

function bad(name: string, patch: Record<string, unknown>, param: string | null, message: RegExp, code = 'invalid_value'): OpenAiCase {
  return { name, method: 'POST', path: GENERATIONS, headers: JSON_TYPE, body: json({ ...VALID_OPENAI_GENERATION, ...patch }), status: 400, type: 'invalid_request_error', param, code, message };
}

function raw(name: string, body: string | Buffer, headers: Record<string, string>, status: number, param: string | null, code: string, message: RegExp): OpenAiCase {
  return { name, method: 'POST', path: GENERATIONS, headers, body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body, status, type: 'invalid_request_error', param, code, message };
}

function route(name: string, method: string, path: string, status: number, param: string | null, code: string, message: RegExp): OpenAiCase {
  return { name, method, path, status, type: 'invalid_request_error', param, code, message };
}

const NOT_JSON = /^body: /;
const SIZE_SHAPE = /^size: must be WIDTHxHEIGHT \(for example 512x512\) or auto, got /;
const NO_MODEL = /^model ".*" does not exist; known: baseline, /;

const bodyCases: OpenAiCase[] = [
  { ...raw('malformed JSON', '{"prompt":', JSON_TYPE, 400, null, 'invalid_value', NOT_JSON), beforeAuth: true },
  { ...raw('a JSON string', '"red kente dress"', JSON_TYPE, 400, null, 'invalid_value', NOT_JSON), beforeAuth: true },
  { ...raw('JSON null', 'null', JSON_TYPE, 400, null, 'invalid_value', NOT_JSON), beforeAuth: true },
  raw('a JSON array', '[{"prompt":"red"}]', JSON_TYPE, 400, 'body', 'invalid_type', /^body: must be a JSON object/),
  raw('an empty body', '', JSON_TYPE, 400, 'prompt', 'missing_required_parameter', /^prompt: is required/),
  raw('text/plain', JSON.stringify(VALID_OPENAI_GENERATION), { 'content-type': 'text/plain' }, 400, 'body', 'invalid_type', /^body: must be a JSON object/),
  raw('multipart form data', '--x\r\nContent-Disposition: form-data; name="prompt"\r\n\r\nred\r\n--x--\r\n', { 'content-type': 'multipart/form-data; boundary=x' }, 400, 'body', 'invalid_type', /^body: must be a JSON object/),
  { ...raw('invalid UTF-8', Buffer.concat([Buffer.from('{"prompt":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]), JSON_TYPE, 400, null, 'invalid_value', /^body: is not valid UTF-8/), beforeAuth: true },
  { ...raw('gzip that is not gzip', '{"prompt":"red"}', { ...JSON_TYPE, 'content-encoding': 'gzip' }, 400, null, 'invalid_value', NOT_JSON), beforeAuth: true },
  { ...raw('a gzip bomb-sized body over the limit', gzip(JSON.stringify({ prompt: 'x'.repeat(100_000) })), { ...JSON_TYPE, 'content-encoding': 'gzip' }, 413, null, 'request_too_large', /^body: is larger than the server accepts/), beforeAuth: true },
  { ...raw('a body over AFD_BODY_LIMIT_KB', JSON.stringify({ prompt: 'x'.repeat(20_000) }), JSON_TYPE, 413, null, 'request_too_large', /^body: is larger than the server accepts/), beforeAuth: true },
  raw('a __proto__ member', `${JSON.stringify(VALID_OPENAI_GENERATION).slice(0, -1)},"__proto__":{"n":9}}`, JSON_TYPE, 400, '__proto__', 'unknown_parameter', /^__proto__: is not a field of this images API/),
  raw('1e999 as n', `${JSON.stringify(VALID_OPENAI_GENERATION).slice(0, -1)},"n":1e999}`, JSON_TYPE, 400, 'n', 'invalid_value', /^n: /),
];

const fieldCases: OpenAiCase[] = [
  bad('no prompt', { prompt: undefined }, 'prompt', /^prompt: is required$/, 'missing_required_parameter'),
  bad('a null prompt', { prompt: null }, 'prompt', /^prompt: is required$/, 'missing_required_parameter'),
  bad('a number as prompt', { prompt: 42 }, 'prompt', /^prompt: must be a string, got 42/),
  bad('an array as prompt', { prompt: ['red'] }, 'prompt', /^prompt: must be a string, got an array/),
  bad('a prompt over 4000 characters', { prompt: 'x'.repeat(4001) }, 'prompt', /^prompt: must be at most 4000 characters, got 4001/),
  bad('a control character in the prompt', { prompt: 'red\u0000dress' }, 'prompt', /^prompt: must not contain control characters/),
  bad('an unknown field', { colour: 'red' }, 'colour', /^colour: is not a field of this images API \(known: prompt, model, /, 'unknown_parameter'),
  bad('a native field name', { numImages: 2 }, 'numImages', /^numImages: is not a field of this images API/, 'unknown_parameter'),
  bad('a constructor member', { constructor: 'x' }, 'constructor', /^constructor: is not a field/, 'unknown_parameter'),
  bad('a number as model', { model: 7 }, 'model', /^model: must be a checkpoint id string/),
  bad('n of 0', { n: 0 }, 'n', /^n: must be .*1.*, got 0/),
  bad('n over the limit', { n: 9 }, 'n', /^n: .*8.*, got 9/),
  bad('a fractional n', { n: 1.5 }, 'n', /^n: must be an integer, got 1.5/),
  bad('n as a string', { n: '2' }, 'n', /^n: must be a finite number, got "2"/),
  bad('an empty size', { size: '' }, 'size', SIZE_SHAPE),
  bad('a size without a height', { size: '64x' }, 'size', SIZE_SHAPE),
  bad('a size with an upper-case X', { size: '64X64' }, 'size', SIZE_SHAPE),
  bad('a size with spaces', { size: '64 x 64' }, 'size', SIZE_SHAPE),
  bad('a negative size', { size: '-64x64' }, 'size', SIZE_SHAPE),
  bad('a size in full-width digits', { size: '６４x64' }, 'size', SIZE_SHAPE),
  bad('a three-part size', { size: '64x64x64' }, 'size', SIZE_SHAPE),
  bad('a six-digit side', { size: '100000x64' }, 'size', SIZE_SHAPE),
  bad('a number as size', { size: 512 }, 'size', /^size: must be WIDTHxHEIGHT .*, got 512$/),
  bad('a size of 0x0', { size: '0x0' }, 'size', /^size: width must be between 64 and 1024, got 0/),
  bad('a width not a multiple of 8', { size: '100x64' }, 'size', /^size: width must be a multiple of 8/),
  bad('a height past the limit', { size: '64x2048' }, 'size', /^size: height must be between 64 and 1024, got 2048/),
  bad('an upper-case response_format', { response_format: 'URL' }, 'response_format', /^response_format: must be one of url, b64_json, got "URL"$/),
  bad('a number as response_format', { response_format: 1 }, 'response_format', /^response_format: must be one of url, b64_json, got 1$/),
  bad('gif output', { output_format: 'gif' }, 'output_format', /^output_format: gif cannot be produced here/),
  bad('svg output', { output_format: 'svg' }, 'output_format', /^output_format: svg cannot be produced here/),
  bad('an upper-case output_format', { output_format: 'PNG' }, 'output_format', /^output_format: must be one of png, jpeg, webp, got "PNG"$/),
  bad('a negative output_compression', { output_compression: -1 }, 'output_compression', /^output_compression: must be an integer from 0 to 100, got -1$/),
  bad('a fractional output_compression', { output_compression: 50.5 }, 'output_compression', /^output_compression: must be an integer from 0 to 100, got 50.5$/),
  bad('output_compression as a string', { output_compression: '50' }, 'output_compression', /^output_compression: must be an integer from 0 to 100, got "50"$/),
  bad('a transparent background', { background: 'transparent' }, 'background', /^background: transparent cannot be honoured/),
  bad('an unknown background', { background: 'none' }, 'background', /^background: must be one of opaque, auto, got "none"$/),
  bad('stream: true', { stream: true }, 'stream', /^stream: streamed answers are not supported/),
  bad('stream as a string', { stream: 'false' }, 'stream', /^stream: streamed answers are not supported.*, got "false"$/),
  bad('too many partial_images', { partial_images: 4 }, 'partial_images', /^partial_images: must be an integer from 0 to 3, got 4$/),
  bad('an unknown quality', { quality: 'ultra' }, 'quality', /^quality: must be one of low, medium, high, xhigh, max, auto, standard, hd, got "ultra"$/),
  bad('an unknown style', { style: 'bold' }, 'style', /^style: must be one of vivid, natural, got "bold"$/),
  bad('an unknown moderation', { moderation: 'off' }, 'moderation', /^moderation: must be one of low, auto, got "off"$/),
  bad('an unknown complexity', { complexity: 'extreme' }, 'complexity', /^complexity: must be one of low, medium, high, got "extreme"$/),
  bad('a number as user', { user: 42 }, 'user', /^user: must be a string, got 42$/, 'invalid_type'),
  bad('a user over 256 characters', { user: 'u'.repeat(300) }, 'user', /^user: must be at most 256 characters, got 300$/),
  bad('an array as safety_identifier', { safety_identifier: ['a'] }, 'safety_identifier', /^safety_identifier: must be a string, got an array$/, 'invalid_type'),
  bad('frame_count (GIF only)', { frame_count: 4 }, 'frame_count', /^frame_count: is for GIF output/),
  bad('frame_duration_ms (GIF only)', { frame_duration_ms: 100 }, 'frame_duration_ms', /^frame_duration_ms: is for GIF output/),
  bad('svg settings (SVG only)', { svg: { model: 'x' } }, 'svg', /^svg: is for SVG output/),
  { ...bad('an Idempotency-Key over 255 characters', {}, 'Idempotency-Key', /^Idempotency-Key: must be 1 to 255 visible ASCII characters/), headers: { ...JSON_TYPE, 'idempotency-key': 'k'.repeat(256) } },
  { ...bad('an Idempotency-Key with a space', {}, 'Idempotency-Key', /^Idempotency-Key: must be 1 to 255 visible ASCII characters/), headers: { ...JSON_TYPE, 'idempotency-key': 'a b' } },
  bad('a negative seed', { seed: -1 }, 'seed', /^seed: /),
  bad('a seed past 2^64 - 1', { seed: '18446744073709551616' }, 'seed', /^seed: /),
  bad('a fractional seed', { seed: 1.5 }, 'seed', /^seed: /),
  bad('steps of 0', { steps: 0 }, 'steps', /^steps: must be between 1 and 150, got 0$/),
  bad('steps over the limit', { steps: 151 }, 'steps', /^steps: must be between 1 and 150, got 151$/),
  // heun became a sampler with issue 18; DPM adaptive is one AUTOMATIC1111 has and this server does not.
  bad('an unknown scheduler', { scheduler: 'DPM adaptive' }, 'scheduler', /^scheduler: must be one of /),
  bad('a number as negative_prompt', { negative_prompt: 42 }, 'negative_prompt', /^negative_prompt: must be a string, got 42/),
  bad('a negative guidance_scale', { guidance_scale: -1 }, 'guidance_scale', /^guidance_scale: must be between 0 and /),
  bad('guidance_scale as a string', { guidance_scale: 'high' }, 'guidance_scale', /^guidance_scale: must be a finite number, got "high"/),
];

const modelCases: OpenAiCase[] = [
  { ...bad('an unknown model', { model: 'dall-e-3' }, 'model', NO_MODEL), status: 404, code: 'model_not_found' },
  { ...bad('a path-trick model', { model: '../final' }, 'model', NO_MODEL), status: 404, code: 'model_not_found' },
  { ...bad('an empty model', { model: '' }, 'model', /^model "" does not exist/), status: 404, code: 'model_not_found' },
  { ...bad('a 10,000-character model', { model: 'm'.repeat(10_000) }, 'model', /^model "m+"… \(10000 characters\) does not exist/), status: 404, code: 'model_not_found' },
  route('GET /v1/models/{id}: unknown', 'GET', '/v1/models/nope', 404, 'model', 'model_not_found', /^model "nope" does not exist; known: /),
  route('GET /v1/models/{id}: another case', 'GET', '/v1/models/FINAL', 404, 'model', 'model_not_found', /^model "FINAL" does not exist/),
  route('GET /v1/models/{id}: a path trick', 'GET', '/v1/models/..%2Ffinal', 404, 'model', 'model_not_found', /^model "..\/final" does not exist/),
  route('GET /v1/models/{id}: a NUL byte', 'GET', '/v1/models/%00', 404, 'model', 'model_not_found', /^model "\\u0000" does not exist/),
  route('GET /v1/models/{id}: a 10,000-character id', 'GET', `/v1/models/${'a'.repeat(10_000)}`, 404, 'model', 'model_not_found', /^model "a+"… \(10000 characters\) does not exist/),
  { ...route('GET /v1/models/{id}: broken percent-encoding', 'GET', '/v1/models/%E0%A4%A', 400, null, 'invalid_value', /^path: is not valid percent-encoding/), beforeAuth: true },
];

const VARIATIONS = '/v1/images/variations';
/** A small valid variation's text parts: every variation case changes one thing about it. */
export const VALID_OPENAI_VARIATION = { size: '64x64', steps: '2', seed: '1' } as const;
/** The PNG every variation case sends unless it says otherwise. */
export const VARIATION_PNG = solidPng(16, 16);

/** A multipart/form-data body as OpenAI's SDKs send it: one text part per field, then the file parts (name → bytes). */
export function openAiForm(fields: Readonly<Record<string, string | readonly string[]>>, files: ReadonlyArray<readonly [string, Buffer]>): { body: Buffer; headers: Record<string, string> } {
  const boundary = 'afd-openai-variation-corpus';
  const parts: Buffer[] = [];
  for (const [name, values] of Object.entries(fields)) {
    for (const value of typeof values === 'string' ? [values] : values) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  for (const [name, bytes] of files) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${name}.png"\r\nContent-Type: image/png\r\n\r\n`), bytes, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

/** A variation changed in its text parts (a value of undefined drops the part) or its files. */
function variation(name: string, patch: Record<string, string | readonly string[] | undefined>, files: ReadonlyArray<readonly [string, Buffer]>, status: number, param: string | null, message: RegExp, code = 'invalid_value'): OpenAiCase {
  const merged: Record<string, string | readonly string[] | undefined> = { ...VALID_OPENAI_VARIATION, ...patch };
  const fields = Object.fromEntries(Object.entries(merged).filter((entry): entry is [string, string | readonly string[]] => entry[1] !== undefined));
  const { body, headers } = openAiForm(fields, files);
  return { name: `variation: ${name}`, method: 'POST', path: VARIATIONS, headers, body, status, type: 'invalid_request_error', param, code, message };
}

const withImage = [['image', VARIATION_PNG]] as const;
const variationCases: OpenAiCase[] = [
  variation('no image part', {}, [], 400, 'image', /^image: is required: the picture to vary/, 'missing_required_parameter'),
  variation('the image as a text part', { image: 'iVBORw0KGgo=' }, [], 400, 'image', /^image: must be a file part/, 'invalid_type'),
  variation('a text file as image', {}, [['image', INIT_IMAGES.text]], 400, 'image', /^image: must be a PNG, JPEG or WebP image, got unrecognised data/),
  variation('a GIF', {}, [['image', INIT_IMAGES.gif]], 400, 'image', /^image: must be a PNG, JPEG or WebP image, got GIF/),
  variation('an SVG', {}, [['image', INIT_IMAGES.svg]], 400, 'image', /^image: must be a PNG, JPEG or WebP image, got SVG/),
  variation('a PNG header claiming 20000 × 20000 pixels', {}, [['image', INIT_IMAGES.bomb]], 413, 'image', /^image: must have at most 16,777,216 pixels/, 'request_too_large'),
  variation('a file over 8 MiB', {}, [['image', Buffer.concat([VARIATION_PNG, Buffer.alloc(8 * 1024 * 1024)])]], 413, 'image', /^image: must be at most 8 MiB/, 'request_too_large'),
  variation('two images', {}, [...withImage, ...withImage], 400, 'image', /^image: give at most one file/),
  variation('a file under another name', {}, [['mask', VARIATION_PNG]], 400, null, /^mask: is not a file part of a variation \(the one file part is image\)/),
  variation('a second file under another name', {}, [...withImage, ['mask', VARIATION_PNG]], 400, 'image', /^image: give at most one file/),
  variation('an unknown field', { colour: 'red' }, withImage, 400, 'colour', /^colour: is not a field of image variations \(known: image, model, /, 'unknown_parameter'),
  variation('a generations-only field', { output_format: 'webp' }, withImage, 400, 'output_format', /^output_format: is not a field of image variations/, 'unknown_parameter'),
  variation('n twice', { n: ['1', '2'] }, withImage, 400, 'n', /^n: must be given once, as a plain text part/, 'invalid_type'),
  variation('a bracketed field name', { 'seed[x]': '1' }, withImage, 400, 'seed', /^seed: must be given once/, 'invalid_type'),
  variation('n as a word', { n: 'two' }, withImage, 400, 'n', /^n: must be a finite number, got "two"/),
  variation('n over the limit', { n: '9' }, withImage, 400, 'n', /^n: .*8.*, got 9/),
  variation('a fractional n', { n: '1.5' }, withImage, 400, 'n', /^n: must be an integer, got 1.5/),
  variation('a size that is not WxH', { size: 'large' }, withImage, 400, 'size', SIZE_SHAPE),
  variation('a width not a multiple of 8', { size: '100x64' }, withImage, 400, 'size', /^size: width must be a multiple of 8/),
  variation('an unknown response_format', { response_format: 'jpeg' }, withImage, 400, 'response_format', /^response_format: must be one of url, b64_json, got "jpeg"$/),
  variation('a user over 256 characters', { user: 'u'.repeat(300) }, withImage, 400, 'user', /^user: must be at most 256 characters, got 300$/),
  variation('strength 0', { strength: '0' }, withImage, 400, 'strength', /^strength: must be greater than 0 and at most 1, got 0/),
  variation('strength 1.5', { strength: '1.5' }, withImage, 400, 'strength', /^strength: must be between 0 and 1, got 1\.5/),
  variation('strength NaN', { strength: 'NaN' }, withImage, 400, 'strength', /^strength: must be a finite number, got "NaN"/),
  variation('strength × steps under one step (the default 0.6 × 1)', { steps: '1' }, withImage, 400, 'strength', /^strength: times steps must be at least 1/),
  variation('steps of 0', { steps: '0' }, withImage, 400, 'steps', /^steps: must be between 1 and 150, got 0$/),
  variation('a seed past 2^64 - 1', { seed: '18446744073709551616' }, withImage, 400, 'seed', /^seed: /),
  variation('an unknown scheduler', { scheduler: 'dpm-nope' }, withImage, 400, 'scheduler', /^scheduler: must be one of /),
  variation('a control character in the prompt', { prompt: 'red\u0001dress' }, withImage, 400, 'prompt', /^prompt: must not contain control characters/),
  { ...variation('an unknown model', { model: 'dall-e-2' }, withImage, 404, 'model', NO_MODEL), code: 'model_not_found' },
  { ...raw('variation: a JSON body', '{"image":"iVBORw0KGgo="}', JSON_TYPE, 400, 'body', 'invalid_type', /^body: must be multipart\/form-data with the picture as the image file part/), path: VARIATIONS },
  { ...raw('variation: a cut-off multipart body', '--x\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\n\r\nabc', { 'content-type': 'multipart/form-data; boundary=x' }, 400, null, 'invalid_value', /^body: is not a valid multipart\/form-data body/), path: VARIATIONS },
];

const routeCases: OpenAiCase[] = ([
  route('an images route this server lacks', 'POST', '/v1/images/edits', 404, null, 'not_found', /^Cannot POST \/v1\/images\/edits/),
  route('GET on generations', 'GET', GENERATIONS, 404, null, 'not_found', /^Cannot GET/),
  route('DELETE on a model', 'DELETE', '/v1/models/final', 404, null, 'not_found', /^Cannot DELETE/),
  route('PUT on the models', 'PUT', '/v1/models', 404, null, 'not_found', /^Cannot PUT/),
] as OpenAiCase[]).map((c) => ({ ...c, beforeAuth: true }));

export const OPENAI_CASES: readonly OpenAiCase[] = [...bodyCases, ...fieldCases, ...modelCases, ...variationCases, ...routeCases];

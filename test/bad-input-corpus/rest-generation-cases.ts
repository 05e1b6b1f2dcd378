/** POST /v1/generations: every field wrong in every way, and bodies that are not what they claim. */
import { bytes, generation, gzip, rawGeneration, VALID_GENERATION, type RestCase } from './rest-case';

const BAD = 'INVALID_ARGUMENT';
const JSON_TYPE = { 'content-type': 'application/json' };
const BETWEEN = /must be between/;
const FINITE = /must be a finite number/;
const SEED_NUMBER = /must be an integer from 0 to 9007199254740991 when given as a number/;
const SEED_STRING = /must be a plain decimal integer from 0 to 18446744073709551615/;

function nested(depth: number): string {
  return `${'['.repeat(depth)}${']'.repeat(depth)}`;
}

const fieldCases: RestCase[] = [
  // prompt
  generation('prompt missing', { prompt: undefined }, 400, BAD, 'prompt', /^prompt: is required/),
  generation('prompt null', { prompt: null }, 400, BAD, 'prompt', /^prompt: is required/),
  generation('prompt a number', { prompt: 42 }, 400, BAD, 'prompt', /must be a string, got 42/),
  generation('prompt a boolean', { prompt: true }, 400, BAD, 'prompt', /must be a string, got true/),
  generation('prompt an array', { prompt: ['red'] }, 400, BAD, 'prompt', /must be a string, got an array/),
  generation('prompt an object', { prompt: { text: 'red' } }, 400, BAD, 'prompt', /must be a string, got an object/),
  generation('prompt of 4001 characters', { prompt: 'x'.repeat(4001) }, 400, BAD, 'prompt', /at most 4000 characters, got 4001/),
  generation('prompt weight over 100', { prompt: 'a (kente:101) dress' }, 400, BAD, 'prompt', /^prompt: attention weights must be between -100 and 100, got 101 for "kente"/),
  generation('prompt weight under -100', { prompt: '(kente:-250.5)' }, 400, BAD, 'prompt', /must be between -100 and 100, got -250.5/),
  generation('prompt weight of 400 digits (Infinity)', { prompt: `(kente:${'9'.repeat(400)})` }, 400, BAD, 'prompt', /must be between -100 and 100, got Infinity/),
  generation('prompt nested 60 brackets deep (1.1^60)', { prompt: `${'('.repeat(60)}kente` }, 400, BAD, 'prompt', /must be between -100 and 100, got 304\.4/),
  generation('prompt weight Infinity times 0 (NaN)', { prompt: `((kente:0):${'9'.repeat(400)})` }, 400, BAD, 'prompt', /got NaN/),
  // negativePrompt
  generation('negativePrompt a number', { negativePrompt: 42 }, 400, BAD, 'negativePrompt', /must be a string/),
  generation('negativePrompt an array', { negativePrompt: [] }, 400, BAD, 'negativePrompt', /must be a string, got an array/),
  generation('negativePrompt a boolean', { negativePrompt: false }, 400, BAD, 'negativePrompt', /must be a string, got false/),
  generation('negativePrompt of 4001 characters', { negativePrompt: 'x'.repeat(4001) }, 400, BAD, 'negativePrompt', /at most 4000 characters/),
  generation('negativePrompt weight over 100', { negativePrompt: '(blurry:1000)' }, 400, BAD, 'negativePrompt', /^negativePrompt: attention weights must be between -100 and 100, got 1000/),
  // checkpoint
  generation('checkpoint unknown', { checkpoint: 'nope' }, 404, 'NOT_FOUND', 'checkpoint', /^checkpoint "nope" does not exist; known: baseline/),
  generation('checkpoint empty', { checkpoint: '' }, 404, 'NOT_FOUND', 'checkpoint', /^checkpoint "" does not exist/),
  generation('checkpoint a path', { checkpoint: '../final' }, 404, 'NOT_FOUND', 'checkpoint', /^checkpoint "..\/final" does not exist/),
  generation('checkpoint in another case', { checkpoint: 'FINAL' }, 404, 'NOT_FOUND', 'checkpoint'),
  generation('checkpoint with a NUL byte', { checkpoint: 'final\u0000' }, 404, 'NOT_FOUND', 'checkpoint'),
  generation('checkpoint a number', { checkpoint: 42 }, 400, BAD, 'checkpoint', /must be a checkpoint id string/),
  generation('checkpoint an array', { checkpoint: ['final'] }, 400, BAD, 'checkpoint', /must be a checkpoint id string/),
  generation('checkpoint an object', { checkpoint: { id: 'final' } }, 400, BAD, 'checkpoint', /must be a checkpoint id string/),
  // seed
  generation('seed -1', { seed: -1 }, 400, BAD, 'seed', SEED_NUMBER),
  generation('seed "abc"', { seed: 'abc' }, 400, BAD, 'seed', SEED_STRING),
  generation('seed "1e3"', { seed: '1e3' }, 400, BAD, 'seed', SEED_STRING),
  generation('seed "-1"', { seed: '-1' }, 400, BAD, 'seed', SEED_STRING),
  generation('seed " 1"', { seed: ' 1' }, 400, BAD, 'seed', SEED_STRING),
  generation('seed "01"', { seed: '01' }, 400, BAD, 'seed', SEED_STRING),
  generation('seed "0x10"', { seed: '0x10' }, 400, BAD, 'seed', SEED_STRING),
  generation('seed ""', { seed: '' }, 400, BAD, 'seed', SEED_STRING),
  generation('seed 2^64 as a number', { seed: 2 ** 64 }, 400, BAD, 'seed', SEED_NUMBER),
  generation('seed "18446744073709551616" (2^64)', { seed: '18446744073709551616' }, 400, BAD, 'seed', /must be at most 2\^64 - 1/),
  generation('seed 1.5', { seed: 1.5 }, 400, BAD, 'seed', SEED_NUMBER),
  generation('seed 1e308', { seed: 1e308 }, 400, BAD, 'seed', SEED_NUMBER),
  generation('seed a boolean', { seed: true }, 400, BAD, 'seed', /must be a number or a decimal string; got boolean/),
  generation('seed an array', { seed: [1] }, 400, BAD, 'seed', /got an array/),
  generation('seed an object', { seed: {} }, 400, BAD, 'seed', /got object/),
  rawGeneration('seed 2^53 + 1 (not exact as a JSON number)', '"seed":9007199254740993', 400, BAD, 'seed', SEED_NUMBER),
  generation('seed over 32 bits with noiseMode numpy', { noiseMode: 'numpy', seed: 2 ** 32 }, 400, BAD, 'seed', /with noiseMode numpy, seed \+ numImages - 1 must be at most 4294967295/),
  // steps
  generation('steps 0', { steps: 0 }, 400, BAD, 'steps', /must be between 1 and 150, got 0/),
  generation('steps 151', { steps: 151 }, 400, BAD, 'steps', /must be between 1 and 150, got 151/),
  generation('steps 1.5', { steps: 1.5 }, 400, BAD, 'steps', /must be an integer, got 1.5/),
  generation('steps -1', { steps: -1 }, 400, BAD, 'steps', BETWEEN),
  generation('steps a string', { steps: '2' }, 400, BAD, 'steps', FINITE),
  generation('steps a boolean', { steps: true }, 400, BAD, 'steps', FINITE),
  generation('steps an array', { steps: [] }, 400, BAD, 'steps', /must be a finite number, got an array/),
  generation('steps 1e308', { steps: 1e308 }, 400, BAD, 'steps', BETWEEN),
  rawGeneration('steps 2^53 + 1', '"steps":9007199254740993', 400, BAD, 'steps', BETWEEN),
  // guidanceScale
  generation('guidanceScale -1', { guidanceScale: -1 }, 400, BAD, 'guidanceScale', /must be between 0 and 50, got -1/),
  generation('guidanceScale 51', { guidanceScale: 51 }, 400, BAD, 'guidanceScale', /must be between 0 and 50, got 51/),
  generation('guidanceScale a string', { guidanceScale: '7.5' }, 400, BAD, 'guidanceScale', FINITE),
  generation('guidanceScale an object', { guidanceScale: {} }, 400, BAD, 'guidanceScale', /got an object/),
  generation('guidanceScale -1e308', { guidanceScale: -1e308 }, 400, BAD, 'guidanceScale', BETWEEN),
  rawGeneration('guidanceScale 1e999 (Infinity once parsed)', '"guidanceScale":1e999', 400, BAD, 'guidanceScale', /must be a finite number, got Infinity/),
  // width and height
  generation('width 100 (not a multiple of 8)', { width: 100 }, 400, BAD, 'width', /^width: must be a multiple of 8/),
  generation('width 0', { width: 0 }, 400, BAD, 'width', /must be between 64 and 1024, got 0/),
  generation('width -64', { width: -64 }, 400, BAD, 'width', BETWEEN),
  generation('width 2000', { width: 2000 }, 400, BAD, 'width', BETWEEN),
  generation('width 1032 (a multiple of 8 over the maximum)', { width: 1032 }, 400, BAD, 'width', BETWEEN),
  generation('width 56 (a multiple of 8 under the minimum)', { width: 56 }, 400, BAD, 'width', BETWEEN),
  generation('width 64.5', { width: 64.5 }, 400, BAD, 'width', /must be an integer/),
  generation('width a string', { width: '64' }, 400, BAD, 'width', FINITE),
  generation('width an array', { width: [64] }, 400, BAD, 'width', FINITE),
  generation('width a boolean', { width: true }, 400, BAD, 'width', FINITE),
  generation('width 1e308', { width: 1e308 }, 400, BAD, 'width', BETWEEN),
  rawGeneration('width -0', '"width":-0', 400, BAD, 'width', /must be between 64 and 1024, got 0/),
  rawGeneration('width 1e400 (Infinity once parsed)', '"width":1e400', 400, BAD, 'width', /must be a finite number, got Infinity/),
  generation('height 130', { height: 130 }, 400, BAD, 'height', /^height: must be a multiple of 8/),
  generation('height 1025', { height: 1025 }, 400, BAD, 'height', BETWEEN),
  generation('height -8', { height: -8 }, 400, BAD, 'height', BETWEEN),
  generation('height a word', { height: 'tall' }, 400, BAD, 'height', FINITE),
  rawGeneration('height 2^53 + 1', '"height":9007199254740993', 400, BAD, 'height', BETWEEN),
  // scheduler, noiseMode, outputFormat
  generation('scheduler unknown', { scheduler: 'DPM fast' }, 400, BAD, 'scheduler', /must be one of pndm, ddim, euler, euler-a, dpm\+\+2m, lms, dpm\+\+2m-karras, .*got "DPM fast"/),
  generation('scheduler display name in the wrong case', { scheduler: 'euler A' }, 400, BAD, 'scheduler', /must be one of .*AUTOMATIC1111 sampler name.*got "euler A"/),
  generation('scheduler in capitals', { scheduler: 'EULER' }, 400, BAD, 'scheduler', /must be one of/),
  generation('scheduler empty', { scheduler: '' }, 400, BAD, 'scheduler', /must be one of/),
  generation('scheduler with a space', { scheduler: 'euler a' }, 400, BAD, 'scheduler', /must be one of/),
  generation('scheduler a number', { scheduler: 42 }, 400, BAD, 'scheduler', /must be one of .*got 42/),
  generation('scheduler an array', { scheduler: ['pndm'] }, 400, BAD, 'scheduler', /must be one of/),
  generation('noiseMode unknown', { noiseMode: 'jax' }, 400, BAD, 'noiseMode', /must be one of torch, numpy/),
  generation('noiseMode in capitals', { noiseMode: 'TORCH' }, 400, BAD, 'noiseMode', /must be one of torch, numpy/),
  generation('noiseMode a number', { noiseMode: 7 }, 400, BAD, 'noiseMode', /must be one of torch, numpy/),
  generation('emphasis unknown', { emphasis: 'a1111' }, 400, BAD, 'emphasis', /^emphasis: must be one of original, no-norm, got "a1111"/),
  generation('emphasis as A1111 displays it', { emphasis: 'No norm' }, 400, BAD, 'emphasis', /must be one of original, no-norm/),
  generation('emphasis in capitals', { emphasis: 'ORIGINAL' }, 400, BAD, 'emphasis', /must be one of original, no-norm/),
  generation('emphasis empty', { emphasis: '' }, 400, BAD, 'emphasis', /must be one of original, no-norm/),
  generation('emphasis a number', { emphasis: 1 }, 400, BAD, 'emphasis', /must be one of original, no-norm, got 1/),
  generation('emphasis an array', { emphasis: ['original'] }, 400, BAD, 'emphasis', /must be one of original, no-norm, got an array/),
  generation('outputFormat gif', { outputFormat: 'gif' }, 400, BAD, 'outputFormat', /must be one of png, jpeg, webp/),
  generation('outputFormat in capitals', { outputFormat: 'PNG' }, 400, BAD, 'outputFormat', /must be one of png, jpeg, webp/),
  generation('outputFormat empty', { outputFormat: '' }, 400, BAD, 'outputFormat', /must be one of png, jpeg, webp/),
  generation('outputFormat a number', { outputFormat: 42 }, 400, BAD, 'outputFormat', /must be one of png, jpeg, webp/),
  // numImages, eta, quality
  generation('numImages 0', { numImages: 0 }, 400, BAD, 'numImages', /must be between 1 and 8, got 0/),
  generation('numImages 9', { numImages: 9 }, 400, BAD, 'numImages', /must be between 1 and 8, got 9/),
  generation('numImages -1', { numImages: -1 }, 400, BAD, 'numImages', BETWEEN),
  generation('numImages 1.5', { numImages: 1.5 }, 400, BAD, 'numImages', /must be an integer/),
  generation('numImages a string', { numImages: '2' }, 400, BAD, 'numImages', FINITE),
  generation('numImages 1e308', { numImages: 1e308 }, 400, BAD, 'numImages', BETWEEN),
  generation('eta 2', { eta: 2 }, 400, BAD, 'eta', /must be between 0 and 1, got 2/),
  generation('eta -0.1', { eta: -0.1 }, 400, BAD, 'eta', BETWEEN),
  generation('eta a word', { eta: 'zero' }, 400, BAD, 'eta', FINITE),
  generation('eta an array', { eta: [] }, 400, BAD, 'eta', FINITE),
  generation('quality 0', { outputFormat: 'jpeg', quality: 0 }, 400, BAD, 'quality', /must be an integer from 1 to 100/),
  generation('quality 101', { outputFormat: 'jpeg', quality: 101 }, 400, BAD, 'quality', /must be an integer from 1 to 100/),
  generation('quality 50.5', { outputFormat: 'webp', quality: 50.5 }, 400, BAD, 'quality', /must be an integer from 1 to 100/),
  generation('quality a string', { outputFormat: 'jpeg', quality: '90' }, 400, BAD, 'quality', /must be an integer from 1 to 100/),
  generation('quality -1', { quality: -1 }, 400, BAD, 'quality', /must be an integer from 1 to 100/),
  generation('quality 1e308', { quality: 1e308 }, 400, BAD, 'quality', /must be an integer from 1 to 100/),
  // preview, previewInterval
  generation('preview a string', { preview: 'true' }, 400, BAD, 'preview', /^preview: must be true or false/),
  generation('preview 1', { preview: 1 }, 400, BAD, 'preview', /^preview: must be true or false/),
  generation('previewInterval 0', { preview: true, previewInterval: 0 }, 400, BAD, 'previewInterval', /must be an integer from 1 to the number of steps/),
  generation('previewInterval past the steps', { preview: true, steps: 4, previewInterval: 5 }, 400, BAD, 'previewInterval', /must be an integer from 1 to the number of steps \(4\)/),
  generation('previewInterval 2.5', { preview: true, previewInterval: 2.5 }, 400, BAD, 'previewInterval', /must be an integer/),
  generation('previewInterval without preview', { previewInterval: 1 }, 400, BAD, 'previewInterval', /is for previews: send it with preview: true/),
  // attributes instead of a prompt
  generation('attributes a string', { prompt: undefined, attributes: 'dress' }, 400, BAD, 'attributes', /must be an object/),
  generation('attributes an array', { prompt: undefined, attributes: [] }, 400, BAD, 'attributes', /must be an object, got an array/),
  generation('attributes with an unknown garment', { prompt: undefined, attributes: { garment: 'spacesuit' } }, 400, BAD, 'garment', /"spacesuit" is not a known garment/),
  generation('attributes with a number as garment', { prompt: undefined, attributes: { garment: 42 } }, 400, BAD, 'garment', /must be a string/),
  generation('attributes with an unknown attribute', { prompt: undefined, attributes: { hat: 'fedora' } }, 400, BAD, 'hat', /is not an attribute/),
  generation('attributes with nine fabrics', { prompt: undefined, attributes: { fabrics: ['kente', 'wax', 'bogolan', 'adire', 'lace', 'silk', 'cotton', 'linen', 'denim'] } }, 400, BAD, 'fabrics', /takes at most 8 values/),
  generation('attributes with a 101-character colour', { prompt: undefined, attributes: { colours: ['r'.repeat(101)] } }, 400, BAD, 'colours', /at most 100 characters/),
  generation('prompt and attributes both', { attributes: { garment: 'dress' } }, 400, BAD, 'attributes', /give either prompt or attributes, not both/),
  // fields that do not exist
  generation('an unknown field', { sneaky: 1 }, 400, BAD, 'sneaky', /is not a generation field/),
  generation('a snake_case field', { guidance_scale: 7 }, 400, BAD, 'guidance_scale', /is not a generation field/),
  generation('a field in the wrong case', { Prompt: 'x' }, 400, BAD, 'Prompt', /is not a generation field/),
  generation('a server-assigned field', { id: 'mine' }, 400, BAD, 'id', /is not a generation field/),
  generation('a "constructor" field', { constructor: 1 }, 400, BAD, 'constructor', /is not a generation field/),
  rawGeneration('a "__proto__" field', '"__proto__":{"admin":true}', 400, BAD, '__proto__', /is not a generation field/),
  rawGeneration('an unknown field 5000 arrays deep', `"deep":${nested(5000)}`, 400, BAD, 'deep', /is not a generation field/),
  rawGeneration('a duplicate key whose last value is wrong', '"prompt":42', 400, BAD, 'prompt', /must be a string, got 42/),
];

const INVALID_UTF8 = Buffer.concat([Buffer.from('{"prompt":"red '), Buffer.from([0xff, 0xfe]), Buffer.from(` dress","width":64,"height":64,"steps":1}`)]);
const NOT_JSON = /^body: is not valid JSON/;

const bodyCases: RestCase[] = [
  bytes('malformed JSON', '{bad', JSON_TYPE, 400, BAD, 'body', NOT_JSON),
  bytes('a trailing comma', '{"prompt":"red",}', JSON_TYPE, 400, BAD, 'body', NOT_JSON),
  bytes('NaN as a value', '{"prompt":"red","width":NaN}', JSON_TYPE, 400, BAD, 'body', NOT_JSON),
  bytes('NaN as the body', 'NaN', JSON_TYPE, 400, BAD, 'body', NOT_JSON),
  bytes('a JSON string', '"red kente dress"', JSON_TYPE, 400, BAD, 'body', NOT_JSON),
  bytes('a JSON number', '42', JSON_TYPE, 400, BAD, 'body', NOT_JSON),
  bytes('JSON null', 'null', JSON_TYPE, 400, BAD, 'body', NOT_JSON),
  bytes('a JSON array', '[{"prompt":"red"}]', JSON_TYPE, 400, BAD, 'body', /^body: must be a JSON object/),
  bytes('an empty JSON body', '', JSON_TYPE, 400, BAD, 'prompt', /^prompt: is required/),
  bytes('text/plain', JSON.stringify(VALID_GENERATION), { 'content-type': 'text/plain' }, 400, BAD, 'body', /^body: must be a JSON object/),
  bytes('a form body', 'prompt=red&width=64', { 'content-type': 'application/x-www-form-urlencoded' }, 400, BAD, 'body', /^body: must be a JSON object/),
  bytes('no content type', JSON.stringify(VALID_GENERATION), {}, 400, BAD, 'body', /^body: must be a JSON object/),
  bytes('a vendor JSON media type', JSON.stringify(VALID_GENERATION), { 'content-type': 'application/vnd.afd+json' }, 400, BAD, 'body', /^body: must be a JSON object/),
  bytes('Prefer: respond-async with a bad width', JSON.stringify({ ...VALID_GENERATION, width: 100 }), { ...JSON_TYPE, prefer: 'respond-async' }, 400, BAD, 'width', /multiple of 8/),
  bytes('Accept: image/png with a bad scheduler', JSON.stringify({ ...VALID_GENERATION, scheduler: 'DPM fast' }), { ...JSON_TYPE, accept: 'image/png' }, 400, BAD, 'scheduler', /must be one of/),
  bytes('an unsupported charset', JSON.stringify(VALID_GENERATION), { 'content-type': 'application/json; charset=latin1' }, 400, BAD, 'body', /^body: unsupported charset "LATIN1"/),
  bytes('body over AFD_BODY_LIMIT_KB', JSON.stringify({ ...VALID_GENERATION, prompt: 'x'.repeat(20_000) }), JSON_TYPE, 413, 'TOO_LARGE', 'body', /^body: is larger than the server accepts/),
  {
    ...bytes('invalid UTF-8 bytes in a string', INVALID_UTF8, JSON_TYPE, 400, BAD, 'body', /^body: /),
  },
  bytes('gzip that is not gzip', '{"prompt":"red"}', { ...JSON_TYPE, 'content-encoding': 'gzip' }, 400, BAD, 'body', /^body: /),
  bytes('deflate that is not deflate', '{"prompt":"red"}', { ...JSON_TYPE, 'content-encoding': 'deflate' }, 400, BAD, 'body', /^body: /),
  bytes('an unknown content encoding', '{"prompt":"red"}', { ...JSON_TYPE, 'content-encoding': 'compress' }, 400, BAD, 'body', /^body: unsupported content encoding "compress"/),
  bytes('a gzip bomb (1 MiB inflated)', gzip(JSON.stringify({ ...VALID_GENERATION, prompt: ' '.repeat(1 << 20) })), { ...JSON_TYPE, 'content-encoding': 'gzip' }, 413, 'TOO_LARGE', 'body', /^body: is larger than the server accepts/),
  bytes('gzip of a body with a bad width', gzip(JSON.stringify({ ...VALID_GENERATION, width: 100 })), { ...JSON_TYPE, 'content-encoding': 'gzip' }, 400, BAD, 'width', /multiple of 8/),
];

const LONG_KEY = 'k'.repeat(300);
const idempotencyCases: RestCase[] = [
  { ...generation('Idempotency-Key empty', {}, 400, BAD), headers: { 'content-type': 'application/json', 'idempotency-key': '' }, field: 'Idempotency-Key', message: /must be 1 to 255 visible ASCII characters/ },
  { ...generation('Idempotency-Key of 300 characters', {}, 400, BAD), headers: { 'content-type': 'application/json', 'idempotency-key': LONG_KEY }, field: 'Idempotency-Key', message: /must be 1 to 255/ },
  // Header values travel as bytes; Node reads them as latin1.
  { ...generation('Idempotency-Key not ASCII (latin1)', {}, 400, BAD), headers: { 'content-type': 'application/json', 'idempotency-key': 'cl\u00e9' }, field: 'Idempotency-Key', message: /visible ASCII/ },
  { ...generation('Idempotency-Key not ASCII (UTF-8 bytes)', {}, 400, BAD), headers: { 'content-type': 'application/json', 'idempotency-key': Buffer.from('ключ', 'utf8').toString('latin1') }, field: 'Idempotency-Key', message: /visible ASCII/ },
  { ...generation('Idempotency-Key with a space', {}, 400, BAD), headers: { 'content-type': 'application/json', 'idempotency-key': 'a b' }, field: 'Idempotency-Key', message: /visible ASCII/ },
  {
    ...rawGeneration('Idempotency-Key with a body 5000 arrays deep', `"deep":${nested(5000)}`, 400, BAD, 'deep', /is not a generation field/),
    headers: { 'content-type': 'application/json', 'idempotency-key': 'deep-body-key' },
  },
];

export const REST_GENERATION_CASES: readonly RestCase[] = [...fieldCases, ...bodyCases, ...idempotencyCases];

/**
 * Issue 13: control characters in prompts (the PNG parameters chunk forbids NUL), echoed values
 * kept short, and Accept headers naming a type the API cannot produce (406, before any work).
 */
const CONTROL = /must not contain control characters other than tab and newline, got U\+/;
export const REST_EDGE_CASES: readonly RestCase[] = [
  generation('prompt with a NUL', { prompt: 'red\u0000kente' }, 400, BAD, 'prompt', /^prompt: must not contain control characters other than tab and newline, got U\+0000 at index 3$/),
  generation('prompt with an ANSI escape', { prompt: '\u001b[31mred kente' }, 400, BAD, 'prompt', CONTROL),
  generation('prompt with a carriage return', { prompt: 'red\r\nkente' }, 400, BAD, 'prompt', /got U\+000D at index 3/),
  generation('prompt with DEL', { prompt: 'red\u007f' }, 400, BAD, 'prompt', /got U\+007F/),
  generation('prompt with a C1 control (U+0085)', { prompt: 'red \u0085 kente' }, 400, BAD, 'prompt', /got U\+0085/),
  generation('prompt with a backspace', { prompt: 'red\bkente' }, 400, BAD, 'prompt', /got U\+0008/),
  generation('negativePrompt with a NUL', { negativePrompt: 'blurry\u0000' }, 400, BAD, 'negativePrompt', /^negativePrompt: must not contain control characters/),
  generation('negativePrompt with a form feed', { negativePrompt: '\f' }, 400, BAD, 'negativePrompt', /got U\+000C/),
  generation('scheduler of 10,000 characters (echoed short)', { scheduler: 's'.repeat(10_000) }, 400, BAD, 'scheduler', /got "s{40}…"$/),
  { ...generation('Accept: image/gif', {}, 406, 'NOT_ACCEPTABLE', 'Accept', /^Accept: lists none of the types this request can be answered with: application\/json or image\/png/), headers: { ...JSON_TYPE, accept: 'image/gif' } },
  { ...generation('Accept: text/html', {}, 406, 'NOT_ACCEPTABLE', 'Accept', /^Accept: lists none/), headers: { ...JSON_TYPE, accept: 'text/html' } },
  { ...generation('Accept: image/png with outputFormat jpeg', { outputFormat: 'jpeg' }, 406, 'NOT_ACCEPTABLE', 'Accept', /image\/jpeg \(outputFormat jpeg\)/), headers: { ...JSON_TYPE, accept: 'image/png' } },
  { ...generation('Accept: image/png for 2 images', { numImages: 2 }, 406, 'NOT_ACCEPTABLE', 'Accept', /raw image bytes need numImages 1/), headers: { ...JSON_TYPE, accept: 'image/png' } },
  { ...generation('Accept: every type at q=0', {}, 406, 'NOT_ACCEPTABLE', 'Accept'), headers: { ...JSON_TYPE, accept: '*/*;q=0' } },
  { ...generation('Accept: image/gif with a NUL prompt (Accept is settled first)', { prompt: '\u0000' }, 406, 'NOT_ACCEPTABLE', 'Accept'), headers: { ...JSON_TYPE, accept: 'image/gif' } },
  { ...generation('Accept: image/gif with respond-async', {}, 406, 'NOT_ACCEPTABLE', 'Accept'), headers: { ...JSON_TYPE, accept: 'image/gif', prefer: 'respond-async' } },
];

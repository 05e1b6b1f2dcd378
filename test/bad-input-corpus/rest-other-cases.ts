/** REST beyond POST /v1/generations: ids with path tricks, image indexes, admin routes, comparisons and prompts. */
import { post, route, type RestCase } from './rest-case';

const BAD = 'INVALID_ARGUMENT';
const NO_GENERATION = /^generation .* does not exist/;
const LONG_ID = 'a'.repeat(10_000);

/** Ids that must only ever be looked up, never resolved against a file system or decoded into a crash. */
const TRICKY_IDS: ReadonlyArray<[string, string]> = [
  ['an unknown id', 'nope'],
  ['"../../etc/passwd", URL-encoded', '..%2F..%2Fetc%2Fpasswd'],
  ['"%2e%2e%2f"', '%2e%2e%2f'],
  ['"%2e%2e"', '%2e%2e'],
  ['a double-encoded "../"', '%252e%252e%252f'],
  ['a 10,000-character id', LONG_ID],
  ['a unicode id', '%E2%9C%93%D8%B9%D8%B1%D8%A8%D9%8A'],
  ['a NUL byte', '%00'],
  ['an SQL-looking id', "1'%20OR%20'1'%3D'1"],
];

const idCases: RestCase[] = [
  ...TRICKY_IDS.map(([name, id]) => route(`GET /v1/generations/{id}: ${name}`, 'GET', `/v1/generations/${id}`, 404, 'NOT_FOUND', NO_GENERATION)),
  ...TRICKY_IDS.slice(0, 6).map(([name, id]) => route(`GET /v1/generations/{id}/events: ${name}`, 'GET', `/v1/generations/${id}/events`, 404, 'NOT_FOUND', NO_GENERATION)),
  ...TRICKY_IDS.slice(0, 6).map(([name, id]) => route(`DELETE /v1/generations/{id}: ${name}`, 'DELETE', `/v1/generations/${id}`, 404, 'NOT_FOUND', NO_GENERATION)),
  route('GET /v1/generations/{id}/images/0 of an unknown id', 'GET', '/v1/generations/nope/images/0', 404, 'NOT_FOUND', NO_GENERATION),
  route('GET /v1/generations/{id}/images/0 with a path-trick id', 'GET', '/v1/generations/..%2F..%2Fetc%2Fpasswd/images/0', 404, 'NOT_FOUND', NO_GENERATION),
  route('an unencoded "../../etc/passwd" (no route)', 'GET', '/v1/generations/../../etc/passwd', 404, 'NOT_FOUND', /^Cannot GET/),
  { ...route('broken percent-encoding in an id', 'GET', '/v1/generations/%E0%A4%A', 400, BAD, /^path: /), field: 'path' },
  ...TRICKY_IDS.slice(0, 4).map(([name, id]) => route(`GET /v1/checkpoints/{id}: ${name}`, 'GET', `/v1/checkpoints/${id}`, 404, 'NOT_FOUND', /^checkpoint ".*" does not exist/)),
  route('GET /v1/checkpoints/{id}: another case', 'GET', '/v1/checkpoints/FINAL', 404, 'NOT_FOUND', /^checkpoint "FINAL" does not exist/),
  route('GET /v1/checkpoints/{id}: a path to a real one', 'GET', '/v1/checkpoints/..%2Ffinal', 404, 'NOT_FOUND', /^checkpoint "..\/final" does not exist/),
  route('GET /v1/comparisons/{id}: unknown', 'GET', '/v1/comparisons/nope', 404, 'NOT_FOUND', /^comparison nope does not exist/),
  route('GET /v1/comparisons/{id}/grid: a path trick', 'GET', '/v1/comparisons/..%2F..%2Fetc%2Fpasswd/grid', 404, 'NOT_FOUND', /^comparison .* does not exist/),
  route('GET /v1/comparisons/{id}/cells/0/0: unknown', 'GET', '/v1/comparisons/nope/cells/0/0', 404, 'NOT_FOUND', /^comparison nope does not exist/),
];

const NO_IMAGE = /^generation [0-9a-f-]+ has no image .* \(it has 1\)/;
const imageCases: RestCase[] = ['-1', '1e3', '0x1', '99', '1', 'NaN', 'Infinity', '0.0', '%200', '%2e%2e', '9007199254740993'].map((index) =>
  route(`GET /v1/generations/{id}/images/${index}`, 'GET', `/v1/generations/{generation}/images/${index}`, 404, 'NOT_FOUND', NO_IMAGE),
);

const ADMIN = /needs the admin role; the server runs open/;
const routeCases: RestCase[] = [
  route('admin load without the role', 'POST', '/v1/checkpoints/final/load', 403, 'PERMISSION_DENIED', ADMIN),
  route('admin unload without the role', 'POST', '/v1/checkpoints/final/unload', 403, 'PERMISSION_DENIED', ADMIN),
  route('admin load of an unknown checkpoint', 'POST', '/v1/checkpoints/nope/load', 403, 'PERMISSION_DENIED', ADMIN),
  route('admin load with a path-trick id', 'POST', '/v1/checkpoints/..%2Ffinal/load', 403, 'PERMISSION_DENIED', ADMIN),
  route('an unknown route', 'GET', '/v1/nope', 404, 'NOT_FOUND', /^Cannot GET \/v1\/nope/),
  route('PUT on generations', 'PUT', '/v1/generations', 404, 'NOT_FOUND', /^Cannot PUT/),
  route('PATCH on a generation', 'PATCH', '/v1/generations/nope', 404, 'NOT_FOUND', /^Cannot PATCH/),
  route('POST on a generation', 'POST', '/v1/generations/nope', 404, 'NOT_FOUND', /^Cannot POST/),
];

const COMPARE = '/v1/comparisons';
const ok = { prompts: ['red kente dress'], checkpoints: ['baseline'], width: 64, height: 64, steps: 1, seed: 1 };
const comparisonCases: RestCase[] = [
  post('comparison with 5 prompts', COMPARE, { ...ok, prompts: ['a', 'b', 'c', 'd', 'e'] }, 400, BAD, 'prompts', /must list 1 to 4 prompts, got 5/),
  post('comparison with no prompts', COMPARE, { ...ok, prompts: [] }, 400, BAD, 'prompts', /got none/),
  post('comparison with an empty prompt', COMPARE, { ...ok, prompts: ['red', ' '] }, 400, BAD, 'prompts', /prompts\[1\] must be a non-empty string/),
  post('comparison with a number as prompt', COMPARE, { ...ok, prompts: [42] }, 400, BAD, 'prompts', /prompts\[0\] must be a non-empty string/),
  post('comparison with prompts a string', COMPARE, { ...ok, prompts: 'red' }, 400, BAD, 'prompts', /must be an array of strings/),
  post('comparison with prompt and prompts', COMPARE, { ...ok, prompt: 'red' }, 400, BAD, 'prompts', /give either prompts or prompt/),
  post('comparison with neither prompt nor prompts', COMPARE, { ...ok, prompts: undefined }, 400, BAD, 'prompts', /is required/),
  post('comparison with prompt a number', COMPARE, { ...ok, prompts: undefined, prompt: 42 }, 400, BAD, 'prompt', /must be a non-empty string/),
  post('comparison with a prompt of 4001 characters', COMPARE, { ...ok, prompts: ['x'.repeat(4001)] }, 400, BAD, 'prompt', /at most 4000 characters/),
  post('comparison with an empty checkpoints array', COMPARE, { ...ok, checkpoints: [] }, 400, BAD, 'checkpoints', /must be a non-empty array/),
  post('comparison with duplicate checkpoints', COMPARE, { ...ok, checkpoints: ['final', 'final'] }, 400, BAD, 'checkpoints', /must not repeat a checkpoint/),
  post('comparison with an unknown checkpoint', COMPARE, { ...ok, checkpoints: ['baseline', 'nope'] }, 404, 'NOT_FOUND', 'checkpoints', /checkpoint "nope" does not exist/),
  post('comparison with checkpoints a string', COMPARE, { ...ok, checkpoints: 'final' }, 400, BAD, 'checkpoints', /must be a non-empty array/),
  post('comparison with a number as checkpoint', COMPARE, { ...ok, checkpoints: [42] }, 400, BAD, 'checkpoints', /only checkpoint id strings/),
  post('comparison with width 100', COMPARE, { ...ok, width: 100 }, 400, BAD, 'width', /multiple of 8/),
  post('comparison with steps 0', COMPARE, { ...ok, steps: 0 }, 400, BAD, 'steps', /must be between 1 and 150/),
  post('comparison with seed -1', COMPARE, { ...ok, seed: -1 }, 400, BAD, 'seed', /when given as a number/),
  post('comparison with an unknown scheduler', COMPARE, { ...ok, scheduler: 'DPM adaptive' }, 400, BAD, 'scheduler', /must be one of/),
  post('comparison with a generation-only field', COMPARE, { ...ok, numImages: 2 }, 400, BAD, 'numImages', /is not a comparison field/),
  post('comparison reference image: not base64', COMPARE, { ...ok, referenceImage: 'garbage!!' }, 400, BAD, 'referenceImage', /must be base64-encoded/),
  post('comparison reference image: a number', COMPARE, { ...ok, referenceImage: 42 }, 400, BAD, 'referenceImage', /must be a base64 string/),
  post('comparison reference image: an object', COMPARE, { ...ok, referenceImage: {} }, 400, BAD, 'referenceImage', /must be a base64 string/),
  post('comparison reference image: empty', COMPARE, { ...ok, referenceImage: '' }, 400, BAD, 'referenceImage', /must not be empty/),
  post('comparison reference image: base64 text that is no image', COMPARE, { ...ok, referenceImage: Buffer.from('hello, world').toString('base64') }, 400, BAD, 'referenceImage', /got unrecognised data/),
  post('comparison reference image: a GIF data URL', COMPARE, { ...ok, referenceImage: 'data:image/gif;base64,R0lGODlhAQABAAAAACw=' }, 400, BAD, 'referenceImage', /the data URL says image\/gif/),
  post('comparison reference image: a PNG signature and nothing else', COMPARE, { ...ok, referenceImage: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]).toString('base64') }, 400, BAD, 'referenceImage'),
  post('comparison body an array', COMPARE, [ok], 400, BAD, 'body', /must be a JSON object/),
];

const promptCases: RestCase[] = [
  post('build: attributes a string', '/v1/prompts/build', { attributes: 'dress' }, 400, BAD, 'attributes', /must be an object/),
  post('build: an unknown garment', '/v1/prompts/build', { attributes: { garment: 'spacesuit' } }, 400, BAD, 'garment', /is not a known garment/),
  post('build: an unknown attribute', '/v1/prompts/build', { attributes: { garment: 'dress', hat: 'fedora' } }, 400, BAD, 'hat', /is not an attribute/),
  post('build: a number in a list', '/v1/prompts/build', { attributes: { colours: [42] } }, 400, BAD, 'colours', /item 0: must be a string/),
  post('build: an unknown checkpoint', '/v1/prompts/build', { attributes: { garment: 'dress' }, checkpoint: 'nope' }, 404, 'NOT_FOUND', 'checkpoint', /checkpoint "nope" does not exist/),
  post('build: a number as checkpoint', '/v1/prompts/build', { attributes: { garment: 'dress' }, checkpoint: 42 }, 400, BAD, 'checkpoint', /must be a checkpoint id string/),
  post('build: an unknown field', '/v1/prompts/build', { attributes: { garment: 'dress' }, sneaky: 1 }, 400, BAD, 'sneaky', /is not a field of this request/),
  post('build: the body an array', '/v1/prompts/build', [{ attributes: { garment: 'dress' } }], 400, BAD, 'body', /must be a JSON object/),
  post('parse: text missing', '/v1/prompts/parse', {}, 400, BAD, 'text', /must be a string, got undefined/),
  post('parse: text null', '/v1/prompts/parse', { text: null }, 400, BAD, 'text', /must be a string, got null/),
  post('parse: text empty', '/v1/prompts/parse', { text: '' }, 400, BAD, 'text', /must not be empty/),
  post('parse: text of 2001 characters', '/v1/prompts/parse', { text: 'x'.repeat(2001) }, 400, BAD, 'text', /at most 2000 characters/),
  post('parse: an unknown checkpoint', '/v1/prompts/parse', { text: 'red dress', checkpoint: 'nope' }, 404, 'NOT_FOUND', 'checkpoint'),
  post('parse: an unknown field', '/v1/prompts/parse', { text: 'red dress', language: 'fr' }, 400, BAD, 'language', /is not a field of this request/),
  post('tokenize: text missing', '/v1/prompts/tokenize', {}, 400, BAD, 'text', /must be a string/),
  post('tokenize: text an object', '/v1/prompts/tokenize', { text: { a: 1 } }, 400, BAD, 'text', /must be a string/),
  post('tokenize: text of 10,001 characters', '/v1/prompts/tokenize', { text: 'a'.repeat(10_001) }, 400, BAD, 'text', /at most 10000 characters, got 10001/),
  post('tokenize: a weight of 400 digits (Infinity)', '/v1/prompts/tokenize', { text: `(kente:${'9'.repeat(400)})` }, 400, BAD, 'text', /^text: attention weights must be between -100 and 100, got Infinity/),
  post('tokenize: nested 60 brackets deep', '/v1/prompts/tokenize', { text: `${'('.repeat(60)}kente` }, 400, BAD, 'text', /^text: attention weights must be between -100 and 100/),
  post('tokenize: an unknown checkpoint', '/v1/prompts/tokenize', { text: 'a', checkpoint: '../final' }, 404, 'NOT_FOUND', 'checkpoint'),
  post('tokenize: an unknown field', '/v1/prompts/tokenize', { text: 'a', maxTokens: 5 }, 400, BAD, 'maxTokens', /is not a field of this request/),
  post('tokenize: JSON null', '/v1/prompts/tokenize', null, 400, BAD, 'body', /is not valid JSON/),
];

export const REST_OTHER_CASES: readonly RestCase[] = [...idCases, ...imageCases, ...routeCases, ...comparisonCases, ...promptCases];

/** Issue 13: ids and names echoed short; control characters in comparison prompts. */
export const REST_OTHER_EDGE_CASES: readonly RestCase[] = [
  route('GET /v1/generations/{id}: a 10,000-character id is echoed short', 'GET', `/v1/generations/${LONG_ID}`, 404, 'NOT_FOUND', /^generation a{64}… \(10000 characters\) does not exist$/),
  route('DELETE /v1/generations/{id}: a 10,000-character id is echoed short', 'DELETE', `/v1/generations/${LONG_ID}`, 404, 'NOT_FOUND', /^generation a{64}… \(10000 characters\) does not exist$/),
  route('GET /v1/comparisons/{id}: a 10,000-character id is echoed short', 'GET', `/v1/comparisons/${LONG_ID}`, 404, 'NOT_FOUND', /^comparison a{64}… \(10000 characters\) does not exist$/),
  route('GET /v1/checkpoints/{id}: a 10,000-character id is echoed short', 'GET', `/v1/checkpoints/${LONG_ID}`, 404, 'NOT_FOUND', /^checkpoint "a{64}"… \(10000 characters\) does not exist/),
  post('comparison with a NUL in a prompt', COMPARE, { ...ok, prompts: ['red', 'kente\u0000'] }, 400, BAD, 'prompt', /^prompt: must not contain control characters other than tab and newline, got U\+0000 at index 5$/),
  post('comparison with an escape in the negative prompt', COMPARE, { ...ok, negativePrompt: '\u001b' }, 400, BAD, 'negativePrompt', /got U\+001B/),
];

/** Issue 15: a comparison's preview settings (the generation's rules and messages). */
export const REST_COMPARISON_PREVIEW_CASES: readonly RestCase[] = [
  post('comparison with preview a string', COMPARE, { ...ok, preview: 'true' }, 400, BAD, 'preview', /^preview: must be true or false/),
  post('comparison with previewInterval 0', COMPARE, { ...ok, preview: true, previewInterval: 0 }, 400, BAD, 'previewInterval', /must be an integer from 1 to the number of steps/),
  post('comparison with previewInterval past the steps', COMPARE, { ...ok, preview: true, previewInterval: 2 }, 400, BAD, 'previewInterval', /must be an integer from 1 to the number of steps \(1\)/),
  post('comparison with previewInterval 1.5', COMPARE, { ...ok, preview: true, previewInterval: 1.5 }, 400, BAD, 'previewInterval', /must be an integer/),
  post('comparison with previewInterval without preview', COMPARE, { ...ok, previewInterval: 1 }, 400, BAD, 'previewInterval', /is for previews: send it with preview: true/),
];

/** Issue 15: the comparison history's paging (GET /v1/comparisons), refused naming the field. */
const PAGE_LIMIT = /^limit: must be a whole number from 1 to 100 \(default 20\)$/;
const PAGE_CURSOR = /^cursor: must be a previous page's nextCursor$/;
export const REST_COMPARISON_HISTORY_CASES: readonly RestCase[] = [
  { ...route('GET /v1/comparisons: limit 0', 'GET', '/v1/comparisons?limit=0', 400, BAD, PAGE_LIMIT), field: 'limit' },
  { ...route('GET /v1/comparisons: limit 101', 'GET', '/v1/comparisons?limit=101', 400, BAD, PAGE_LIMIT), field: 'limit' },
  { ...route('GET /v1/comparisons: limit x', 'GET', '/v1/comparisons?limit=x', 400, BAD, PAGE_LIMIT), field: 'limit' },
  { ...route('GET /v1/comparisons: limit 1.5', 'GET', '/v1/comparisons?limit=1.5', 400, BAD, PAGE_LIMIT), field: 'limit' },
  { ...route('GET /v1/comparisons: limit given twice', 'GET', '/v1/comparisons?limit=1&limit=2', 400, BAD, PAGE_LIMIT), field: 'limit' },
  { ...route('GET /v1/comparisons: a cursor not ours', 'GET', '/v1/comparisons?cursor=nope', 400, BAD, PAGE_CURSOR), field: 'cursor' },
  { ...route('GET /v1/comparisons: a version-4 UUID cursor', 'GET', '/v1/comparisons?cursor=6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b', 400, BAD, PAGE_CURSOR), field: 'cursor' },
  { ...route('GET /v1/comparisons: an empty cursor', 'GET', '/v1/comparisons?cursor=', 400, BAD, PAGE_CURSOR), field: 'cursor' },
];

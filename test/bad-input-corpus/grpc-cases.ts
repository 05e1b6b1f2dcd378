/**
 * gRPC afrofashion.v1: every Generate setting out of range, unknown ids and checkpoints, prompt
 * requests out of bounds, and bytes that are not protobuf at all (sent through a client that
 * serialises nothing).
 */
import { status } from '@grpc/grpc-js';

export interface GrpcCase {
  readonly name: string;
  /** afrofashion.v1's services, or grpc.health.v1's `Health`. */
  readonly service: 'DiffusionService' | 'PromptService' | 'Health';
  readonly method: string;
  /** Generate streams its answer; the others are unary. */
  readonly stream: boolean;
  /** Encoded by the .proto's client; or `bytes`, sent as they are. */
  readonly request?: Readonly<Record<string, unknown>>;
  readonly bytes?: Buffer;
  readonly code: status;
  /** The `error-field` trailing metadata. */
  readonly field?: string;
  readonly message: RegExp;
}

const VALID = { prompt: 'red kente dress', width: 64, height: 64, steps: 1, seed: '1' };
const BETWEEN = /must be between/;
const SEED_STRING = /^seed: must be a plain decimal integer from 0 to 18446744073709551615/;

function generate(name: string, patch: Record<string, unknown>, code: status, field: string, message: RegExp): GrpcCase {
  const request: Record<string, unknown> = { ...VALID, ...patch };
  for (const key of Object.keys(request)) if (request[key] === undefined) delete request[key];
  return { name: `Generate: ${name}`, service: 'DiffusionService', method: 'Generate', stream: true, request, code, field, message };
}

function unary(service: GrpcCase['service'], method: string, name: string, request: Record<string, unknown>, code: status, message: RegExp, field?: string): GrpcCase {
  return { name: `${method}: ${name}`, service, method, stream: false, request, code, field, message };
}

const BAD = status.INVALID_ARGUMENT;

const generateCases: GrpcCase[] = [
  generate('width 100', { width: 100 }, BAD, 'width', /^width: must be a multiple of 8/),
  generate('width 0', { width: 0 }, BAD, 'width', /^width: must be between 64 and 1024, got 0/),
  generate('width 2000', { width: 2000 }, BAD, 'width', BETWEEN),
  generate('width 56', { width: 56 }, BAD, 'width', BETWEEN),
  generate('width 4294967295 (uint32 max)', { width: 4294967295 }, BAD, 'width', BETWEEN),
  generate('height 130', { height: 130 }, BAD, 'height', /^height: must be a multiple of 8/),
  generate('height 1032', { height: 1032 }, BAD, 'height', BETWEEN),
  generate('steps 0', { steps: 0 }, BAD, 'steps', /^steps: must be between 1 and 150, got 0/),
  generate('steps 151', { steps: 151 }, BAD, 'steps', /^steps: must be between 1 and 150, got 151/),
  generate('steps 4294967295', { steps: 4294967295 }, BAD, 'steps', BETWEEN),
  generate('guidanceScale -1', { guidanceScale: -1 }, BAD, 'guidanceScale', /^guidanceScale: must be between 0 and 50/),
  generate('guidanceScale 51', { guidanceScale: 51 }, BAD, 'guidanceScale', /^guidanceScale: must be between 0 and 50/),
  generate('guidanceScale Infinity', { guidanceScale: Infinity }, BAD, 'guidanceScale', /^guidanceScale: must be a finite number, got Infinity/),
  generate('guidanceScale NaN', { guidanceScale: NaN }, BAD, 'guidanceScale', /^guidanceScale: must be a finite number, got NaN/),
  generate('eta 2', { eta: 2 }, BAD, 'eta', /^eta: must be between 0 and 1/),
  generate('eta -0.5', { eta: -0.5 }, BAD, 'eta', /^eta: must be between 0 and 1/),
  generate('eta NaN', { eta: NaN }, BAD, 'eta', /^eta: must be a finite number, got NaN/),
  generate('seed "abc"', { seed: 'abc' }, BAD, 'seed', SEED_STRING),
  generate('seed "-1"', { seed: '-1' }, BAD, 'seed', SEED_STRING),
  generate('seed "1e3"', { seed: '1e3' }, BAD, 'seed', SEED_STRING),
  generate('seed "0x10"', { seed: '0x10' }, BAD, 'seed', SEED_STRING),
  generate('seed ""', { seed: '' }, BAD, 'seed', SEED_STRING),
  generate('seed "18446744073709551616" (2^64)', { seed: '18446744073709551616' }, BAD, 'seed', /^seed: must be at most 2\^64 - 1/),
  generate('seed over 32 bits with numpy noise', { noiseMode: 'numpy', seed: '4294967296' }, BAD, 'seed', /^seed: with noiseMode numpy/),
  generate('scheduler unknown', { scheduler: 'DPM fast' }, BAD, 'scheduler', /^scheduler: must be one of pndm, ddim, euler, euler-a, dpm\+\+2m, lms, dpm\+\+2m-karras, .*got "DPM fast"/),
  generate('scheduler display name in the wrong case', { scheduler: 'euler A' }, BAD, 'scheduler', /^scheduler: must be one of .*AUTOMATIC1111 sampler name.*got "euler A"/),
  generate('scheduler in capitals', { scheduler: 'EULER' }, BAD, 'scheduler', /^scheduler: must be one of/),
  generate('scheduler empty', { scheduler: '' }, BAD, 'scheduler', /^scheduler: must be one of/),
  generate('noiseMode unknown', { noiseMode: 'jax' }, BAD, 'noiseMode', /^noiseMode: must be one of torch, numpy/),
  generate('emphasis unknown', { emphasis: 'a1111' }, BAD, 'emphasis', /^emphasis: must be one of original, no-norm, got "a1111"/),
  generate('emphasis in capitals', { emphasis: 'NO_NORM' }, BAD, 'emphasis', /^emphasis: must be one of original, no-norm/),
  generate('emphasis empty', { emphasis: '' }, BAD, 'emphasis', /^emphasis: must be one of original, no-norm/),
  generate('prompt weight over 100', { prompt: 'a (kente:101) dress' }, BAD, 'prompt', /^prompt: attention weights must be between -100 and 100, got 101/),
  generate('negativePrompt weight of 400 digits', { negativePrompt: `(blurry:${'9'.repeat(400)})` }, BAD, 'negativePrompt', /^negativePrompt: attention weights must be between -100 and 100, got Infinity/),
  generate('numImages 0', { numImages: 0 }, BAD, 'numImages', /^numImages: must be between 1 and 8, got 0/),
  generate('numImages 9', { numImages: 9 }, BAD, 'numImages', /^numImages: must be between 1 and 8, got 9/),
  generate('outputFormat gif', { outputFormat: 'gif' }, BAD, 'outputFormat', /^outputFormat: must be one of png, jpeg, webp/),
  generate('outputFormat empty', { outputFormat: '' }, BAD, 'outputFormat', /^outputFormat: must be one of png, jpeg, webp/),
  generate('quality 0', { outputFormat: 'jpeg', quality: 0 }, BAD, 'quality', /^quality: must be an integer from 1 to 100/),
  generate('quality 101', { outputFormat: 'webp', quality: 101 }, BAD, 'quality', /^quality: must be an integer from 1 to 100/),
  generate('previewInterval 0', { preview: true, previewInterval: 0 }, BAD, 'previewInterval', /^previewInterval: must be an integer from 1 to the number of steps/),
  generate('previewInterval without preview', { previewInterval: 1 }, BAD, 'previewInterval', /^previewInterval: is for previews/),
  generate('checkpoint unknown', { checkpoint: 'nope' }, status.NOT_FOUND, 'checkpoint', /^checkpoint "nope" does not exist/),
  generate('checkpoint a path', { checkpoint: '../final' }, status.NOT_FOUND, 'checkpoint', /^checkpoint "..\/final" does not exist/),
  generate('checkpoint empty', { checkpoint: '' }, status.NOT_FOUND, 'checkpoint', /^checkpoint "" does not exist/),
  generate('prompt empty', { prompt: '' }, BAD, 'prompt', /^prompt: is required/),
  generate('prompt of 4001 characters', { prompt: 'x'.repeat(4001) }, BAD, 'prompt', /^prompt: must be at most 4000 characters/),
  generate('negativePrompt of 4001 characters', { negativePrompt: 'x'.repeat(4001) }, BAD, 'negativePrompt', /^negativePrompt: must be at most 4000 characters/),
  generate('an unknown garment', { prompt: undefined, attributes: { garment: 'spacesuit' } }, BAD, 'garment', /^garment: "spacesuit" is not a known garment/),
  generate('prompt and attributes', { attributes: { garment: 'dress' } }, BAD, 'attributes', /^attributes: give either prompt or attributes/),
  generate('nine fabrics', { prompt: undefined, attributes: { fabrics: ['kente', 'wax', 'bogolan', 'adire', 'lace', 'silk', 'cotton', 'linen', 'denim'] } }, BAD, 'fabrics', /^fabrics: takes at most 8 values/),
];

const D = 'DiffusionService';
const P = 'PromptService';
const NO_GENERATION = /^generation .* does not exist/;
const TRICKY_IDS: ReadonlyArray<[string, string]> = [
  ['empty', ''],
  ['unknown', 'nope'],
  ['"../../etc/passwd"', '../../etc/passwd'],
  ['"%2e%2e%2f"', '%2e%2e%2f'],
  ['10,000 characters', 'a'.repeat(10_000)],
  ['a NUL byte', '\u0000'],
  ['unicode', '✓عربي'],
];
const COMPARE_OK = { prompts: ['red kente dress'], checkpoints: ['baseline'], width: 64, height: 64, steps: 1, seed: '1' };

const unaryCases: GrpcCase[] = [
  ...TRICKY_IDS.map(([name, id]) => unary(D, 'GetGeneration', name, { id }, status.NOT_FOUND, NO_GENERATION)),
  ...TRICKY_IDS.slice(0, 5).map(([name, id]) => unary(D, 'CancelGeneration', name, { id }, status.NOT_FOUND, NO_GENERATION)),
  unary(D, 'GetCheckpoint', 'empty', { id: '' }, status.NOT_FOUND, /^checkpoint "" does not exist/, 'checkpoint'),
  unary(D, 'GetCheckpoint', 'unknown', { id: 'nope' }, status.NOT_FOUND, /^checkpoint "nope" does not exist/, 'checkpoint'),
  unary(D, 'GetCheckpoint', 'a path', { id: '../final' }, status.NOT_FOUND, /^checkpoint "..\/final" does not exist/, 'checkpoint'),
  unary(D, 'GetCheckpoint', 'another case', { id: 'FINAL' }, status.NOT_FOUND, /^checkpoint "FINAL" does not exist/, 'checkpoint'),
  unary(D, 'Compare', '5 prompts', { ...COMPARE_OK, prompts: ['a', 'b', 'c', 'd', 'e'] }, BAD, /^prompts: must list 1 to 4 prompts, got 5/, 'prompts'),
  unary(D, 'Compare', '1000 prompts', { ...COMPARE_OK, prompts: Array.from({ length: 1000 }, (_, i) => `prompt ${i}`) }, BAD, /^prompts: must list 1 to 4 prompts, got 1000/, 'prompts'),
  unary(D, 'Compare', 'no prompts', { ...COMPARE_OK, prompts: [] }, BAD, /^prompts: must list 1 to 4 prompts, got none/, 'prompts'),
  unary(D, 'Compare', 'an empty prompt', { ...COMPARE_OK, prompts: [''] }, BAD, /^prompts: prompts\[0\] must be a non-empty string/, 'prompts'),
  unary(D, 'Compare', 'duplicate checkpoints', { ...COMPARE_OK, checkpoints: ['final', 'final'] }, BAD, /^checkpoints: must not repeat a checkpoint/, 'checkpoints'),
  unary(D, 'Compare', 'an unknown checkpoint', { ...COMPARE_OK, checkpoints: ['nope'] }, status.NOT_FOUND, /checkpoint "nope" does not exist/, 'checkpoints'),
  unary(D, 'Compare', 'width 100', { ...COMPARE_OK, width: 100 }, BAD, /^width: must be a multiple of 8/, 'width'),
  unary(D, 'Compare', 'steps 0', { ...COMPARE_OK, steps: 0 }, BAD, /^steps: must be between 1 and 150/, 'steps'),
  unary(D, 'Compare', 'seed "abc"', { ...COMPARE_OK, seed: 'abc' }, BAD, SEED_STRING, 'seed'),
  unary(D, 'Compare', 'a reference image of text', { ...COMPARE_OK, referenceImage: Buffer.from('hello, world') }, BAD, /^referenceImage: must be a PNG, JPEG or WebP image, got unrecognised data/, 'referenceImage'),
  unary(D, 'Compare', 'an empty reference image', { ...COMPARE_OK, referenceImage: Buffer.alloc(0) }, BAD, /^referenceImage: /, 'referenceImage'),
  unary(D, 'Compare', 'a GIF header as reference image', { ...COMPARE_OK, referenceImage: Buffer.from('GIF89a\u0001\u0000\u0001\u0000', 'latin1') }, BAD, /^referenceImage: must be a PNG, JPEG or WebP image, got GIF/, 'referenceImage'),
  unary(P, 'Tokenize', 'text of 10,001 characters', { text: 'a'.repeat(10_001) }, BAD, /^text: must be at most 10000 characters, got 10001/, 'text'),
  unary(P, 'Tokenize', 'a weight over 100', { text: 'a (kente:101) dress' }, BAD, /^text: attention weights must be between -100 and 100, got 101/, 'text'),
  unary(P, 'Tokenize', 'an unknown checkpoint', { text: 'a', checkpoint: 'nope' }, status.NOT_FOUND, /^checkpoint "nope" does not exist/, 'checkpoint'),
  unary(P, 'BuildPrompt', 'an unknown garment', { attributes: { garment: 'spacesuit' } }, BAD, /^garment: "spacesuit" is not a known garment/, 'garment'),
  unary(P, 'BuildPrompt', 'an unknown gender', { attributes: { garment: 'dress', gender: 'robot' } }, BAD, /^gender: "robot" is not a known gender/, 'gender'),
  unary(P, 'BuildPrompt', 'nine colours', { attributes: { colours: ['red', 'blue', 'green', 'gold', 'black', 'white', 'pink', 'orange', 'purple'] } }, BAD, /^colours: takes at most 8 values/, 'colours'),
  unary(P, 'BuildPrompt', 'a 101-character colour', { attributes: { colours: ['r'.repeat(101)] } }, BAD, /^colours: item 0: must be at most 100 characters/, 'colours'),
  unary(P, 'BuildPrompt', 'an unknown checkpoint', { attributes: { garment: 'dress' }, checkpoint: 'nope' }, status.NOT_FOUND, /^checkpoint "nope" does not exist/, 'checkpoint'),
  unary(P, 'ParsePrompt', 'empty text', { text: '' }, BAD, /^text: must not be empty/, 'text'),
  unary(P, 'ParsePrompt', 'blank text', { text: ' \t\n ' }, BAD, /^text: must not be empty/, 'text'),
  unary(P, 'ParsePrompt', 'text of 2001 characters', { text: 'x'.repeat(2001) }, BAD, /^text: must be at most 2000 characters/, 'text'),
  unary(P, 'ParsePrompt', 'huge text (1 MiB)', { text: 'robe '.repeat(200_000) }, BAD, /^text: must be at most 2000 characters/, 'text'),
  unary(P, 'ParsePrompt', 'an unknown checkpoint', { text: 'red dress', checkpoint: 'nope' }, status.NOT_FOUND, /^checkpoint "nope" does not exist/, 'checkpoint'),
];

/** A varint, for hand-made messages. */
function varint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

const tag = (field: number, wireType: number): number[] => varint(field * 8 + wireType);
/** GenerateRequest width = 100: a well-formed field that fails validation, so a lenient decoder would still be refused. */
const WIDTH_100 = [...tag(4, 0), 100];

const MALFORMED: ReadonlyArray<[string, number[], RegExp]> = [
  ['0xff repeated', Array.from({ length: 16 }, () => 0xff), /varint longer than 10 bytes|cut off/],
  ['a truncated varint', [...WIDTH_100, ...tag(4, 0), 0x80], /field 4( \(width\))?'s value is cut off/],
  ['a varint of 11 bytes', [...WIDTH_100, ...tag(4, 0), ...Array.from({ length: 10 }, () => 0xff), 0x01], /varint longer than 10 bytes/],
  ['a string field sent as fixed32', [...WIDTH_100, ...tag(1, 5), 1, 2, 3, 4], /field 1 \((prompt|text)\) has wire type 5; its declared type is sent with wire type 2/],
  ['a length-delimited field longer than the message', [...WIDTH_100, ...tag(1, 2), 0x7f, 0x61], /field 1 \((prompt|text)\) needs 127 bytes; 1 are left/],
  ['a length of 2^32 - 1', [...WIDTH_100, ...tag(1, 2), ...varint(2 ** 32 - 1), 0x61], /needs 4294967295 bytes/],
  ['a tag and nothing after it', [...WIDTH_100, ...tag(1, 2)], /field 1 \((prompt|text)\)'s length is cut off/],
  ['field number 0', [0x00, 0x01, ...WIDTH_100], /a tag names field number 0/],
  ['a group start (wire type 3)', [...WIDTH_100, ...tag(1, 3)], /wire type 3, which this API does not use/],
  ['wire type 7', [...WIDTH_100, ...tag(1, 7)], /wire type 7, which this API does not use/],
  ['invalid UTF-8 in a string', [...WIDTH_100, ...tag(1, 2), 2, 0xff, 0xfe], /field 1 \((prompt|text)\) is not valid UTF-8/],
];

function raw(service: GrpcCase['service'], method: string, stream: boolean, name: string, bytes: number[], message: RegExp): GrpcCase {
  return { name: `${method} malformed: ${name}`, service, method, stream, bytes: Buffer.from(bytes), code: BAD, field: 'request', message };
}

const malformedCases: GrpcCase[] = [
  ...MALFORMED.map(([name, bytes, message]) => raw(D, 'Generate', true, name, bytes, new RegExp(`^request: is not a valid afrofashion\\.v1\\.GenerateRequest message \\(.*(${message.source})`))),
  ...MALFORMED.map(([name, bytes, message]) => raw(P, 'Tokenize', false, name, bytes, new RegExp(`^request: is not a valid afrofashion\\.v1\\.TokenizeRequest message \\(.*(${message.source})`))),
  raw(D, 'Generate', true, 'a nested message that is cut off', [...WIDTH_100, ...tag(15, 2), 3, ...tag(1, 2), 5, 0x61], /^request: is not a valid afrofashion\.v1\.GenerateRequest message \(field 1 \(garment\) needs 5 bytes; 1 are left\)/),
  raw(P, 'BuildPrompt', false, 'a list item of the wrong wire type', [...tag(1, 2), 2, ...tag(2, 0), 1], /^request: is not a valid afrofashion\.v1\.BuildPromptRequest message \(field 2 \(fabrics\) has wire type 0/),
  raw(D, 'Compare', false, 'reference image bytes longer than the message', [...tag(10, 2), ...varint(1000), 1, 2, 3], /^request: is not a valid afrofashion\.v1\.CompareRequest message \(field 10 \(referenceImage\) needs 1000 bytes/),
  raw(D, 'GetGeneration', false, 'include_data sent as a string', [...tag(2, 2), 1, 0x31], /field 2 \(includeData\) has wire type 2; its declared type is sent with wire type 0/),
  // Well-formed protobuf with a field this API does not know: protobuf skips it, so the request is judged on its known fields.
  { ...raw(D, 'Generate', true, 'an unknown field (skipped), then width 100', [...tag(100, 0), 7, ...tag(1, 2), 3, 0x72, 0x65, 0x64, ...WIDTH_100], /^width: must be a multiple of 8/), name: 'Generate: an unknown field number is skipped, then width 100 is refused', field: 'width' },
  { ...raw(D, 'Generate', true, 'an empty message', [], /^prompt: is required/), name: 'Generate: an empty message is a request without a prompt', field: 'prompt' },
];

/** Answered by grpc-js itself, before any handler. */
export const TRANSPORT_CASES: readonly GrpcCase[] = [
  { name: 'a method the server does not have', service: 'PromptService', method: 'Nope', stream: false, bytes: Buffer.alloc(0), code: status.UNIMPLEMENTED, message: /does not implement the method \/afrofashion\.v1\.PromptService\/Nope/ },
  {
    name: 'Tokenize: a message over the 4 MiB receive limit',
    service: 'PromptService',
    method: 'Tokenize',
    stream: false,
    bytes: Buffer.concat([Buffer.from([...tag(1, 2), ...varint(5 * 1024 * 1024)]), Buffer.alloc(5 * 1024 * 1024, 0x61)]),
    code: status.RESOURCE_EXHAUSTED,
    message: /Received message larger than max/,
  },
];

/**
 * Issue 19: grpc.health.v1 (Check, and Watch, which now streams): services not served, a name too
 * long to echo, and bytes that are not a HealthCheckRequest. A well-formed Watch of an unknown
 * service is not an error (SERVICE_UNKNOWN, the call stays open): test/grpc-health-watch.e2e-spec.ts.
 */
const HEALTH_REQUEST = /^request: is not a valid grpc\.health\.v1\.HealthCheckRequest message \(/;
const GRPC_HEALTH_CASES: readonly GrpcCase[] = [
  unary('Health', 'Check', 'a service not served', { service: 'nope.v1.Nothing' }, status.NOT_FOUND, /^service: "nope\.v1\.Nothing" is not served here$/, 'service'),
  unary('Health', 'Check', 'a service name of 100,000 characters, echoed short', { service: 's'.repeat(100_000) }, status.NOT_FOUND, /^service: "s{64}"… \(100000 characters\) is not served here$/, 'service'),
  unary('Health', 'Check', 'a service name with a NUL, echoed escaped', { service: 'a\u0000b' }, status.NOT_FOUND, /^service: "a\\u0000b" is not served here$/, 'service'),
  raw('Health', 'Check', false, 'the service longer than the message', [...tag(1, 2), 0x7f, 0x61], HEALTH_REQUEST),
  raw('Health', 'Check', false, 'the service not valid UTF-8', [...tag(1, 2), 2, 0xff, 0xfe], HEALTH_REQUEST),
  raw('Health', 'Watch', true, 'the service longer than the message', [...tag(1, 2), 0x7f, 0x61], HEALTH_REQUEST),
  raw('Health', 'Watch', true, 'the service sent as a number (wire type 0)', [...tag(1, 0), 1], HEALTH_REQUEST),
  raw('Health', 'Watch', true, 'a tag and nothing after it', [...tag(1, 2)], HEALTH_REQUEST),
];

export const GRPC_CASES: readonly GrpcCase[] = [...generateCases, ...unaryCases, ...malformedCases, ...TRANSPORT_CASES, ...GRPC_HEALTH_CASES];

/**
 * Issue 13: every echoed value bounded (a 100,000-character id in a status message no longer
 * outgrows the trailers, so the call is answered), control characters in prompts refused, and a
 * Compare whose reply could pass the client's 4 MiB receive limit refused before any work.
 */
const HUGE_ID = 'a'.repeat(100_000);
const CONTROL = /must not contain control characters other than tab and newline, got U\+/;
export const GRPC_EDGE_CASES: readonly GrpcCase[] = [
  unary(D, 'GetGeneration', '100,000 characters, echoed short', { id: HUGE_ID }, status.NOT_FOUND, /^generation a{64}… \(100000 characters\) does not exist$/),
  unary(D, 'CancelGeneration', '100,000 characters, echoed short', { id: HUGE_ID }, status.NOT_FOUND, /^generation a{64}… \(100000 characters\) does not exist$/),
  unary(D, 'GetCheckpoint', '100,000 characters, echoed short', { id: HUGE_ID }, status.NOT_FOUND, /^checkpoint "a{64}"… \(100000 characters\) does not exist/, 'checkpoint'),
  unary(D, 'LoadCheckpoint', '100,000 characters', { id: HUGE_ID }, status.PERMISSION_DENIED, /needs the admin role/),
  generate('scheduler of 100,000 characters, echoed short', { scheduler: 's'.repeat(100_000) }, BAD, 'scheduler', /^scheduler: must be one of .*, got "s{40}…"$/),
  generate('checkpoint of 100,000 characters, echoed short', { checkpoint: HUGE_ID }, status.NOT_FOUND, 'checkpoint', /^checkpoint "a{64}"… \(100000 characters\) does not exist/),
  generate('prompt with a NUL', { prompt: 'red\u0000kente' }, BAD, 'prompt', /^prompt: must not contain control characters other than tab and newline, got U\+0000 at index 3$/),
  generate('prompt with an ANSI escape', { prompt: '\u001b[2Jred' }, BAD, 'prompt', CONTROL),
  generate('prompt with a C1 control', { prompt: 'red\u009bkente' }, BAD, 'prompt', /got U\+009B/),
  generate('negativePrompt with a NUL', { negativePrompt: '\u0000' }, BAD, 'negativePrompt', /^negativePrompt: must not contain control characters/),
  unary(D, 'Compare', 'a NUL in a prompt', { ...COMPARE_OK, prompts: ['red\u0000'] }, BAD, /^prompt: must not contain control characters/, 'prompt'),
  unary(D, 'Compare', 'a reply that could pass 4 MiB (4 prompts × every checkpoint at 512×512)', { ...COMPARE_OK, prompts: ['a', 'b', 'c', 'd'], checkpoints: [], width: 512, height: 512 }, BAD, /^request: the reply could reach .* over the 4\.0 MiB this client accepts/, 'request'),
  unary(D, 'Compare', 'one 1024×1024 cell beside every checkpoint', { ...COMPARE_OK, checkpoints: [], width: 1024, height: 1024 }, BAD, /^request: the reply could reach/, 'request'),
];

/** Issue 15: a comparison's preview settings, on Compare and CompareStream alike (the generation's rules and messages). */
const compareStream = (name: string, request: Record<string, unknown>, message: RegExp, field: string): GrpcCase => ({
  name: `CompareStream: ${name}`,
  service: 'DiffusionService',
  method: 'CompareStream',
  stream: true,
  request,
  code: BAD,
  field,
  message,
});
export const GRPC_COMPARISON_PREVIEW_CASES: readonly GrpcCase[] = [
  unary(D, 'Compare', 'previewInterval 0', { ...COMPARE_OK, preview: true, previewInterval: 0 }, BAD, /^previewInterval: must be an integer from 1 to the number of steps/, 'previewInterval'),
  unary(D, 'Compare', 'previewInterval without preview', { ...COMPARE_OK, previewInterval: 1 }, BAD, /^previewInterval: is for previews/, 'previewInterval'),
  compareStream('previewInterval past the steps', { ...COMPARE_OK, steps: 4, preview: true, previewInterval: 5 }, /^previewInterval: must be an integer from 1 to the number of steps \(4\)/, 'previewInterval'),
  compareStream('previewInterval without preview', { ...COMPARE_OK, previewInterval: 1 }, /^previewInterval: is for previews/, 'previewInterval'),
];

/** Issue 15: the comparison history's paging (ListComparisons); a limit that is not a number cannot be encoded. */
export const GRPC_COMPARISON_HISTORY_CASES: readonly GrpcCase[] = [
  unary(D, 'ListComparisons', 'limit 0', { limit: 0 }, BAD, /^limit: must be a whole number from 1 to 100/, 'limit'),
  unary(D, 'ListComparisons', 'limit 101', { limit: 101 }, BAD, /^limit: must be a whole number from 1 to 100/, 'limit'),
  unary(D, 'ListComparisons', 'a cursor not ours', { cursor: 'nope' }, BAD, /^cursor: must be a previous page's nextCursor/, 'cursor'),
  unary(D, 'ListComparisons', 'an empty cursor', { cursor: '' }, BAD, /^cursor: must be a previous page's nextCursor/, 'cursor'),
];

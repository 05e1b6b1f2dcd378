/**
 * GraphQL at /graphql: variables of the wrong type, domain rules, documents that do not validate,
 * limits (depth, complexity, body size, document size, tokens, nesting), fragment bombs, padded
 * operations, requests that are not GraphQL requests at all, and the same hostile documents and
 * oversized messages over the websocket (graphql-ws).
 */

export interface GraphqlCase {
  readonly name: string;
  readonly method: 'GET' | 'POST';
  /** For GET: the query string, URL-encoded by the runner. */
  readonly query?: Readonly<Record<string, string>>;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Buffer;
  /** The HTTP status when it is fixed (Apollo and the body parser pick it); otherwise any status below 500. */
  readonly status?: number;
  /** errors[0].extensions.code, or `code` of the REST-shaped body when `restShape`. */
  readonly code: string;
  /** details.field of a domain error. */
  readonly field?: string;
  readonly message: RegExp;
  /** The body parser answered before Apollo: `{code, message, details}`. */
  readonly restShape?: boolean;
  /** A bug not fixed yet (see RestCase.knownBug): the case runs as `it.failing`. */
  readonly knownBug?: string;
}

const BAD = 'INVALID_ARGUMENT';
const JSON_TYPE = { 'content-type': 'application/json' };

function operation(name: string, query: string, variables: Record<string, unknown> | undefined, code: string, message: RegExp, field?: string, status?: number): GraphqlCase {
  return { name, method: 'POST', headers: JSON_TYPE, body: Buffer.from(JSON.stringify({ query, variables })), code, message, field, status };
}

function raw(name: string, body: Buffer | string, headers: Record<string, string>, status: number, code: string, message: RegExp, restShape = false, field?: string): GraphqlCase {
  return { name, method: 'POST', headers, body: typeof body === 'string' ? Buffer.from(body) : body, status, code, message, restShape, field };
}

const GENERATE = 'mutation($input: GenerateInput!) { generate(input: $input) { id } }';
const COMPARE = 'mutation($input: CompareInput!) { compare(input: $input) { id } }';
const VALID = { prompt: 'red kente dress', width: 64, height: 64, steps: 1, seed: 1 };
const VALID_COMPARE = { prompts: ['red kente dress'], checkpoints: ['baseline'], width: 64, height: 64, steps: 1, seed: 1 };

/** The variable's value coerced by graphql-js: BAD_USER_INPUT, the message names the input path. */
function coercion(name: string, patch: Record<string, unknown>, message: RegExp): GraphqlCase {
  return operation(`coercion: ${name}`, GENERATE, { input: { ...VALID, ...patch } }, BAD, message, undefined, 400);
}

/** Well-typed but against the domain's rules: the domain's message and details.field. */
function rule(name: string, patch: Record<string, unknown>, field: string, message: RegExp, code = BAD): GraphqlCase {
  return operation(`rule: ${name}`, GENERATE, { input: { ...VALID, ...patch } }, code, message, field);
}

function compareRule(name: string, patch: Record<string, unknown>, field: string, message: RegExp, code = BAD): GraphqlCase {
  return operation(`compare: ${name}`, COMPARE, { input: { ...VALID_COMPARE, ...patch } }, code, message, field);
}

/** A document graphql-js refuses before running it. */
function invalid(name: string, query: string, message: RegExp, variables?: Record<string, unknown>): GraphqlCase {
  return operation(`document: ${name}`, query, variables, BAD, message);
}

const NOT_32_BIT = /Int cannot represent non 32-bit signed integer value/;
const SEED_TYPE = /Seed must be an integer or a decimal string/;

const coercionCases: GraphqlCase[] = [
  coercion('prompt a number', { prompt: 42 }, /at "input\.prompt"; String cannot represent a non string value: 42/),
  coercion('prompt a boolean', { prompt: true }, /at "input\.prompt"; String cannot represent a non string value: true/),
  coercion('prompt an object', { prompt: { text: 'x' } }, /at "input\.prompt"; String cannot represent a non string value/),
  coercion('width a string', { width: '64' }, /at "input\.width"; Int cannot represent non-integer value: "64"/),
  coercion('width 64.5', { width: 64.5 }, /at "input\.width"; Int cannot represent non-integer value: 64\.5/),
  coercion('width 2^31 (Int overflow)', { width: 2 ** 31 }, NOT_32_BIT),
  coercion('width 1e308', { width: 1e308 }, NOT_32_BIT),
  coercion('steps -2^31 - 1', { steps: -(2 ** 31) - 1 }, NOT_32_BIT),
  coercion('guidanceScale a string', { guidanceScale: 'abc' }, /at "input\.guidanceScale"; Float cannot represent non numeric value: "abc"/),
  coercion('guidanceScale a boolean', { guidanceScale: true }, /at "input\.guidanceScale"; Float cannot represent non numeric value: true/),
  coercion('numImages an array', { numImages: [2] }, /at "input\.numImages"; Int cannot represent non-integer value/),
  coercion('scheduler unknown', { scheduler: 'heun' }, /at "input\.scheduler"; Value "heun" does not exist in "Scheduler" enum/),
  coercion('scheduler as the domain spells it', { scheduler: 'euler-a' }, /at "input\.scheduler"; Value "euler-a" does not exist in "Scheduler" enum/),
  coercion('scheduler in lower case', { scheduler: 'pndm' }, /at "input\.scheduler"; Value "pndm" does not exist in "Scheduler" enum/),
  coercion('scheduler a number', { scheduler: 42 }, /at "input\.scheduler"; Enum "Scheduler" cannot represent non-string value: 42/),
  coercion('noiseMode unknown', { noiseMode: 'JAX' }, /at "input\.noiseMode"; Value "JAX" does not exist in "NoiseMode" enum/),
  coercion('emphasis unknown', { emphasis: 'NONE' }, /at "input\.emphasis"; Value "NONE" does not exist in "Emphasis" enum/),
  coercion('emphasis as the domain spells it', { emphasis: 'no-norm' }, /at "input\.emphasis"; Value "no-norm" does not exist in "Emphasis" enum/),
  coercion('emphasis a number', { emphasis: 1 }, /at "input\.emphasis"; Enum "Emphasis" cannot represent non-string value: 1/),
  coercion('outputFormat unknown', { outputFormat: 'GIF' }, /at "input\.outputFormat"; Value "GIF" does not exist in "ImageFormat" enum/),
  coercion('seed a boolean', { seed: true }, SEED_TYPE),
  coercion('seed an object', { seed: { value: 1 } }, SEED_TYPE),
  coercion('checkpoint a number', { checkpoint: 42 }, /at "input\.checkpoint"; String cannot represent a non string value: 42/),
  coercion('an unknown input field', { sneaky: 1 }, /Field "sneaky" is not defined by type "GenerateInput"/),
  coercion('a snake_case input field', { guidance_scale: 7 }, /Field "guidance_scale" is not defined by type "GenerateInput"/),
  coercion('an unknown attribute', { prompt: undefined, attributes: { hat: 'fedora' } }, /Field "hat" is not defined by type "PromptAttributes/),
  coercion('a number in an attribute list', { prompt: undefined, attributes: { fabrics: [42] } }, /at "input\.attributes\.fabrics\[0\]"; String cannot represent a non string value: 42/),
  operation('coercion: input null for a non-null type', GENERATE, { input: null }, BAD, /Variable "\$input" of non-null type "GenerateInput!" must not be null/, undefined, 400),
  operation('coercion: input missing', GENERATE, {}, BAD, /Variable "\$input" of required type "GenerateInput!" was not provided/, undefined, 400),
  operation('coercion: input a string', GENERATE, { input: 'red kente dress' }, BAD, /Expected type "GenerateInput" to be an object/, undefined, 400),
  operation('coercion: compare without prompts', COMPARE, { input: { checkpoints: ['baseline'] } }, BAD, /Field "prompts" of required type "\[String!\]!" was not provided/, undefined, 400),
  operation('coercion: compare with a null prompt', COMPARE, { input: { ...VALID_COMPARE, prompts: [null] } }, BAD, /at "input\.prompts\[0\]"; Expected non-nullable type "String!" not to be null/, undefined, 400),
];

const ruleCases: GraphqlCase[] = [
  rule('width 100', { width: 100 }, 'width', /^width: must be a multiple of 8/),
  rule('width 0', { width: 0 }, 'width', /^width: must be between 64 and 1024, got 0/),
  rule('width -64', { width: -64 }, 'width', /^width: must be between 64 and 1024/),
  rule('width 2000', { width: 2000 }, 'width', /^width: must be between 64 and 1024/),
  rule('height 130', { height: 130 }, 'height', /^height: must be a multiple of 8/),
  rule('steps 0', { steps: 0 }, 'steps', /^steps: must be between 1 and 150/),
  rule('steps 151', { steps: 151 }, 'steps', /^steps: must be between 1 and 150/),
  rule('guidanceScale -1', { guidanceScale: -1 }, 'guidanceScale', /^guidanceScale: must be between 0 and 50/),
  rule('guidanceScale 51', { guidanceScale: 51 }, 'guidanceScale', /^guidanceScale: must be between 0 and 50/),
  rule('guidanceScale 1e308', { guidanceScale: 1e308 }, 'guidanceScale', /^guidanceScale: must be between 0 and 50/),
  rule('numImages 0', { numImages: 0 }, 'numImages', /^numImages: must be between 1 and 8/),
  rule('numImages 9', { numImages: 9 }, 'numImages', /^numImages: must be between 1 and 8/),
  rule('eta 2', { eta: 2 }, 'eta', /^eta: must be between 0 and 1/),
  rule('quality 0', { outputFormat: 'JPEG', quality: 0 }, 'quality', /^quality: must be an integer from 1 to 100/),
  rule('quality 101', { outputFormat: 'WEBP', quality: 101 }, 'quality', /^quality: must be an integer from 1 to 100/),
  rule('previewInterval 0', { preview: true, previewInterval: 0 }, 'previewInterval', /^previewInterval: must be an integer from 1 to the number of steps/),
  rule('previewInterval without preview', { previewInterval: 1 }, 'previewInterval', /^previewInterval: is for previews/),
  rule('seed -1', { seed: -1 }, 'seed', /^seed: must be an integer from 0/),
  rule('seed "abc"', { seed: 'abc' }, 'seed', /^seed: must be a plain decimal integer/),
  rule('seed "1e3"', { seed: '1e3' }, 'seed', /^seed: must be a plain decimal integer/),
  rule('seed 2^64 as a string', { seed: '18446744073709551616' }, 'seed', /^seed: must be at most 2\^64 - 1/),
  rule('seed 2^64 as a number', { seed: 2 ** 64 }, 'seed', /^seed: must be an integer from 0 to 9007199254740991 when given as a number/),
  rule('seed 1.5', { seed: 1.5 }, 'seed', /^seed: must be an integer from 0/),
  rule('seed over 32 bits with NUMPY noise', { noiseMode: 'NUMPY', seed: 2 ** 32 }, 'seed', /^seed: with noiseMode numpy/),
  rule('prompt weight over 100', { prompt: 'a (kente:101) dress' }, 'prompt', /^prompt: attention weights must be between -100 and 100, got 101/),
  rule('negativePrompt nested 60 brackets deep', { negativePrompt: `${'['.repeat(10)}${'('.repeat(60)}blurry` }, 'negativePrompt', /^negativePrompt: attention weights must be between -100 and 100/),
  rule('prompt of 4001 characters', { prompt: 'x'.repeat(4001) }, 'prompt', /^prompt: must be at most 4000 characters/),
  rule('negativePrompt of 4001 characters', { negativePrompt: 'x'.repeat(4001) }, 'negativePrompt', /^negativePrompt: must be at most 4000 characters/),
  rule('no prompt and no attributes', { prompt: undefined }, 'prompt', /^prompt: is required/),
  rule('prompt and attributes', { attributes: { garment: 'dress' } }, 'attributes', /^attributes: give either prompt or attributes/),
  rule('an unknown garment', { prompt: undefined, attributes: { garment: 'spacesuit' } }, 'garment', /^garment: "spacesuit" is not a known garment/),
  rule('an unknown checkpoint', { checkpoint: 'nope' }, 'checkpoint', /^checkpoint "nope" does not exist/, 'NOT_FOUND'),
  rule('a path as checkpoint', { checkpoint: '../final' }, 'checkpoint', /^checkpoint "..\/final" does not exist/, 'NOT_FOUND'),
  compareRule('5 prompts', { prompts: ['a', 'b', 'c', 'd', 'e'] }, 'prompts', /^prompts: must list 1 to 4 prompts, got 5/),
  compareRule('no prompts', { prompts: [] }, 'prompts', /^prompts: must list 1 to 4 prompts, got none/),
  compareRule('duplicate checkpoints', { checkpoints: ['final', 'final'] }, 'checkpoints', /^checkpoints: must not repeat a checkpoint/),
  compareRule('an empty checkpoints list', { checkpoints: [] }, 'checkpoints', /^checkpoints: must be a non-empty array/),
  compareRule('an unknown checkpoint', { checkpoints: ['nope'] }, 'checkpoints', /checkpoint "nope" does not exist/, 'NOT_FOUND'),
  compareRule('width 100', { width: 100 }, 'width', /^width: must be a multiple of 8/),
  compareRule('a reference image that is not base64', { referenceImageBase64: 'garbage!!' }, 'referenceImageBase64', /^referenceImageBase64: must be base64-encoded/),
  operation('prompts: tokenize text of 10,001 characters', 'query($t: String!) { tokenize(text: $t) { count } }', { t: 'a'.repeat(10_001) }, BAD, /^text: must be at most 10000 characters/, 'text'),
  operation('prompts: tokenize a weight of 400 digits (Float cannot carry Infinity)', 'query($t: String!) { tokenize(text: $t) { weights } }', { t: `(kente:${'9'.repeat(400)})` }, BAD, /^text: attention weights must be between -100 and 100, got Infinity/, 'text'),
  operation('prompts: tokenize with an unknown checkpoint', '{ tokenize(text: "a", checkpoint: "nope") { count } }', undefined, 'NOT_FOUND', /^checkpoint "nope" does not exist/, 'checkpoint'),
  operation('prompts: parsePrompt of empty text', 'mutation { parsePrompt(text: "") { prompt } }', undefined, BAD, /^text: must not be empty/, 'text'),
  operation('prompts: parsePrompt of 2001 characters', 'mutation($t: String!) { parsePrompt(text: $t) { prompt } }', { t: 'x'.repeat(2001) }, BAD, /^text: must be at most 2000 characters/, 'text'),
  operation('prompts: buildPrompt with an unknown garment', 'mutation { buildPrompt(attributes: { garment: "spacesuit" }) { prompt } }', undefined, BAD, /^garment: "spacesuit" is not a known garment/, 'garment'),
  operation('prompts: buildPrompt with nine fabrics', 'mutation($f: [String!]) { buildPrompt(attributes: { fabrics: $f }) { prompt } }', { f: ['kente', 'wax', 'bogolan', 'adire', 'lace', 'silk', 'cotton', 'linen', 'denim'] }, BAD, /^fabrics: takes at most 8 values/, 'fabrics'),
];

const NO_GENERATION = /^generation .* does not exist/;
const lookupCases: GraphqlCase[] = [
  operation('lookup: generation "../../etc/passwd"', '{ generation(id: "../../etc/passwd") { id } }', undefined, 'NOT_FOUND', NO_GENERATION),
  operation('lookup: generation "%2e%2e%2f"', '{ generation(id: "%2e%2e%2f") { id } }', undefined, 'NOT_FOUND', NO_GENERATION),
  operation('lookup: generation with a 10,000-character id', 'query($id: ID!) { generation(id: $id) { id } }', { id: 'a'.repeat(10_000) }, 'NOT_FOUND', NO_GENERATION),
  operation('lookup: generation with a NUL byte', 'query($id: ID!) { generation(id: $id) { id } }', { id: '\u0000' }, 'NOT_FOUND', NO_GENERATION),
  operation('lookup: generation with an Int id', '{ generation(id: 42) { id } }', undefined, 'NOT_FOUND', /^generation 42 does not exist/),
  operation('lookup: checkpoint "nope"', '{ checkpoint(id: "nope") { id } }', undefined, 'NOT_FOUND', /^checkpoint "nope" does not exist/),
  operation('lookup: checkpoint "../final"', '{ checkpoint(id: "../final") { id } }', undefined, 'NOT_FOUND', /^checkpoint "..\/final" does not exist/),
  operation('lookup: comparison "nope"', '{ comparison(id: "nope") { id } }', undefined, 'NOT_FOUND', /^comparison nope does not exist/),
  operation('lookup: cancelGeneration "nope"', 'mutation { cancelGeneration(id: "nope") { id } }', undefined, 'NOT_FOUND', NO_GENERATION),
];

const deepFragments = 'query { ...A } fragment A on Query { vocabulary { ...B } } fragment B on Vocabulary { fabric { synonyms { ...C } } } fragment C on TermSynonyms { en fr }';
const base64Aliases = Array.from({ length: 4 }, (_, i) => `g${i}: generation(id: "x") { images { base64 } }`).join(' ');
const generateAliases = Array.from({ length: 31 }, (_, i) => `g${i}: generate(input: { prompt: "red", width: 64, height: 64, steps: 1 }) { id }`).join(' ');
const typenameAliases = Array.from({ length: 400 }, (_, i) => `a${i}:__typename`).join(' ');
const checkpointAliases = Array.from({ length: 1000 }, (_, i) => `a${i}:checkpoints{id}`).join(' ');

const documentCases: GraphqlCase[] = [
  invalid('a syntax error (unclosed)', '{ checkpoints { id ', /^Syntax Error: Expected Name, found <EOF>/),
  invalid('a syntax error (stray braces)', '}}}', /^Syntax Error: Unexpected "}"/),
  invalid('an empty query', '', /non-empty `query`/),
  invalid('an unknown field', '{ checkpoints { id secret } }', /Cannot query field "secret" on type "Checkpoint"/),
  invalid('an unknown query', '{ nope }', /Cannot query field "nope" on type "Query"/),
  invalid('an unknown mutation', 'mutation { nope }', /Cannot query field "nope" on type "Mutation"/),
  invalid('a query field as a mutation', 'mutation { checkpoints { id } }', /Cannot query field "checkpoints" on type "Mutation"/),
  invalid('a mutation field as a query', '{ generate(input: { prompt: "x" }) { id } }', /Cannot query field "generate" on type "Query"/),
  invalid('no selection on an object field', '{ checkpoints }', /Field "checkpoints" of type "\[Checkpoint!\]!" must have a selection of subfields/),
  invalid('a selection on a scalar', '{ checkpoints { id { x } } }', /Field "id" must not have a selection since type "ID!" has no subfields/),
  invalid('an unknown argument', '{ checkpoints(first: 1) { id } }', /Unknown argument "first" on field "Query\.checkpoints"/),
  invalid('an unknown directive', '{ checkpoints @nope { id } }', /Unknown directive "@nope"/),
  invalid('a directive argument of the wrong type', '{ checkpoints @skip(if: "yes") { id } }', /Boolean cannot represent a non boolean value: "yes"/),
  invalid('an undefined variable', 'query { tokenize(text: $t) { count } }', /Variable "\$t" is not defined/),
  invalid('a variable of the wrong type', 'query($t: Int!) { tokenize(text: $t) { count } }', /Variable "\$t" of type "Int!" used in position expecting type "String!"/, { t: 1 }),
  invalid('an unused variable', 'query($t: String) { checkpoints { id } }', /Variable "\$t" is never used/),
  invalid('a fragment spreading itself', 'query { ...A } fragment A on Query { ...A }', /Cannot spread fragment "A" within itself/),
  invalid('an unknown fragment', '{ ...Nope }', /Unknown fragment "Nope"/),
  invalid('a fragment on the wrong type', '{ ...F } fragment F on Checkpoint { id }', /Fragment "F" cannot be spread here as objects of type "Query" can never be of type "Checkpoint"/),
  invalid('conflicting aliases', '{ a: checkpoint(id: "final") { id } a: checkpoint(id: "baseline") { id } }', /Fields "a" conflict/),
  invalid('two operations with one name', 'query A { checkpoints { id } } query A { checkpoints { label } }', /There can be only one operation named "A"/),
  invalid('an inline Int literal as a string', 'mutation { generate(input: { prompt: "x", width: "64" }) { id } }', /Int cannot represent non-integer value: "64"/),
  invalid('an inline enum value that does not exist', 'mutation { generate(input: { prompt: "x", scheduler: heun }) { id } }', /Value "heun" does not exist in "Scheduler" enum/),
  invalid('an inline Int over 32 bits', 'mutation { generate(input: { prompt: "x", steps: 99999999999 }) { id } }', NOT_32_BIT),
  invalid('an inline Boolean as a string', 'mutation { generate(input: { prompt: "x" }, wait: "yes") { id } }', /Boolean cannot represent a non boolean value: "yes"/),
  invalid('an inline Seed of the wrong type', 'mutation { generate(input: { prompt: "x", seed: true }) { id } }', SEED_TYPE),
  invalid('a required argument left out', 'mutation { generate { id } }', /argument "input" of type "GenerateInput!" is required/),
  invalid('generation without its id', '{ generation { id } }', /argument "id" of type "ID!" is required/),
  invalid('tokenize with a number as text', '{ tokenize(text: 42) { count } }', /String cannot represent a non string value: 42/),
  invalid('a query deeper than the limit, through fragments', deepFragments, /^query: the operation is 4 levels deep; the limit is 3/),
  invalid('a query deeper than the limit, nested', '{ vocabulary { fabric { synonyms { en } } } }', /^query: the operation is 4 levels deep; the limit is 3/),
  invalid('a query deeper than the limit, through inline fragments', '{ vocabulary { ... on Vocabulary { fabric { ... on VocabularyTerm { synonyms { en } } } } } }', /^query: the operation is 4 levels deep; the limit is 3/),
  operation('limits: over the complexity limit (base64 aliases)', `{ ${base64Aliases} }`, undefined, BAD, /^query: costs \d+; the limit is 300/, 'query', 400),
  operation('limits: 31 generate mutations in one operation (refused before any runs)', `mutation { ${generateAliases} }`, undefined, BAD, /^query: costs 3\d\d; the limit is 300/, 'query', 400),
  operation('limits: 400 aliases', `{ ${typenameAliases} }`, undefined, BAD, /^query: costs 400; the limit is 300/, 'query', 400),
  raw('limits: 1000 aliases over the body limit', JSON.stringify({ query: `{ ${checkpointAliases} }` }), JSON_TYPE, 413, 'TOO_LARGE', /^body: is larger than the server accepts/, true, 'body'),
  invalid('a subscription over HTTP', 'subscription { generationEvents(id: "x") { kind } }', /^query: subscriptions go over the websocket/),
];

/**
 * Fragment i spreads fragment i+1 twice: 2^levels copies of the leaf once expanded. A walk that
 * expands fragments per spread takes minutes at 30 levels and froze the whole process.
 */
export function fragmentBomb(levels: number, type: string, leaf: string): string {
  const fragments = Array.from({ length: levels }, (_, i) => `fragment F${i} on ${type} { ...F${i + 1} ...F${i + 1} }`);
  return `${fragments.join(' ')} fragment F${levels} on ${type} { ${leaf} }`;
}

/** These cases run with AFD_GRAPHQL_MAX_QUERY_BYTES=8192 and the default 2000 tokens. */
export const CORPUS_MAX_QUERY_BYTES = 8192;
const EXPANDS = /^query: the operation expands to \d+ fields through its fragments; the limit is 10000$/;
const NOT_ESTIMATED = /^query: its cost could not be estimated \(Query exceeds the maximum allowed number of nodes\.\); the operation is refused$/;
const OVER_BYTES = /^query: is \d+ bytes; the limit is 8192 \(pass large values as variables\)$/;
const OVER_TOKENS = /^query: has more than 2000 tokens; the limit is 2000$/;
const OVER_NESTING = /^query: nests brackets more than 128 deep; the limit is 128$/;
/** Nested 2,500 deep: graphql-js's recursive parser overflowed the stack and the answer said so. */
export const DEEP_NESTING = `${'{a'.repeat(2500)}${'}'.repeat(2500)}`;
export const MANY_TOKENS = `{ ${'a '.repeat(2000)}}`;
const schemaAliases = (n: number): string => Array.from({ length: n }, (_, i) => `s${i}: __schema { types { name } }`).join(' ');
const typeAliases = (n: number): string => Array.from({ length: n }, (_, i) => `t${i}: __type(name: "Query") { name }`).join(' ');

const hostileCases: GraphqlCase[] = [
  operation('bombs: 40 fragments each spreading the next twice', `{ ...F0 } ${fragmentBomb(40, 'Query', 'checkpoints { id }')}`, undefined, BAD, EXPANDS, 'query', 400),
  operation('bombs: 30 fragments ending in base64 images', `{ generation(id: "x") { ...F0 } } ${fragmentBomb(30, 'Generation', 'images { base64 }')}`, undefined, BAD, EXPANDS, 'query', 400),
  operation('bombs: 30 fragments ending in __schema', `{ ...F0 } ${fragmentBomb(30, 'Query', '__schema { types { name } }')}`, undefined, BAD, EXPANDS, 'query', 400),
  operation('bombs: 30 fragments ending deeper than the limit', `{ vocabulary { ...F0 } } ${fragmentBomb(30, 'Vocabulary', 'fabric { synonyms { en } }')}`, undefined, BAD, /^query: the operation is 4 levels deep; the limit is 3$/, 'query'),
  operation('bombs: 40 fragments with variables that do not coerce', `query($id: ID!) { generation(id: $id) { ...F0 } } ${fragmentBomb(40, 'Generation', 'images { base64 }')}`, { id: { not: 'an id' } }, BAD, EXPANDS, 'query', 400),
  // 8,192 fields, under the field limit, but 24,576 selections for the estimator: it gives up, and the operation is refused (it used to run).
  operation('bombs: 13 fragments ending in __typename (the cost estimate fails, closed)', `{ ...F0 } ${fragmentBomb(13, 'Query', '__typename')}`, undefined, BAD, NOT_ESTIMATED, 'query', 400),
  operation('padded: 3 aliases of __schema', `{ ${schemaAliases(3)} }`, undefined, BAD, /^query: costs 306; the limit is 300/, 'query', 400),
  operation('padded: 28 aliases of __type', `{ ${typeAliases(28)} }`, undefined, BAD, /^query: costs 308; the limit is 300/, 'query', 400),
  operation('oversized: a query of 9,000 bytes (a comment)', `{ checkpoints { id } } #${'x'.repeat(9000)}`, undefined, BAD, OVER_BYTES, 'query', 400),
  operation('oversized: a string literal of 3,000 three-byte characters', `{ tokenize(text: "${'€'.repeat(3000)}") { count } }`, undefined, BAD, OVER_BYTES, 'query', 400),
  operation('oversized: 2,002 tokens', MANY_TOKENS, undefined, BAD, OVER_TOKENS, 'query', 400),
  operation('oversized: brackets nested 129 deep', `${'{a'.repeat(129)}${'}'.repeat(129)}`, undefined, BAD, OVER_NESTING, 'query', 400),
  operation('oversized: brackets nested 2,500 deep (the parser overflowed its stack)', DEEP_NESTING, undefined, BAD, OVER_NESTING, 'query', 400),
  operation('oversized: an input object nested 200 deep', `{ tokenize(text: "a", checkpoint: ${'['.repeat(200)}"x"${']'.repeat(200)}) { count } }`, undefined, BAD, OVER_NESTING, 'query', 400),
  { name: 'oversized: GET with 2,002 tokens', method: 'GET', query: { query: MANY_TOKENS }, status: 400, code: BAD, field: 'query', message: OVER_TOKENS },
  { name: 'bombs: GET with a fragment bomb', method: 'GET', query: { query: `{ ...F0 } ${fragmentBomb(40, 'Query', '__typename')}` }, headers: { 'apollo-require-preflight': 'true' }, status: 400, code: BAD, field: 'query', message: EXPANDS },
];

const INVALID_UTF8 = Buffer.concat([Buffer.from('{"query":"{ tokenize(text: \\"red '), Buffer.from([0xff, 0xfe]), Buffer.from(' dress\\") { count } }"}')]);

const requestCases: GraphqlCase[] = [
  raw('request: a batched array', JSON.stringify([{ query: '{ checkpoints { id } }' }, { query: '{ checkpoints { id } }' }]), JSON_TYPE, 400, BAD, /^Operation batching disabled/),
  {
    name: 'request: GET with a mutation (CSRF prevention)',
    method: 'GET',
    query: { query: 'mutation { parsePrompt(text: "red dress") { prompt } }' },
    status: 400,
    code: BAD,
    message: /blocked as a potential Cross-Site Request Forgery/,
  },
  {
    name: 'request: GET with a mutation past CSRF prevention',
    method: 'GET',
    query: { query: 'mutation { parsePrompt(text: "red dress") { prompt } }' },
    headers: { 'apollo-require-preflight': 'true' },
    status: 405,
    code: BAD,
    message: /GET requests only support query operations, not mutation operations/,
  },
  { name: 'request: GET without a query', method: 'GET', query: {}, headers: { 'apollo-require-preflight': 'true' }, status: 400, code: BAD, message: /must contain a non-empty `query`/ },
  raw('request: an empty body', '', JSON_TYPE, 400, BAD, /POST body missing/),
  raw('request: an empty object', '{}', JSON_TYPE, 400, BAD, /POST body missing/),
  raw('request: a body that is not JSON', '{query', JSON_TYPE, 400, BAD, /^body: is not valid JSON/, true, 'body'),
  raw('request: JSON null', 'null', JSON_TYPE, 400, BAD, /^body: is not valid JSON/, true, 'body'),
  raw('request: text/plain', '{ checkpoints { id } }', { 'content-type': 'text/plain' }, 400, BAD, /blocked as a potential Cross-Site Request Forgery/),
  raw('request: query a number', JSON.stringify({ query: 42 }), JSON_TYPE, 400, BAD, /^GraphQL queries must be strings/),
  raw('request: variables a string', JSON.stringify({ query: '{ checkpoints { id } }', variables: '{}' }), JSON_TYPE, 400, BAD, /`variables` in a POST body should be provided as an object/),
  raw('request: variables an array', JSON.stringify({ query: '{ checkpoints { id } }', variables: [1] }), JSON_TYPE, 400, BAD, /`variables` in a POST body must be an object/),
  raw('request: an unknown operationName', JSON.stringify({ query: 'query A { checkpoints { id } }', operationName: 'B' }), JSON_TYPE, 400, BAD, /^Unknown operation named "B"/),
  raw('request: two operations and no operationName', JSON.stringify({ query: 'query A { checkpoints { id } } query B { checkpoints { label } }' }), JSON_TYPE, 400, BAD, /^Must provide operation name if query contains multiple operations/),
  raw('request: an unknown persisted query', JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } } }), JSON_TYPE, 200, BAD, /PersistedQueryNotFound/),
  {
    ...raw('request: invalid UTF-8 bytes in the query', INVALID_UTF8, JSON_TYPE, 400, BAD, /^body: /, true, 'body'),
  },
];

export const GRAPHQL_CASES: readonly GraphqlCase[] = [...coercionCases, ...ruleCases, ...lookupCases, ...documentCases, ...hostileCases, ...requestCases];

/** Issue 13: control characters in prompts are refused, naming the field (the PNG parameters chunk forbids NUL). */
const CONTROL = /^(prompt|negativePrompt): must not contain control characters other than tab and newline, got U\+/;
export const GRAPHQL_CONTROL_CHARACTER_CASES: readonly GraphqlCase[] = [
  rule('prompt with a NUL', { prompt: 'red\u0000kente' }, 'prompt', /^prompt: must not contain control characters other than tab and newline, got U\+0000 at index 3$/),
  rule('prompt with an ANSI escape', { prompt: '\u001b[31mred' }, 'prompt', CONTROL),
  rule('prompt with DEL', { prompt: 'red\u007f' }, 'prompt', CONTROL),
  rule('prompt with a C1 control', { prompt: 'red\u0085' }, 'prompt', CONTROL),
  rule('negativePrompt with a NUL', { negativePrompt: 'x\u0000' }, 'negativePrompt', CONTROL),
  compareRule('a NUL in a prompt', { prompts: ['red', '\u0000kente'] }, 'prompt', CONTROL),
];

/**
 * The websocket (graphql-ws at /graphql), open mode: a subscribe whose document is hostile gets an
 * error on that subscription; a message over the size limits closes the socket with 1009 (ws refuses
 * a frame over its limit from the frame's header, before reading it).
 */
export interface GraphqlWsCase {
  readonly name: string;
  /** The query of a subscribe sent once connection_init is accepted. */
  readonly query?: string;
  /** Instead: one text message of this many bytes, sent before connection_init or after it is accepted. */
  readonly message?: { readonly bytes: number; readonly beforeInit: boolean };
  /** The error answered on the subscription (errors[0]). */
  readonly error?: { readonly code: string; readonly message: RegExp; readonly field?: string };
  /** The close code the server ends the socket with. */
  readonly closeCode?: number;
}

const MESSAGE_TOO_BIG = 1009;
const subscriptionBomb = `subscription { ...F0 } ${fragmentBomb(40, 'Subscription', 'generationEvents(id: "nope") { kind }')}`;

export const GRAPHQL_WS_CASES: readonly GraphqlWsCase[] = [
  { name: 'a 1 MiB message before connection_init', message: { bytes: 1 << 20, beforeInit: true }, closeCode: MESSAGE_TOO_BIG },
  { name: 'an 8 KiB message before connection_init (4 KiB until the key is accepted)', message: { bytes: 8192, beforeInit: true }, closeCode: MESSAGE_TOO_BIG },
  { name: 'a 1 MiB message after connection_init', message: { bytes: 1 << 20, beforeInit: false }, closeCode: MESSAGE_TOO_BIG },
  { name: 'a subscription of 9,000 bytes', query: `subscription { generationEvents(id: "x") { kind } } #${'x'.repeat(9000)}`, error: { code: BAD, field: 'query', message: OVER_BYTES } },
  { name: 'a subscription of 2,002 tokens', query: MANY_TOKENS, error: { code: BAD, field: 'query', message: OVER_TOKENS } },
  { name: 'a subscription nested 2,500 deep (the parser overflowed its stack)', query: DEEP_NESTING, error: { code: BAD, field: 'query', message: OVER_NESTING } },
  { name: 'a syntax error', query: 'subscription { generationEvents(id: "x") { kind }', error: { code: BAD, message: /^Syntax Error: Expected Name, found <EOF>/ } },
  { name: 'a fragment bomb of 40 levels', query: subscriptionBomb, error: { code: BAD, field: 'query', message: EXPANDS } },
  { name: 'a fragment bomb of 12 levels (validated in linear time, then run)', query: `subscription { ...F0 } ${fragmentBomb(12, 'Subscription', 'generationEvents(id: "nope") { kind }')}`, error: { code: 'NOT_FOUND', message: /^generation nope does not exist/ } },
  { name: 'a query (the websocket carries subscriptions)', query: '{ checkpoints { id } }', error: { code: BAD, message: /^query: querys go over HTTP/ } },
];

/** Issue 15: a comparison's preview settings (GraphQL types preview as Boolean; the interval's rules are the domain's). */
export const GRAPHQL_COMPARISON_PREVIEW_CASES: readonly GraphqlCase[] = [
  compareRule('previewInterval 0', { preview: true, previewInterval: 0 }, 'previewInterval', /^previewInterval: must be an integer from 1 to the number of steps/),
  compareRule('previewInterval past the steps', { preview: true, previewInterval: 2 }, 'previewInterval', /^previewInterval: must be an integer from 1 to the number of steps \(1\)/),
  compareRule('previewInterval without preview', { previewInterval: 1 }, 'previewInterval', /^previewInterval: is for previews/),
];

/** Issue 15: the comparison history's paging (the comparisons query): graphql-js types limit as Int, the domain the ranges. */
const HISTORY = 'query($limit: Int, $cursor: String) { comparisons(limit: $limit, cursor: $cursor) { nextCursor } }';
export const GRAPHQL_COMPARISON_HISTORY_CASES: readonly GraphqlCase[] = [
  operation('comparisons: limit 0', HISTORY, { limit: 0 }, BAD, /^limit: must be a whole number from 1 to 100/, 'limit'),
  operation('comparisons: limit 101', HISTORY, { limit: 101 }, BAD, /^limit: must be a whole number from 1 to 100/, 'limit'),
  operation('comparisons: limit "x"', HISTORY, { limit: 'x' }, BAD, /\$limit.*Int cannot represent non-integer value: "x"/, undefined, 400),
  operation('comparisons: a cursor not ours', HISTORY, { cursor: 'nope' }, BAD, /^cursor: must be a previous page's nextCursor/, 'cursor'),
  operation('comparisons: an empty cursor', HISTORY, { cursor: '' }, BAD, /^cursor: must be a previous page's nextCursor/, 'cursor'),
];

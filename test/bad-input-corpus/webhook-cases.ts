/**
 * Issue 17: the `webhook` field of generations and comparisons, on REST, GraphQL and gRPC. A bad
 * shape names the part (webhook, webhook.url, webhook.events, webhook.<unknown>); a target whose
 * address is not public (literal, in another notation, or a name resolving to one) names webhook.url.
 * The shared tables answer the same with and without an API key (test/webhooks.e2e-spec.ts runs the
 * REST one with a key); the OPEN_ tables hold what only open mode answers: a webhook the rules allow
 * is refused naming `webhook`, as there is no key whose secret could sign it.
 */
import { status } from '@grpc/grpc-js';
import type { GraphqlCase } from './graphql-cases';
import type { GrpcCase } from './grpc-cases';
import { post, VALID_GENERATION, type RestCase } from './rest-case';

const BAD = 'INVALID_ARGUMENT';
const URL_RULE = /^webhook\.url: must (be an absolute http or https URL|use http or https)/;
const EVENTS_RULE = /^webhook\.events: must be a non-empty array of distinct events from started, succeeded, failed, cancelled/;
const NOT_PUBLIC = /^webhook\.url: .* address.*; only public addresses may receive webhooks/;
/** A public address literal: allowed by the address rules without any DNS lookup. */
export const PUBLIC_TARGET = 'https://93.184.215.14/afd-hooks';
/** 2049 characters: one past the limit. */
const LONG_URL = `${PUBLIC_TARGET}/${'a'.repeat(2049 - PUBLIC_TARGET.length - 1)}`;
const COMPARE_OK = { prompts: ['red kente dress'], checkpoints: ['baseline'], width: 64, height: 64, steps: 1, seed: 1 };

/** Every private, loopback, link-local, CGNAT, multicast, unspecified, IPv4-mapped and metadata form tried. */
export const NOT_PUBLIC_TARGETS: ReadonlyArray<readonly [string, string]> = [
  ['private 10/8', 'http://10.0.0.1/hook'],
  ['private 172.16/12', 'https://172.16.5.4/hook'],
  ['private 192.168/16', 'http://192.168.0.1:8080/hook'],
  ['loopback', 'http://127.0.0.1:8080/hook'],
  ['loopback as a decimal integer', 'http://2130706433/hook'],
  ['loopback in hex', 'http://0x7f.0.0.1/hook'],
  ['localhost (resolves to loopback)', 'http://localhost/hook'],
  ['metadata 169.254.169.254', 'http://169.254.169.254/latest/meta-data/'],
  ['metadata fd00:ec2::254', 'http://[fd00:ec2::254]/latest/meta-data/'],
  ['link-local IPv6', 'http://[fe80::1]/hook'],
  ['IPv6 loopback', 'http://[::1]/hook'],
  ['IPv4-mapped IPv6 of a private address', 'http://[::ffff:10.0.0.1]/hook'],
  ['CGNAT 100.64/10', 'http://100.64.0.1/hook'],
  ['unspecified 0.0.0.0', 'http://0.0.0.0/hook'],
  ['multicast', 'http://224.0.0.1/hook'],
];

const generation = (name: string, webhook: unknown, field: string, message: RegExp): RestCase => post(`generation webhook ${name}`, '/v1/generations', { ...VALID_GENERATION, webhook }, 400, BAD, field, message);
const comparison = (name: string, webhook: unknown, field: string, message: RegExp): RestCase => post(`comparison webhook ${name}`, '/v1/comparisons', { ...COMPARE_OK, webhook }, 400, BAD, field, message);

export const REST_WEBHOOK_CASES: readonly RestCase[] = [
  generation('a string', PUBLIC_TARGET, 'webhook', /^webhook: must be an object \{ url, events\? \}/),
  generation('an array', [PUBLIC_TARGET], 'webhook', /^webhook: must be an object/),
  generation('without url', {}, 'webhook.url', /^webhook\.url: is required/),
  generation('url null', { url: null }, 'webhook.url', /^webhook\.url: is required/),
  generation('url a number', { url: 42 }, 'webhook.url', /^webhook\.url: must be a string/),
  generation('url empty', { url: '' }, 'webhook.url', URL_RULE),
  generation('url relative', { url: '/hooks' }, 'webhook.url', URL_RULE),
  generation('url ftp', { url: 'ftp://93.184.215.14/x' }, 'webhook.url', /^webhook\.url: must use http or https, got ftp:/),
  generation('url file', { url: 'file:///etc/passwd' }, 'webhook.url', /^webhook\.url: must use http or https, got file:/),
  generation('url javascript', { url: 'javascript:alert(1)' }, 'webhook.url', /^webhook\.url: must use http or https/),
  generation('url with credentials', { url: 'https://user:secret@93.184.215.14/x' }, 'webhook.url', /^webhook\.url: must not carry credentials/),
  generation('url of 2049 characters', { url: LONG_URL }, 'webhook.url', /^webhook\.url: must be at most 2048 characters, got 2049/),
  generation('an unknown field', { url: PUBLIC_TARGET, secret: 'whsec_x' }, 'webhook.secret', /^webhook\.secret: is not a webhook field \(known: url, events\)/),
  generation('events empty', { url: PUBLIC_TARGET, events: [] }, 'webhook.events', EVENTS_RULE),
  generation('events unknown', { url: PUBLIC_TARGET, events: ['done'] }, 'webhook.events', EVENTS_RULE),
  generation('events a string', { url: PUBLIC_TARGET, events: 'succeeded' }, 'webhook.events', EVENTS_RULE),
  generation('events repeated', { url: PUBLIC_TARGET, events: ['failed', 'failed'] }, 'webhook.events', EVENTS_RULE),
  generation('events numbers', { url: PUBLIC_TARGET, events: [1] }, 'webhook.events', EVENTS_RULE),
  ...NOT_PUBLIC_TARGETS.map(([name, url]) => generation(`to ${name}`, { url }, 'webhook.url', NOT_PUBLIC)),
  comparison('a number', 7, 'webhook', /^webhook: must be an object/),
  comparison('url gopher', { url: 'gopher://93.184.215.14/' }, 'webhook.url', /^webhook\.url: must use http or https/),
  comparison('events unknown', { url: PUBLIC_TARGET, events: ['completed'] }, 'webhook.events', EVENTS_RULE),
  comparison('to metadata 169.254.169.254', { url: 'http://169.254.169.254/' }, 'webhook.url', NOT_PUBLIC),
  comparison('to IPv6 loopback', { url: 'http://[::1]:9000/' }, 'webhook.url', NOT_PUBLIC),
];

export const OPEN_REST_WEBHOOK_CASES: readonly RestCase[] = [
  generation('without an API key (open mode)', { url: PUBLIC_TARGET }, 'webhook', /^webhook: needs an API key/),
  comparison('without an API key (open mode)', { url: PUBLIC_TARGET, events: ['succeeded'] }, 'webhook', /^webhook: needs an API key/),
];

const GENERATE = 'mutation($input: GenerateInput!) { generate(input: $input) { id } }';
const COMPARE = 'mutation($input: CompareInput!) { compare(input: $input) { id } }';
const VALID = { prompt: 'red kente dress', width: 64, height: 64, steps: 1, seed: 1 };

function graphql(name: string, query: string, input: Record<string, unknown>, message: RegExp, field?: string, statusCode?: number): GraphqlCase {
  return { name, method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify({ query, variables: { input } })), code: BAD, message, field, status: statusCode };
}

export const GRAPHQL_WEBHOOK_CASES: readonly GraphqlCase[] = [
  graphql('webhook: url missing (graphql-js)', GENERATE, { ...VALID, webhook: {} }, /Field "url" of required type "String!" was not provided/, undefined, 400),
  graphql('webhook: an unknown event (graphql-js)', GENERATE, { ...VALID, webhook: { url: PUBLIC_TARGET, events: ['DONE'] } }, /Value "DONE" does not exist in "WebhookEvent" enum/, undefined, 400),
  graphql('webhook: an unknown field (graphql-js)', GENERATE, { ...VALID, webhook: { url: PUBLIC_TARGET, secret: 'x' } }, /Field "secret" is not defined by type "WebhookInput"/, undefined, 400),
  graphql('webhook: url ftp', GENERATE, { ...VALID, webhook: { url: 'ftp://93.184.215.14/' } }, /^webhook\.url: must use http or https/, 'webhook.url'),
  graphql('webhook: url with credentials', GENERATE, { ...VALID, webhook: { url: 'https://a:b@93.184.215.14/' } }, /^webhook\.url: must not carry credentials/, 'webhook.url'),
  graphql('webhook: events empty', GENERATE, { ...VALID, webhook: { url: PUBLIC_TARGET, events: [] } }, EVENTS_RULE, 'webhook.events'),
  graphql('webhook: events repeated', GENERATE, { ...VALID, webhook: { url: PUBLIC_TARGET, events: ['FAILED', 'FAILED'] } }, EVENTS_RULE, 'webhook.events'),
  ...NOT_PUBLIC_TARGETS.slice(0, 8).map(([name, url]) => graphql(`webhook: to ${name}`, GENERATE, { ...VALID, webhook: { url } }, NOT_PUBLIC, 'webhook.url')),
  graphql('compare webhook: to IPv4-mapped IPv6', COMPARE, { prompts: ['red kente dress'], checkpoints: ['baseline'], width: 64, height: 64, steps: 1, webhook: { url: 'http://[::ffff:127.0.0.1]/' } }, NOT_PUBLIC, 'webhook.url'),
];

export const OPEN_GRAPHQL_WEBHOOK_CASES: readonly GraphqlCase[] = [graphql('webhook: without an API key (open mode)', GENERATE, { ...VALID, webhook: { url: PUBLIC_TARGET } }, /^webhook: needs an API key/, 'webhook')];

const GRPC_VALID = { prompt: 'red kente dress', width: 64, height: 64, steps: 1, seed: '1' };
const GRPC_COMPARE = { prompts: ['red kente dress'], checkpoints: ['baseline'], width: 64, height: 64, steps: 1, seed: '1' };
const generate = (name: string, webhook: Record<string, unknown>, field: string, message: RegExp): GrpcCase => ({
  name: `Generate: webhook ${name}`,
  service: 'DiffusionService',
  method: 'Generate',
  stream: true,
  request: { ...GRPC_VALID, webhook },
  code: status.INVALID_ARGUMENT,
  field,
  message,
});
const compare = (name: string, webhook: Record<string, unknown>, field: string, message: RegExp): GrpcCase => ({
  name: `Compare: webhook ${name}`,
  service: 'DiffusionService',
  method: 'Compare',
  stream: false,
  request: { ...GRPC_COMPARE, webhook },
  code: status.INVALID_ARGUMENT,
  field,
  message,
});

export const GRPC_WEBHOOK_CASES: readonly GrpcCase[] = [
  generate('url empty (proto3: unset)', {}, 'webhook.url', /^webhook\.url: must be an absolute http or https URL/),
  generate('url ftp', { url: 'ftp://93.184.215.14/' }, 'webhook.url', /^webhook\.url: must use http or https/),
  generate('url of 2049 characters', { url: LONG_URL }, 'webhook.url', /^webhook\.url: must be at most 2048 characters/),
  generate('events unknown', { url: PUBLIC_TARGET, events: ['done'] }, 'webhook.events', EVENTS_RULE),
  generate('events repeated', { url: PUBLIC_TARGET, events: ['started', 'started'] }, 'webhook.events', EVENTS_RULE),
  ...NOT_PUBLIC_TARGETS.slice(0, 8).map(([name, url]) => generate(`to ${name}`, { url }, 'webhook.url', NOT_PUBLIC)),
  compare('to metadata fd00:ec2::254', { url: 'http://[fd00:ec2::254]/' }, 'webhook.url', NOT_PUBLIC),
  compare('events unknown', { url: PUBLIC_TARGET, events: ['finished'] }, 'webhook.events', EVENTS_RULE),
];

export const OPEN_GRPC_WEBHOOK_CASES: readonly GrpcCase[] = [generate('without an API key (open mode)', { url: PUBLIC_TARGET }, 'webhook', /^webhook: needs an API key/)];

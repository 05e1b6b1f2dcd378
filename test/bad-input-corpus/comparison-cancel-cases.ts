/**
 * Issue 15: cancelling a comparison (and reading one over gRPC) with ids that are unknown or not
 * ids at all: every transport answers NOT_FOUND (GONE for an expired one) naming the id, echoed
 * short, never a 5xx. The
 * corpus runs them open; test/comparison-cancel.e2e-spec.ts runs the same ids with API keys too.
 */
import { status } from '@grpc/grpc-js';
import type { GraphqlCase } from './graphql-cases';
import type { GrpcCase } from './grpc-cases';
import type { RestCase } from './rest-case';

export interface CancelIdCase {
  readonly name: string;
  /** As it goes in the REST path (percent-encoded where it must be). */
  readonly path: string;
  /** As GraphQL and gRPC carry it. */
  readonly id: string;
  /** NOT_FOUND, or GONE for an id minted before this server started (its results would have been deleted). */
  readonly code: 'NOT_FOUND' | 'GONE';
  readonly message: RegExp;
}

const LONG_ID = 'a'.repeat(10_000);
/** A UUIDv7 minted in 2024. */
const OLD_ID = '0193c5a0-7b2e-7c41-9a3f-2b6d8e1f4a50';

export const CANCEL_ID_CASES: readonly CancelIdCase[] = [
  { name: 'an unknown id', path: 'nope', id: 'nope', code: 'NOT_FOUND', message: /^comparison nope does not exist$/ },
  { name: 'a well-formed id from before this server started', path: OLD_ID, id: OLD_ID, code: 'GONE', message: /^comparison 0193c5a0-7b2e-7c41-9a3f-2b6d8e1f4a50 was created before this server restarted/ },
  { name: 'a path trick', path: '..%2F..%2Fetc%2Fpasswd', id: '../../etc/passwd', code: 'NOT_FOUND', message: /^comparison \.\.\/\.\.\/etc\/passwd does not exist$/ },
  { name: 'a 10,000-character id, echoed short', path: LONG_ID, id: LONG_ID, code: 'NOT_FOUND', message: /^comparison a{64}… \(10000 characters\) does not exist$/ },
  { name: 'a unicode id', path: '%E2%9C%93%D8%B9%D8%B1%D8%A8%D9%8A', id: '✓عربي', code: 'NOT_FOUND', message: /^comparison ✓عربي does not exist$/ },
];

const JSON_TYPE = { 'content-type': 'application/json' };
const CANCEL = 'mutation($id: ID!) { cancelComparison(id: $id) { id status } }';

export const REST_COMPARISON_CANCEL_CASES: readonly RestCase[] = [
  ...CANCEL_ID_CASES.map((c): RestCase => ({ name: `DELETE /v1/comparisons/{id}: ${c.name}`, method: 'DELETE', path: `/v1/comparisons/${c.path}`, status: c.code === 'GONE' ? 410 : 404, code: c.code, message: c.message })),
  { name: 'DELETE /v1/comparisons (no id)', method: 'DELETE', path: '/v1/comparisons', status: 404, code: 'NOT_FOUND', message: /^Cannot DELETE/ },
];

export const GRAPHQL_COMPARISON_CANCEL_CASES: readonly GraphqlCase[] = [
  ...CANCEL_ID_CASES.map(
    (c): GraphqlCase => ({ name: `cancelComparison: ${c.name}`, method: 'POST', headers: JSON_TYPE, body: Buffer.from(JSON.stringify({ query: CANCEL, variables: { id: c.id } })), code: c.code, message: c.message }),
  ),
  {
    name: 'cancelComparison: no id',
    method: 'POST',
    headers: JSON_TYPE,
    body: Buffer.from(JSON.stringify({ query: 'mutation { cancelComparison { id } }' })),
    code: 'INVALID_ARGUMENT',
    message: /argument "id" of type "ID!" is required/,
  },
];

export const GRPC_COMPARISON_CANCEL_CASES: readonly GrpcCase[] = [
  ...CANCEL_ID_CASES.flatMap((c) =>
    // gRPC has no GONE: NOT_FOUND (its error-code metadata says GONE).
    ['CancelComparison', 'GetComparison'].map((method): GrpcCase => ({ name: `${method}: ${c.name}`, service: 'DiffusionService', method, stream: false, request: { id: c.id }, code: status.NOT_FOUND, message: c.message })),
  ),
  { name: 'CancelComparison: no id', service: 'DiffusionService', method: 'CancelComparison', stream: false, request: {}, code: status.NOT_FOUND, message: /^comparison {2}does not exist$/ },
];

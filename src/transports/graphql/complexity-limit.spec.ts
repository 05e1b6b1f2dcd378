import { buildSchema, execute, getIntrospectionQuery, parse } from 'graphql';
import { complexityError, INTROSPECTION_COSTS } from './complexity-limit';

const schema = buildSchema(`
  type Query { node(id: ID!): Node nodes(first: Int!): [Node!]! }
  type Node { child: Node name: String }
`);

/** Fragment i spreads fragment i+1 twice: 2^levels leaves once expanded, more than the estimator visits. */
function fragmentBomb(levels: number): string {
  const fragments = Array.from({ length: levels }, (_, i) => `fragment F${i} on Node { ...F${i + 1} ...F${i + 1} }`);
  return `query($id: ID!) { node(id: $id) { ...F0 } } ${fragments.join(' ')} fragment F${levels} on Node { name }`;
}

const check = (query: string, variables: Record<string, unknown> = {}, max = 1000) => complexityError(schema, parse(query), variables, undefined, max);

describe('complexityError', () => {
  it('answers nothing under the limit and names the cost over it', () => {
    expect(check('{ node(id: "1") { name } }')).toBeUndefined();
    const error = check(`{ ${Array.from({ length: 30 }, (_, i) => `a${i}: node(id: "1") { name }`).join(' ')} }`, {}, 50);
    expect(error?.message).toBe('query: costs 60; the limit is 50 (ask for fewer fields, or base64 for fewer images)');
    expect(error?.extensions).toEqual({ code: 'INVALID_ARGUMENT', details: { field: 'query', rule: 'max complexity', max: 50, complexity: 60 }, http: { status: 400 } });
  });

  it('fails closed: an operation whose cost cannot be estimated is refused', () => {
    const error = check(fragmentBomb(20), { id: '1' });
    expect(error?.message).toMatch(/^query: its cost could not be estimated \(Query exceeds the maximum allowed number of nodes\.\); the operation is refused$/);
    expect(error?.extensions).toMatchObject({ code: 'INVALID_ARGUMENT', details: { field: 'query', rule: 'max complexity', max: 1000 }, http: { status: 400 } });
  });

  it('lets graphql answer variables that do not coerce, and then nothing runs', async () => {
    const query = fragmentBomb(20);
    expect(check(query, { id: { not: 'an id' } })).toBeUndefined();
    let resolved = 0;
    const result = await execute({ schema, document: parse(query), variableValues: { id: { not: 'an id' } }, rootValue: { node: () => ++resolved } });
    expect(result.errors?.[0]?.message).toMatch(/^Variable "\$id" got invalid value/);
    expect(resolved).toBe(0);
  });

  it('counts introspection: padded aliases of __schema are refused, the standard introspection query fits', () => {
    const padded = `{ ${Array.from({ length: 10 }, (_, i) => `s${i}: __schema { types { name } }`).join(' ')} }`;
    expect(check(padded)?.message).toBe(`query: costs ${10 * (INTROSPECTION_COSTS['__schema']! + 2)}; the limit is 1000 (ask for fewer fields, or base64 for fewer images)`);
    expect(check(`{ ${Array.from({ length: 101 }, (_, i) => `t${i}: __type(name: "Node") { name }`).join(' ')} }`)?.message).toMatch(/^query: costs 1111; the limit is 1000/);
    expect(check(getIntrospectionQuery())).toBeUndefined();
  });
});

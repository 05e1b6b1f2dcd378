import { buildSchema, parse, specifiedRules, validate } from 'graphql';
import { maxDepthRule, maxExpandedFieldsRule, noSubscriptionsOverHttpRule, subscriptionsOnlyRule } from './query-limits';

const schema = buildSchema(`
  type Query { hello: String }
  type Mutation { touch: String }
  type Subscription { ticks: Int }
`);

const messages = (query: string, rule: typeof noSubscriptionsOverHttpRule): string[] =>
  validate(schema, parse(query), [...specifiedRules, rule]).map((error) => error.message);

describe('noSubscriptionsOverHttpRule', () => {
  it('lets queries and mutations through', () => {
    expect(messages('{ hello }', noSubscriptionsOverHttpRule)).toEqual([]);
    expect(messages('mutation { touch }', noSubscriptionsOverHttpRule)).toEqual([]);
  });

  it('refuses a subscription, naming query and pointing at the websocket', () => {
    const errors = validate(schema, parse('subscription Watch { ticks }'), [...specifiedRules, noSubscriptionsOverHttpRule]);
    expect(errors.map((e) => e.message)).toEqual(['query: subscriptions go over the websocket (graphql-ws at /graphql); HTTP carries queries and mutations']);
    expect(errors[0]?.extensions).toMatchObject({ details: { field: 'query', rule: 'no subscriptions over HTTP' } });
  });

  it('is the mirror of the websocket rule', () => {
    expect(messages('subscription { ticks }', subscriptionsOnlyRule)).toEqual([]);
    expect(messages('{ hello }', subscriptionsOnlyRule)).toHaveLength(1);
  });
});

describe('maxDepthRule and maxExpandedFieldsRule', () => {
  const deepSchema = buildSchema(`
    type Query { node: Node }
    type Node { child: Node name: String }
  `);

  /** Fragment i spreads fragment i+1 twice: expanded, the document has 2^levels leaves. */
  function fragmentBomb(levels: number, leaf = 'name'): string {
    const fragments = Array.from({ length: levels }, (_, i) => `fragment F${i} on Node { ...F${i + 1} ...F${i + 1} }`);
    return `{ node { ...F0 } } ${fragments.join(' ')} fragment F${levels} on Node { ${leaf} }`;
  }

  /** Counts every read of a fragment's selection set: the work a depth walk does per fragment. */
  function countingFragmentReads(query: string): { document: ReturnType<typeof parse>; reads: () => number } {
    const document = parse(query);
    let reads = 0;
    for (const definition of document.definitions) {
      if (definition.kind !== 'FragmentDefinition') continue;
      const selectionSet = definition.selectionSet;
      Object.defineProperty(definition, 'selectionSet', { get: () => (reads++, selectionSet), enumerable: true });
    }
    return { document, reads: () => reads };
  }

  it('walks each fragment once, however often it is spread (linear, not 2^levels)', () => {
    const levels = 16;
    const { document, reads } = countingFragmentReads(fragmentBomb(levels));
    expect(validate(deepSchema, document, [maxDepthRule(8)])).toEqual([]);
    // One read by graphql's visitor and one by the rule per fragment; the old walk read 2^16.
    expect(reads()).toBeLessThanOrEqual(2 * (levels + 1));
  });

  it('validates a 40-level fragment bomb with all of graphql\'s rules (2^40 expansions if walked per spread)', () => {
    expect(validate(deepSchema, parse(fragmentBomb(40)), [...specifiedRules, maxDepthRule(8)])).toEqual([]);
  });

  it('counts fields once fragments are spread, without spreading them, and refuses past the limit', () => {
    const { document, reads } = countingFragmentReads(fragmentBomb(40));
    const errors = validate(deepSchema, document, [...specifiedRules, maxDepthRule(8), maxExpandedFieldsRule(10_000)]);
    expect(errors.map((e) => e.message)).toEqual([`query: the operation expands to ${2 ** 40 + 1} fields through its fragments; the limit is 10000`]);
    expect(errors[0]?.extensions).toEqual({ details: { field: 'query', rule: 'max fields', max: 10_000 } });
    // Both rules share one measure of the document; graphql's own rules read the fragments a few times more.
    expect(reads()).toBeLessThan(10 * 41);
    const fields = (query: string): string[] => validate(deepSchema, parse(query), [maxExpandedFieldsRule(5)]).map((e) => e.message);
    expect(fields('{ node { name child { name __typename } } }')).toEqual([]);
    expect(fields('{ node { ...A ...A } } fragment A on Node { name child { name } }')).toEqual(['query: the operation expands to 7 fields through its fragments; the limit is 5']);
    expect(fields(`{ node { ...F0 } } ${Array.from({ length: 80 }, (_, i) => `fragment F${i} on Node { ...F${i + 1} ...F${i + 1} }`).join(' ')} fragment F80 on Node { name }`)).toEqual([
      'query: the operation expands to more than 2^53 fields through its fragments; the limit is 5',
    ]);
  });

  it('still measures depth through fragments, inline fragments and memoised fragments', () => {
    const depthOf = (query: string): string[] => validate(deepSchema, parse(query), [maxDepthRule(3)]).map((e) => e.message);
    expect(depthOf(fragmentBomb(20, 'child { child { child { name } } }'))).toEqual(['query: the operation is 5 levels deep; the limit is 3']);
    expect(depthOf('{ node { ... on Node { child { ...A } } } } fragment A on Node { child { name } }')).toEqual(['query: the operation is 4 levels deep; the limit is 3']);
    // A fragment used at two depths: its own depth is remembered, the operation's depth counts where it is spread.
    expect(depthOf('{ node { ...A child { ...A } } } fragment A on Node { name }')).toEqual([]);
    expect(depthOf('{ node { ...A child { ...A } } } fragment A on Node { child { name } }')).toEqual(['query: the operation is 4 levels deep; the limit is 3']);
    expect(depthOf('{ node { __typename } __schema { types { fields { type { ofType { name } } } } } }')).toEqual([]);
  });

  it('leaves cycles to graphql\'s own rule', () => {
    const errors = validate(deepSchema, parse('{ node { ...A } } fragment A on Node { child { ...B } } fragment B on Node { ...A }'), [...specifiedRules, maxDepthRule(8)]);
    expect(errors.map((e) => e.message)).toEqual(['Cannot spread fragment "A" within itself via "B".']);
  });
});

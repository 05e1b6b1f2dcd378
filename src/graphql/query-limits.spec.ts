import { buildSchema, parse, specifiedRules, validate } from 'graphql';
import { noSubscriptionsOverHttpRule, subscriptionsOnlyRule } from './query-limits';

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

import { getIntrospectionQuery, getOperationAST, parse } from 'graphql';
import { reachesNoResolver } from './introspection-reads';

const reachesNone = (query: string): boolean => {
  const document = parse(query);
  return reachesNoResolver(getOperationAST(document)!, document);
};

describe('reachesNoResolver', () => {
  it('is true for introspection-only operations, through fragments', () => {
    expect(reachesNone(getIntrospectionQuery())).toBe(true);
    expect(reachesNone('{ __typename }')).toBe(true);
    expect(reachesNone('{ a: __schema { types { name } } b: __type(name: "Query") { name } }')).toBe(true);
    expect(reachesNone('{ ... on Query { __typename } ...F } fragment F on Query { __schema { queryType { name } } }')).toBe(true);
  });

  it('is false as soon as one root field has a resolver (its guard counts the read)', () => {
    expect(reachesNone('{ __schema { types { name } } checkpoints { id } }')).toBe(false);
    expect(reachesNone('{ ...F } fragment F on Query { ... on Query { checkpoints { id } } }')).toBe(false);
  });

  it('looks at each fragment once, so a fragment bomb at the root costs one look per fragment', () => {
    const fragments = Array.from({ length: 40 }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`).join(' ');
    expect(reachesNone(`{ ...F0 } ${fragments} fragment F40 on Query { __typename }`)).toBe(true);
    expect(reachesNone(`{ ...F0 } ${fragments} fragment F40 on Query { checkpoints { id } }`)).toBe(false);
  });
});

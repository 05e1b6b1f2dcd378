import { buildSchema, parse, type OperationDefinitionNode } from 'graphql';
import { graphqlRoute } from './graphql-metrics.plugin';
import { restRoute } from './rest-metrics.middleware';

describe('route labels', () => {
  it('REST: method and route pattern; catch-alls and no route are unmatched; GraphQL and the scrape are not REST', () => {
    expect(restRoute({ method: 'GET', originalUrl: '/v1/generations/123?base64=true', route: { path: '/v1/generations/:id' } })).toBe('GET /v1/generations/:id');
    expect(restRoute({ method: 'GET', originalUrl: '/anything/123', route: { path: '/{*path}' } })).toBe('unmatched');
    expect(restRoute({ method: 'GET', originalUrl: '/anything/123' })).toBe('unmatched');
    expect(restRoute({ method: 'POST', originalUrl: '/graphql' })).toBeUndefined();
    expect(restRoute({ method: 'GET', originalUrl: '/metrics?x=1', route: { path: '/metrics' } })).toBeUndefined();
  });

  it('GraphQL: operation type and a root field the schema knows', () => {
    const schema = buildSchema('type Query { checkpoints: [String] generation(id: ID!): String } type Mutation { generate(prompt: String): String }');
    const route = (document: string) => graphqlRoute(schema, parse(document).definitions[0] as OperationDefinitionNode);
    expect(route('{ checkpoints }')).toBe('query checkpoints');
    expect(route('query Named($id: ID!) { g: generation(id: $id) }')).toBe('query generation');
    expect(route('mutation { generate(prompt: "a secret prompt") }')).toBe('mutation generate');
    expect(route('{ checkpoints generation(id: "1") }')).toBe('query multiple');
    expect(route('{ __schema { types { name } } }')).toBe('query __schema');
    expect(route('{ clientInventedField }')).toBe('query unknown');
    expect(route('{ ... on Query { checkpoints } }')).toBe('query fragment');
    expect(graphqlRoute(schema, undefined)).toBe('invalid');
  });
});

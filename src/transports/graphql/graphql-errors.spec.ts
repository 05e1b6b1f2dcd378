import { ApolloServer } from '@apollo/server';
import { Logger } from '@nestjs/common';
import { GraphQLError, GraphQLNonNull, GraphQLObjectType, GraphQLScalarType, GraphQLSchema, GraphQLString, parse, validate } from 'graphql';
import { ApiError, ErrorCode } from '../../common/error-code';
import { formatGraphQLError } from './graphql-errors';

const MODEL_PATH = '/srv/afd/models/final/unet/model.onnx';

const Seed = new GraphQLScalarType({
  name: 'Seed',
  parseValue: () => {
    throw new TypeError('Seed must be an integer or a decimal string, got boolean');
  },
});

const failing = (error: () => Error) => ({
  type: GraphQLString,
  resolve: () => {
    throw error();
  },
});

const schema = new GraphQLSchema({
  query: new GraphQLObjectType({
    name: 'Query',
    fields: {
      crash: failing(() => new Error(`ENOENT: no such file or directory, open '${MODEL_PATH}'`)),
      leakPath: failing(() => new ApiError(ErrorCode.MODEL_FAILED, `checkpoint "final": cannot load ${MODEL_PATH}`, { checkpoint: 'final' })),
      overflow: failing(() => new ApiError(ErrorCode.MODEL_FAILED, 'device cpu: Maximum call stack size exceeded')),
      seeded: { type: GraphQLString, args: { seed: { type: new GraphQLNonNull(Seed) } }, resolve: () => 'never' },
    },
  }),
});

describe('formatGraphQLError', () => {
  let server: ApolloServer;
  let logged: jest.SpyInstance;
  const errorsOf = async (query: string, variables?: Record<string, unknown>) => {
    const response = await server.executeOperation({ query, variables });
    if (response.body.kind !== 'single') throw new Error('expected a single result');
    return { status: response.http.status, errors: response.body.singleResult.errors, text: JSON.stringify(response.body.singleResult) };
  };

  beforeAll(async () => {
    server = new ApolloServer({ schema, formatError: formatGraphQLError, includeStacktraceInErrorResponses: false });
    await server.start();
  });
  afterAll(() => server.stop());
  beforeEach(() => {
    logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('answers a parser that overflowed the stack as INTERNAL "internal error", and logs the detail', async () => {
    const { errors, text } = await errorsOf(`${'{a'.repeat(5000)}${'}'.repeat(5000)}`);
    expect(errors).toEqual([{ message: 'internal error', extensions: { code: 'INTERNAL', details: {} } }]);
    expect(text).not.toMatch(/Maximum call stack/);
    expect(logged.mock.calls.join('\n')).toMatch(/Maximum call stack size exceeded/);
  });

  it('answers an unexpected resolver error as INTERNAL "internal error", without its path', async () => {
    const { errors, text } = await errorsOf('{ crash }');
    expect(errors).toEqual([{ message: 'internal error', path: ['crash'], locations: [{ line: 1, column: 3 }], extensions: { code: 'INTERNAL', details: {} } }]);
    expect(text).not.toContain('/srv/');
    expect(logged.mock.calls.join('\n')).toContain(MODEL_PATH);
  });

  it('removes an absolute path from a domain error, keeping its code, details and the rest of its message', async () => {
    const { errors } = await errorsOf('{ leakPath }');
    expect(errors?.[0]).toMatchObject({ message: 'checkpoint "final": cannot load <path>', extensions: { code: 'MODEL_FAILED', details: { checkpoint: 'final' } } });
  });

  it('answers a domain error carrying a runtime\'s own text as INTERNAL', async () => {
    const { errors } = await errorsOf('{ overflow }');
    expect(errors?.[0]).toMatchObject({ message: 'internal error', extensions: { code: 'INTERNAL' } });
  });

  it('keeps the messages of request errors, including a scalar\'s own TypeError about a variable', async () => {
    const { errors } = await errorsOf('query($s: Seed!) { seeded(seed: $s) }', { s: true });
    expect(errors?.[0]).toMatchObject({ message: expect.stringMatching(/Seed must be an integer or a decimal string, got boolean/), extensions: { code: 'INVALID_ARGUMENT', details: { graphqlCode: 'BAD_USER_INPUT' } } });
    expect((await errorsOf('{ nope }')).errors?.[0]).toMatchObject({ message: 'Cannot query field "nope" on type "Query".', extensions: { code: 'INVALID_ARGUMENT' } });
    expect((await errorsOf('query A { crash } query A { crash }')).errors?.[0]?.message).toBe('There can be only one operation named "A".');
  });

  it('formats graphql-js\'s own request errors without a code (the websocket\'s) as INVALID_ARGUMENT', () => {
    const [error] = validate(schema, parse('{ nope }'));
    expect(formatGraphQLError(error!.toJSON(), error)).toMatchObject({ message: 'Cannot query field "nope" on type "Query".', extensions: { code: 'INVALID_ARGUMENT', details: { graphqlCode: 'GRAPHQL_VALIDATION_FAILED' } } });
    const wrapped = new GraphQLError('something broke', { originalError: new RangeError('Maximum call stack size exceeded') });
    expect(formatGraphQLError(wrapped.toJSON(), wrapped)).toMatchObject({ message: 'internal error', extensions: { code: 'INTERNAL' } });
  });
});

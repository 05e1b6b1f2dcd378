import { getIntrospectionQuery } from 'graphql';
import { documentLimitError, MAX_NESTING } from './document-limits';

const limits = { maxBytes: 4096, maxTokens: 100 };
const detailsOf = (query: string) => documentLimitError(query, limits)?.extensions['details'];

describe('documentLimitError', () => {
  it('lets a document within every limit through, and the standard introspection query under the defaults', () => {
    expect(documentLimitError('{ checkpoints { id } }', limits)).toBeUndefined();
    expect(documentLimitError(getIntrospectionQuery(), { maxBytes: 32_768, maxTokens: 2000 })).toBeUndefined();
  });

  it('refuses more bytes than the limit, counting UTF-8 bytes, naming query and the rule', () => {
    const error = documentLimitError(`{ tokenize(text: "${'é'.repeat(2100)}") { count } }`, limits);
    expect(error?.message).toBe('query: is 4232 bytes; the limit is 4096 (pass large values as variables)');
    expect(error?.extensions).toEqual({ code: 'INVALID_ARGUMENT', details: { field: 'query', rule: 'max size', max: 4096 }, http: { status: 400 } });
  });

  it('refuses more tokens than the limit (comments do not count, as in graphql\'s parser)', () => {
    expect(documentLimitError(`{ ${'a '.repeat(98)}}`, limits)).toBeUndefined();
    expect(documentLimitError(`{ ${'a '.repeat(98)}# ${'x'.repeat(1000)}\n }`, limits)).toBeUndefined();
    expect(documentLimitError(`{ ${'a '.repeat(99)}}`, limits)?.message).toBe('query: has more than 100 tokens; the limit is 100');
    expect(detailsOf(`{ ${'a '.repeat(99)}}`)).toEqual({ field: 'query', rule: 'max tokens', max: 100 });
  });

  it(`refuses brackets nested deeper than ${MAX_NESTING} (graphql's recursive parser would overflow the stack near 2,000)`, () => {
    const nested = (levels: number): string => `${'{a'.repeat(levels)}${'}'.repeat(levels)}`;
    const wide = { maxBytes: 1 << 20, maxTokens: 100_000 };
    expect(documentLimitError(nested(MAX_NESTING), wide)).toBeUndefined();
    expect(documentLimitError(nested(MAX_NESTING + 1), wide)?.extensions['details']).toEqual({ field: 'query', rule: 'max nesting', max: MAX_NESTING });
    expect(documentLimitError(nested(5000), wide)?.message).toBe(`query: nests brackets more than ${MAX_NESTING} deep; the limit is ${MAX_NESTING}`);
    expect(documentLimitError(`{ a(x: ${'['.repeat(MAX_NESTING)}`, wide)?.extensions['details']).toMatchObject({ rule: 'max nesting' });
  });

  it('leaves a document that does not lex to the parser, which names the syntax error', () => {
    expect(documentLimitError('{ a(x: "unterminated) }', limits)).toBeUndefined();
    expect(documentLimitError('{ \u0007 }', limits)).toBeUndefined();
  });
});

/**
 * Caps on a GraphQL document before it is parsed: its size in bytes, its number of tokens, and how
 * deeply its brackets nest. Parsing and validation cost grows with the document (and graphql-js
 * parses recursively, so deep nesting overflows the stack), and they run before authentication, so
 * these checks are what keeps a hostile document cheap: one pass of graphql's own lexer, which stops
 * at the first limit crossed.
 */
import { GraphQLError, Lexer, Source, TokenKind, parse, type DocumentNode } from 'graphql';

export interface DocumentLimits {
  /** The query text's size in UTF-8 bytes (AFD_GRAPHQL_MAX_QUERY_BYTES). */
  readonly maxBytes: number;
  /** Tokens in the query, as graphql's parser counts them: comments excluded (AFD_GRAPHQL_MAX_TOKENS). */
  readonly maxTokens: number;
}

/**
 * Brackets (`{`, `(`, `[`) open at once. Far above what the depth limit (64 at most) and nested input
 * objects need; far below the ~2,000 levels at which graphql-js's recursive parser overflows the stack.
 */
export const MAX_NESTING = 128;

const OPENING: ReadonlySet<string> = new Set([TokenKind.BRACE_L, TokenKind.PAREN_L, TokenKind.BRACKET_L]);
const CLOSING: ReadonlySet<string> = new Set([TokenKind.BRACE_R, TokenKind.PAREN_R, TokenKind.BRACKET_R]);

function refusal(message: string, rule: string, max: number): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'INVALID_ARGUMENT', details: { field: 'query', rule, max }, http: { status: 400 } } });
}

/** The first limit the query crosses, or undefined. A document that does not lex is left to the parser, which names the syntax error. */
export function documentLimitError(query: string, limits: DocumentLimits): GraphQLError | undefined {
  // UTF-8 is at most 3 bytes per UTF-16 unit: short strings need no count.
  if (query.length * 3 > limits.maxBytes) {
    const bytes = Buffer.byteLength(query, 'utf8');
    if (bytes > limits.maxBytes) return refusal(`query: is ${bytes} bytes; the limit is ${limits.maxBytes} (pass large values as variables)`, 'max size', limits.maxBytes);
  }
  const lexer = new Lexer(new Source(query));
  let tokens = 0;
  let nesting = 0;
  try {
    for (let token = lexer.advance(); token.kind !== TokenKind.EOF; token = lexer.advance()) {
      if (++tokens > limits.maxTokens) return refusal(`query: has more than ${limits.maxTokens} tokens; the limit is ${limits.maxTokens}`, 'max tokens', limits.maxTokens);
      if (OPENING.has(token.kind) && ++nesting > MAX_NESTING) return refusal(`query: nests brackets more than ${MAX_NESTING} deep; the limit is ${MAX_NESTING}`, 'max nesting', MAX_NESTING);
      if (CLOSING.has(token.kind)) nesting--;
    }
  } catch (error) {
    if (error instanceof GraphQLError) return undefined;
    throw error;
  }
  return undefined;
}

/** Parses a query already checked by documentLimitError; the token cap again, in case a caller skipped the check. */
export function parseWithinLimits(query: string, limits: DocumentLimits): DocumentNode {
  return parse(query, { maxTokens: limits.maxTokens });
}

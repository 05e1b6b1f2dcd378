/**
 * `Seed`: an unsigned 64-bit integer. GraphQL's Int is 32-bit, so a seed may arrive as an Int or as
 * a decimal string, and is always answered as a string. The domain checks the range.
 */
import { GraphQLScalarType, Kind, type ValueNode } from 'graphql';

export const SeedScalar = new GraphQLScalarType<string | number, string>({
  name: 'Seed',
  description: 'Unsigned 64-bit seed: an Int, or a decimal string for values above 2^31 - 1. Answered as a string.',
  serialize: (value) => String(value),
  parseValue: (value) => {
    if (typeof value === 'number' || typeof value === 'string') return value;
    throw new TypeError(`Seed must be an integer or a decimal string, got ${value === null ? 'null' : typeof value}`);
  },
  parseLiteral: (ast: ValueNode) => {
    if (ast.kind === Kind.INT) return Number(ast.value) <= Number.MAX_SAFE_INTEGER ? Number(ast.value) : ast.value;
    if (ast.kind === Kind.STRING) return ast.value;
    throw new TypeError(`Seed must be an integer or a decimal string, got a ${ast.kind.toLowerCase()}`);
  },
});

import type { NextFunction, Request, Response } from 'express';
import { documentLimitsMiddleware } from './document-limits.middleware';

const limits = { maxBytes: 4096, maxTokens: 50 };
const TOO_MANY = `{ ${'a '.repeat(60)}}`;

function run(request: Partial<Request>): { next: jest.Mock; status?: number; body?: unknown } {
  const outcome: { next: jest.Mock; status?: number; body?: unknown } = { next: jest.fn() };
  const response = {
    status(code: number) {
      outcome.status = code;
      return this;
    },
    json(body: unknown) {
      outcome.body = body;
      return this;
    },
  } as unknown as Response;
  documentLimitsMiddleware(limits)(request as Request, response, outcome.next as NextFunction);
  return outcome;
}

describe('documentLimitsMiddleware', () => {
  it('passes a request within the limits on to Apollo', () => {
    expect(run({ method: 'POST', url: '/', body: { query: '{ checkpoints { id } }' } }).next).toHaveBeenCalled();
  });

  it('answers 400 in GraphQL\'s shape, naming query and the rule, without calling Apollo', () => {
    const outcome = run({ method: 'POST', url: '/', body: { query: TOO_MANY } });
    expect(outcome.next).not.toHaveBeenCalled();
    expect(outcome).toMatchObject({
      status: 400,
      body: { errors: [{ message: 'query: has more than 50 tokens; the limit is 50', extensions: { code: 'INVALID_ARGUMENT', details: { field: 'query', rule: 'max tokens', max: 50 } } }] },
    });
  });

  it('reads GET queries as Apollo does, from the URL, checking every `query` parameter', () => {
    const search = new URLSearchParams([['query', '{ checkpoints { id } }'], ['query', TOO_MANY]]).toString();
    expect(run({ method: 'GET', url: `/?${search}` }).status).toBe(400);
    expect(run({ method: 'GET', url: `/?${new URLSearchParams({ query: '{ checkpoints { id } }' }).toString()}` }).next).toHaveBeenCalled();
  });

  it('leaves what is not a query string (a batch, a number, no body) to Apollo', () => {
    for (const body of [[{ query: TOO_MANY }], { query: 42 }, undefined]) expect(run({ method: 'POST', url: '/', body }).next).toHaveBeenCalled();
  });
});

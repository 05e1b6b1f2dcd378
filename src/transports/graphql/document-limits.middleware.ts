/**
 * Express middleware in front of Apollo on /graphql: refuses a query over the document limits with
 * 400 before Apollo builds a request context, parses or validates anything, and before any key is
 * checked (it runs for every caller, so it only measures and answers).
 */
import type { NextFunction, Request, Response } from 'express';
import { documentLimitError, type DocumentLimits } from './document-limits';

/**
 * The query texts of a GraphQL request over HTTP, read as Apollo reads them: the JSON body's `query`
 * (POST), or every `query` search parameter (GET; Apollo refuses more than one, each is checked anyway).
 */
function queriesOf(request: Request): unknown[] {
  if (request.method === 'GET') return new URLSearchParams(request.url.split('?')[1] ?? '').getAll('query');
  const body: unknown = request.body;
  return typeof body === 'object' && body !== null && !Array.isArray(body) ? [(body as Record<string, unknown>)['query']] : [];
}

export function documentLimitsMiddleware(limits: DocumentLimits): (request: Request, response: Response, next: NextFunction) => void {
  return (request, response, next) => {
    let error;
    // Anything else (no query, a batch, a number) is Apollo's to refuse, with its own message.
    for (const query of queriesOf(request)) if (!error && typeof query === 'string') error = documentLimitError(query, limits);
    if (!error) return next();
    const { code, details } = error.extensions as { code: string; details: Record<string, unknown> };
    response.status(400).json({ errors: [{ message: error.message, extensions: { code, details } }] });
  };
}

/**
 * Maps every error to an HTTP status and a `{code, message, details}` body; never leaks a stack.
 * Errors raised in GraphQL resolvers are handed back as GraphQLErrors carrying the same code.
 */
import { ArgumentsHost, Catch, HttpException, Inject, Logger, Optional, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { GraphQLError } from 'graphql';
import { toGraphQLError } from '../graphql/graphql-errors';
import { boundMessage } from '../../common/bounded-text';
import { ApiError, ErrorCode } from '../../common/error-code';
import { toApiError } from '../../error-mapping/to-api-error';
import { REST_ERROR_FACES, type RestErrorFace } from './rest-error-face';

export const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = {
  [ErrorCode.INVALID_ARGUMENT]: 400,
  [ErrorCode.NOT_ACCEPTABLE]: 406,
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.PERMISSION_DENIED]: 403,
  [ErrorCode.NOT_FOUND]: 404,
  [ErrorCode.GONE]: 410,
  [ErrorCode.CONFLICT]: 409,
  [ErrorCode.TOO_LARGE]: 413,
  [ErrorCode.RESOURCE_EXHAUSTED]: 429,
  [ErrorCode.DEADLINE_EXCEEDED]: 504,
  [ErrorCode.CANCELLED]: 409,
  [ErrorCode.UNAVAILABLE]: 503,
  [ErrorCode.MODEL_FAILED]: 502,
  [ErrorCode.INTERNAL]: 500,
};

@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrorFilter');

  /** `faces`: route families answering in another API's dialect (see rest-error-face.ts). */
  constructor(@Optional() @Inject(REST_ERROR_FACES) private readonly faces: readonly RestErrorFace[] = []) {}

  catch(exception: unknown, host: ArgumentsHost): GraphQLError | void {
    if (host.getType<string>() === 'graphql') {
      const error = toGraphQLError(exception);
      if (error.extensions['code'] === ErrorCode.INTERNAL) this.logger.error(exception instanceof Error ? exception.stack : String(exception));
      return error;
    }
    const response = host.switchToHttp().getResponse<Response>();
    const error =
      exception instanceof HttpException ? fromHttpException(exception) : isBodyParserError(exception) ? fromBodyParser(exception) : toApiError(exception);
    if (error.code === ErrorCode.INTERNAL) this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    if (error.code === ErrorCode.UNAUTHENTICATED && !response.headersSent) response.setHeader('WWW-Authenticate', 'Bearer realm="afd"');
    if (error.retryAfterMs !== undefined) response.setHeader('Retry-After', String(Math.max(1, Math.ceil(error.retryAfterMs / 1000))));
    if (response.headersSent) return;
    const bounded = new ApiError(error.code, boundMessage(error.message), error.details, error.retryAfterMs);
    const face = this.faceFor(host);
    if (face) {
      const answer = face.answer(bounded, HTTP_STATUS[error.code]);
      for (const [name, value] of Object.entries(answer.headers ?? {})) response.setHeader(name, value);
      response.status(answer.status).json(answer.body);
      return;
    }
    response.status(HTTP_STATUS[error.code]).json({ code: error.code, message: bounded.message, details: error.details });
  }

  private faceFor(host: ArgumentsHost): RestErrorFace | undefined {
    if (this.faces.length === 0) return undefined;
    const request = host.switchToHttp().getRequest<Request | undefined>();
    if (typeof request?.originalUrl !== 'string') return undefined;
    const path = request.originalUrl.split('?')[0] ?? '';
    return this.faces.find((face) => face.handles(path));
  }
}

/** Nest's own exceptions (malformed JSON body, body too large, unknown route) in the same shape. */
function fromHttpException(exception: HttpException): ApiError {
  const status = exception.getStatus();
  const code =
    status === 404 ? ErrorCode.NOT_FOUND : status === 413 ? ErrorCode.INVALID_ARGUMENT : status < 500 ? ErrorCode.INVALID_ARGUMENT : ErrorCode.INTERNAL;
  const body = exception.getResponse();
  const message = typeof body === 'object' && body !== null && 'message' in body ? String((body as { message: unknown }).message) : exception.message;
  if (status === 400 && exception.name === 'BadRequestException' && /JSON/i.test(message)) {
    return new ApiError(code, `body: is not valid JSON (${message})`, { field: 'body', rule: 'valid JSON' });
  }
  // Express's router could not percent-decode a path parameter (e.g. `%E0%A4%A`); Nest hands it on as a 400.
  if (status === 400 && /^Failed to decode param/.test(message)) {
    return new ApiError(code, `path: is not valid percent-encoding (${message})`, { field: 'path', rule: 'percent-encoding' });
  }
  return new ApiError(code, message, { status });
}

/**
 * Express's body parser rejects before Nest sees the request: too large, bad encoding, bad JSON.
 * Its errors carry a `type`, except a body that fails to decompress (`Content-Encoding: gzip` over
 * bytes that are not gzip): that one is the zlib error marked as a client error (status 400, expose).
 */
interface BodyParserError {
  readonly type?: string;
  readonly status: number;
  readonly message: string;
  readonly limit?: number;
  readonly expose?: boolean;
}

function isBodyParserError(error: unknown): error is BodyParserError {
  const e = error as Partial<BodyParserError> | null;
  return (typeof e?.type === 'string' || e?.expose === true) && typeof e.status === 'number' && e.status >= 400 && e.status < 500;
}

function fromBodyParser(error: BodyParserError): ApiError {
  if (error.type === 'entity.too.large') {
    return new ApiError(ErrorCode.TOO_LARGE, `body: is larger than the server accepts (${error.limit ?? '?'} bytes)`, { field: 'body', rule: 'size limit' });
  }
  if (error.type === undefined) {
    return new ApiError(ErrorCode.INVALID_ARGUMENT, `body: could not be decoded as its Content-Encoding says (${error.message})`, { field: 'body', rule: 'content encoding' });
  }
  return new ApiError(ErrorCode.INVALID_ARGUMENT, `body: ${error.message}`, { field: 'body', rule: error.type });
}

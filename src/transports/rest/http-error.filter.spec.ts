import { ArgumentsHost, BadRequestException, Logger } from '@nestjs/common';
import { inflateSync } from 'node:zlib';
import { ApiError, ErrorCode } from '../../common/error-code';
import { HttpErrorFilter } from './http-error.filter';
import type { RestErrorFace } from './rest-error-face';

interface Answer {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Runs the filter on an HTTP exception and returns what it answered. */
function answer(exception: unknown, faces?: readonly RestErrorFace[], path = '/v1/generations'): Answer {
  const result: Answer = { headers: {} };
  const response = {
    headersSent: false,
    setHeader: (name: string, value: string) => {
      (result.headers as Record<string, string>)[name.toLowerCase()] = value;
      return response;
    },
    status: (status: number) => {
      result.status = status;
      return response;
    },
    json: (body: Answer['body']) => {
      result.body = body;
      return response;
    },
  };
  const host = { getType: () => 'http', switchToHttp: () => ({ getResponse: () => response, getRequest: () => ({ originalUrl: `${path}?x=1` }) }) } as unknown as ArgumentsHost;
  new HttpErrorFilter(faces).catch(exception, host);
  const { status, body } = result;
  return faces ? result : { status, body };
}

/** What body-parser hands on when a `Content-Encoding: deflate` body does not inflate: the zlib error, marked 400. */
function undecodableBody(): Error {
  let error: Error | undefined;
  try {
    inflateSync(Buffer.from('{"prompt":"red"}'));
  } catch (e) {
    error = e as Error;
  }
  return Object.assign(error as Error, { status: 400, statusCode: 400, expose: true });
}

describe('HttpErrorFilter', () => {
  // INTERNAL errors are logged with their stack; these ones are on purpose.
  beforeAll(() => jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined));
  afterAll(() => jest.restoreAllMocks());

  it('answers a body that does not decompress with 400 naming body, not 500', () => {
    expect(answer(undecodableBody())).toEqual({
      status: 400,
      body: { code: 'INVALID_ARGUMENT', message: expect.stringMatching(/^body: could not be decoded as its Content-Encoding says \(.+\)$/), details: { field: 'body', rule: 'content encoding' } },
    });
  });

  it('answers a path parameter that is not valid percent-encoding with 400 naming path', () => {
    expect(answer(new BadRequestException("Failed to decode param '%E0%A4%A'"))).toEqual({
      status: 400,
      body: { code: 'INVALID_ARGUMENT', message: "path: is not valid percent-encoding (Failed to decode param '%E0%A4%A')", details: { field: 'path', rule: 'percent-encoding' } },
    });
  });

  it("answers in a face's dialect on the paths it handles, and in the API's own elsewhere", () => {
    const face: RestErrorFace = {
      handles: (path) => path.startsWith('/v1/other'),
      answer: (error, status) => ({ status: status + 1, body: { fault: error.message, code: error.code }, headers: { 'x-face': 'yes' } }),
    };
    const limited = new ApiError(ErrorCode.RESOURCE_EXHAUSTED, `rate limit ${'x'.repeat(2000)}`, { rule: 'rate limit' }, 2500);
    const other = answer(limited, [face], '/v1/other/thing');
    expect(other).toEqual({ status: 430, body: { fault: expect.stringMatching(/… \(2011 characters\)$/), code: 'RESOURCE_EXHAUSTED' }, headers: { 'retry-after': '3', 'x-face': 'yes' } });
    expect(answer(limited, [face], '/v1/generations')).toEqual({ status: 429, body: expect.objectContaining({ code: 'RESOURCE_EXHAUSTED', details: { rule: 'rate limit' } }), headers: { 'retry-after': '3' } });
  });

  it('still hides errors that are not client errors', () => {
    expect(answer(Object.assign(new Error('secret'), { status: 500, expose: false }))).toEqual({ status: 500, body: { code: 'INTERNAL', message: 'internal error', details: {} } });
    expect(answer(Object.assign(new Error('secret'), { status: 400 }))).toEqual({ status: 500, body: { code: 'INTERNAL', message: 'internal error', details: {} } });
  });
});

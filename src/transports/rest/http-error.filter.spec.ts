import { ArgumentsHost, BadRequestException, Logger } from '@nestjs/common';
import { inflateSync } from 'node:zlib';
import { HttpErrorFilter } from './http-error.filter';

interface Answer {
  status?: number;
  body?: { code: string; message: string; details: Record<string, unknown> };
}

/** Runs the filter on an HTTP exception and returns what it answered. */
function answer(exception: unknown): Answer {
  const result: Answer = {};
  const response = {
    headersSent: false,
    setHeader: () => response,
    status: (status: number) => {
      result.status = status;
      return response;
    },
    json: (body: Answer['body']) => {
      result.body = body;
      return response;
    },
  };
  const host = { getType: () => 'http', switchToHttp: () => ({ getResponse: () => response }) } as unknown as ArgumentsHost;
  new HttpErrorFilter().catch(exception, host);
  return result;
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

  it('still hides errors that are not client errors', () => {
    expect(answer(Object.assign(new Error('secret'), { status: 500, expose: false }))).toEqual({ status: 500, body: { code: 'INTERNAL', message: 'internal error', details: {} } });
    expect(answer(Object.assign(new Error('secret'), { status: 400 }))).toEqual({ status: 500, body: { code: 'INTERNAL', message: 'internal error', details: {} } });
  });
});

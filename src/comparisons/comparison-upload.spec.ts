import { BadRequestException, PayloadTooLargeException } from '@nestjs/common';
import { ApiError, ErrorCode } from '../common/error-code';
import { comparisonBodyFromMultipart, multipartError } from './comparison-upload';

const file = (bytes: Buffer) => ({ fieldname: 'referenceImage', buffer: bytes, size: bytes.length });

describe('comparisonBodyFromMultipart', () => {
  it('reads the request part as the JSON body and adds the file as referenceImage', () => {
    const bytes = Buffer.from('png bytes');
    expect(comparisonBodyFromMultipart({ request: '{"prompts": ["a"], "seed": 3}' }, file(bytes))).toEqual({ prompts: ['a'], seed: 3, referenceImage: bytes });
    expect(comparisonBodyFromMultipart(Object.assign(Object.create(null), { request: '{"prompt": "a"}' }), undefined)).toEqual({ prompt: 'a' });
  });

  it.each([
    [{}, 'request', /is required in a multipart body/],
    [{ request: 'not json' }, 'request', /must be the comparison as a JSON object/],
    [{ request: '[1]' }, 'request', /must be the comparison as a JSON object/],
    [{ request: '{}', prompt: 'a' }, 'prompt', /is not a part of a multipart comparison/],
    [{ request: '{}', referenceImage: 'iVBOR' }, 'referenceImage', /must be a file part/],
  ])('refuses parts %j naming %s', (fields, field, message) => {
    let error: unknown;
    try {
      comparisonBodyFromMultipart(fields, undefined);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).details).toMatchObject({ field });
    expect((error as ApiError).message).toMatch(message);
  });

  it('refuses the image both as a file and in the JSON', () => {
    expect(() => comparisonBodyFromMultipart({ request: '{"prompt": "a", "referenceImage": "iVBOR"}' }, file(Buffer.from('x')))).toThrow(/not both/);
  });

  it('keeps a __proto__ key as data (then refused as an unknown field), never as a prototype', () => {
    const body = comparisonBodyFromMultipart({ request: '{"prompt": "a", "__proto__": {"polluted": true}}' }, undefined);
    expect(Object.keys(body)).toEqual(['prompt', '__proto__']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

describe('multipartError', () => {
  it.each([
    [new PayloadTooLargeException('File too large'), ErrorCode.TOO_LARGE, 'referenceImage', /^referenceImage: must be at most 8 MiB/],
    [new BadRequestException('Field value too long - request'), ErrorCode.TOO_LARGE, 'request', /^request: must be at most 65536 bytes/],
    [new BadRequestException('Too many files - referenceImage'), ErrorCode.INVALID_ARGUMENT, 'referenceImage', /at most one file/],
    [new BadRequestException('Unexpected file field - picture'), ErrorCode.INVALID_ARGUMENT, 'picture', /the one file part is referenceImage/],
    [new BadRequestException('Too many fields'), ErrorCode.INVALID_ARGUMENT, 'body', /two parts: request .* and referenceImage/],
    [new BadRequestException('Multipart: Boundary not found'), ErrorCode.INVALID_ARGUMENT, 'body', /not a valid multipart\/form-data body \(Multipart: Boundary not found\)/],
  ])('maps %s', (exception, code, field, message) => {
    const error = multipartError(exception) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.code).toBe(code);
    expect(error.details).toMatchObject({ field });
    expect(error.message).toMatch(message);
  });

  it('lets other errors through', () => {
    const other = new Error('boom');
    expect(multipartError(other)).toBe(other);
  });
});

import { BadRequestException, PayloadTooLargeException } from '@nestjs/common';
import { ApiError, ErrorCode } from '../../common/error-code';
import { bodyFromMultipart, imageUploadLimits, multipartError, type UploadedImageFile } from './image-upload';

const COMPARISON = { kind: 'comparison', fileFields: ['referenceImage', 'initImage'] } as const;
const GENERATION = { kind: 'generation', fileFields: ['initImage'] } as const;
const comparisonBodyFromMultipart = (fields: unknown, one: UploadedImageFile | undefined) => bodyFromMultipart(fields, one ? { [one.fieldname]: [one] } : undefined, COMPARISON);

const file = (bytes: Buffer) => ({ fieldname: 'referenceImage', buffer: bytes, size: bytes.length });

describe('bodyFromMultipart', () => {
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

  it('takes each file part under its own name (a comparison: referenceImage and initImage; a generation: initImage)', () => {
    const a = Buffer.from('a');
    const b = Buffer.from('b');
    const files = { referenceImage: [{ fieldname: 'referenceImage', buffer: a, size: 1 }], initImage: [{ fieldname: 'initImage', buffer: b, size: 1 }] };
    expect(bodyFromMultipart({ request: '{"prompt": "a", "strength": 0.6}' }, files, COMPARISON)).toEqual({ prompt: 'a', strength: 0.6, referenceImage: a, initImage: b });
    expect(bodyFromMultipart({ request: '{"prompt": "a"}' }, { initImage: files.initImage }, GENERATION)).toEqual({ prompt: 'a', initImage: b });
    expect(() => bodyFromMultipart({ request: '{"prompt": "a", "initImage": "iVBOR"}' }, { initImage: files.initImage }, GENERATION)).toThrow(/^initImage: give the image either as the file part or in the request JSON, not both/);
    expect(() => bodyFromMultipart({ request: '{"prompt": "a"}', initImage: 'iVBOR' }, undefined, GENERATION)).toThrow(/^initImage: must be a file part/);
  });

  it('lets multer count one file and one text field per file part, besides request', () => {
    expect(imageUploadLimits(GENERATION)).toMatchObject({ files: 1, fields: 2, parts: 3, fileSize: 8 * 1024 * 1024 });
    expect(imageUploadLimits(COMPARISON)).toMatchObject({ files: 2, fields: 3, parts: 5 });
  });

  it('counts one text part per named text field for a form sent field by field (OpenAI variations)', () => {
    const form = { kind: 'variation', fileFields: ['image'], textFields: ['model', 'n', 'size'] } as const;
    expect(imageUploadLimits(form)).toMatchObject({ files: 1, fields: 4, parts: 5 });
    expect((multipartError(new BadRequestException('Too many fields'), form) as ApiError).message).toMatch(/^body: a multipart variation has text fields \(model, n, size\) and file parts \(image\), each at most once/);
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
    [new BadRequestException('Unexpected field - initImage'), ErrorCode.INVALID_ARGUMENT, 'initImage', /at most one file/],
    [new BadRequestException('Unexpected file field - picture'), ErrorCode.INVALID_ARGUMENT, 'picture', /the file parts are referenceImage and initImage/],
    [new BadRequestException('Too many fields'), ErrorCode.INVALID_ARGUMENT, 'body', /a request part .* file parts \(referenceImage, initImage\)/],
    [new BadRequestException('Multipart: Boundary not found'), ErrorCode.INVALID_ARGUMENT, 'body', /not a valid multipart\/form-data body \(Multipart: Boundary not found\)/],
  ])('maps %s', (exception, code, field, message) => {
    const error = multipartError(exception, COMPARISON) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.code).toBe(code);
    expect(error.details).toMatchObject({ field });
    expect(error.message).toMatch(message);
  });

  it('names the file part being read when a file is too large (multer does not say which)', () => {
    const error = multipartError(new PayloadTooLargeException('File too large'), COMPARISON, 'initImage') as ApiError;
    expect(error).toMatchObject({ code: ErrorCode.TOO_LARGE, details: { field: 'initImage' } });
    expect(error.message).toMatch(/^initImage: must be at most 8 MiB/);
  });

  it('lets other errors through', () => {
    const other = new Error('boom');
    expect(multipartError(other, COMPARISON)).toBe(other);
  });
});

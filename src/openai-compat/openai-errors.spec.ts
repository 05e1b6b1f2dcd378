import { ApiError, ErrorCode, invalidArgument } from '../common/error-code';
import { HTTP_STATUS } from '../transports/rest/http-error.filter';
import { OPENAI_ERROR_FACE, openAiErrorAnswer, openAiInvalid } from './openai-errors';

const answer = (error: ApiError) => openAiErrorAnswer(error, HTTP_STATUS[error.code]);

describe('the OpenAI error face', () => {
  it('answers for the OpenAI paths only', () => {
    for (const path of ['/v1/images/generations', '/v1/images/variations', '/v1/models', '/v1/models/final', '/V1/Models']) expect([path, OPENAI_ERROR_FACE.handles(path)]).toEqual([path, true]);
    for (const path of ['/v1/generations', '/v1/checkpoints', '/v1/modelsx', '/v1/imagesx', '/graphql', '/']) expect([path, OPENAI_ERROR_FACE.handles(path)]).toEqual([path, false]);
  });

  it("names native fields by the OpenAI field the client sent, in `param` and the message", () => {
    expect(answer(invalidArgument('width', 'must be a multiple of 8 (latents are 1/8 of the image), got 100')).body).toEqual({
      error: { message: 'size: width must be a multiple of 8 (latents are 1/8 of the image), got 100', type: 'invalid_request_error', param: 'size', code: 'invalid_value' },
    });
    expect(answer(invalidArgument('numImages', 'must be between 1 and 8, got 9')).body).toMatchObject({ error: { message: 'n: must be between 1 and 8, got 9', param: 'n' } });
    expect(answer(invalidArgument('guidanceScale', 'must be a finite number, got "x"')).body).toMatchObject({ error: { message: 'guidance_scale: must be a finite number, got "x"', param: 'guidance_scale' } });
    // The JPEG/WebP quality is output_compression to an OpenAI client, but OpenAI's own `quality` field keeps its name.
    expect(answer(invalidArgument('quality', 'must be an integer from 1 to 100')).body).toMatchObject({ error: { param: 'output_compression' } });
    expect(answer(openAiInvalid('quality', 'must be one of low, high', 'ultra')).body).toMatchObject({ error: { message: 'quality: must be one of low, high, got "ultra"', param: 'quality' } });
    // A field the request has no name for is no param.
    expect(answer(invalidArgument('body', 'is not valid JSON')).body).toMatchObject({ error: { param: null } });
  });

  it("gives an unknown checkpoint OpenAI's 404 model_not_found", () => {
    const error = new ApiError(ErrorCode.NOT_FOUND, 'checkpoint "v9" does not exist; known: final', { field: 'checkpoint' });
    expect(answer(error)).toEqual({ status: 404, body: { error: { message: 'model "v9" does not exist; known: final', type: 'invalid_request_error', param: 'model', code: 'model_not_found' } }, headers: {} });
  });

  it('answers the rate limit with 429 and a full queue as overloaded (503), both with retry-after-ms', () => {
    const limited = answer(new ApiError(ErrorCode.RESOURCE_EXHAUSTED, 'rate limit: 2 generation requests per minute', { rule: 'rate limit' }, 12_500));
    expect(limited).toEqual({ status: 429, body: { error: expect.objectContaining({ type: 'requests', code: 'rate_limit_exceeded', param: null }) }, headers: { 'retry-after-ms': '12500' } });
    const full = answer(new ApiError(ErrorCode.RESOURCE_EXHAUSTED, 'queue full', { reason: 'QUEUE_FULL' }, 1000));
    expect(full).toEqual({ status: 503, body: { error: expect.objectContaining({ type: 'server_error', code: 'overloaded' }) }, headers: { 'retry-after-ms': '1000' } });
  });

  it("keeps the SDKs from retrying what a retry would repeat, and maps every code to OpenAI's statuses", () => {
    expect(answer(new ApiError(ErrorCode.MODEL_FAILED, 'non-finite output')).headers).toEqual({ 'x-should-retry': 'false' });
    expect(answer(new ApiError(ErrorCode.CONFLICT, 'idempotency key reused')).headers).toEqual({ 'x-should-retry': 'false' });
    expect(answer(new ApiError(ErrorCode.UNAVAILABLE, 'shutting down', {}, 1000)).headers).toEqual({ 'retry-after-ms': '1000' });
    for (const code of Object.values(ErrorCode)) {
      const { status, body } = answer(new ApiError(code, 'x'));
      const type = (body as { error: { type: string } }).error.type;
      expect([code, status >= 500 ? type === 'server_error' : type !== 'server_error']).toEqual([code, true]);
    }
    expect(answer(new ApiError(ErrorCode.UNAUTHENTICATED, 'authorization: the API key is not valid', { field: 'authorization' })).body).toEqual({
      error: { message: 'authorization: the API key is not valid', type: 'invalid_request_error', param: null, code: 'invalid_api_key' },
    });
  });
});

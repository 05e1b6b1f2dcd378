import { ApiError, ErrorCode } from '../common/error-code';
import { generationAnswer } from './generation-answer';

function refusal(accept: string, body: Record<string, unknown> = {}): ApiError {
  try {
    generationAnswer(accept, body);
  } catch (error) {
    return error as ApiError;
  }
  throw new Error(`${accept} was accepted`);
}

describe('generationAnswer: what POST /v1/generations answers with, from Accept', () => {
  it.each<[string | undefined, Record<string, unknown>, 'json' | 'image']>([
    [undefined, {}, 'json'],
    ['', {}, 'json'],
    ['*/*', {}, 'json'],
    ['application/json', {}, 'json'],
    ['application/*', {}, 'json'],
    ['image/png', {}, 'image'],
    ['image/*', {}, 'image'],
    ['image/png, application/json', {}, 'image'],
    ['application/json, image/png;q=0.5', {}, 'json'],
    ['image/jpeg', { outputFormat: 'jpeg' }, 'image'],
    ['image/webp;q=0.9, */*;q=0.1', { outputFormat: 'webp' }, 'image'],
    ['image/gif, */*;q=0.1', {}, 'json'],
    ['image/png, application/json;q=0.1', { numImages: 2 }, 'json'],
    ['IMAGE/PNG', {}, 'image'],
    // An outputFormat we do not produce is validation's to refuse (400 naming outputFormat).
    ['image/gif', { outputFormat: 'gif' }, 'json'],
  ])('Accept %j with %j → %s', (accept, body, expected) => {
    expect(generationAnswer(accept, body)).toBe(expected);
  });

  it.each<[string, Record<string, unknown>]>([
    ['image/gif', {}],
    ['image/jpeg', {}],
    ['image/png', { outputFormat: 'webp' }],
    ['text/html', {}],
    ['image/png;q=0, application/json;q=0', {}],
    ['*/*;q=0', {}],
    ['image/png', { numImages: 2 }],
  ])('refuses Accept %j with %j: 406 naming Accept and what can be produced', (accept, body) => {
    const error = refusal(accept, body);
    expect(error).toMatchObject({ code: ErrorCode.NOT_ACCEPTABLE, details: { field: 'Accept' } });
    expect(error.message).toMatch(/^Accept: lists none of the types this request can be answered with: application\/json/);
  });
});

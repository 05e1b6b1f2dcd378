import { ApiError } from '../common/error-code';
import { parseImageVariationRequest } from './openai-variation-request';

const IMAGE = Buffer.from('the file part');

/** The refusal a form gets: its param, OpenAI code and message. */
function refusal(fields: unknown, image: Buffer | undefined): { param: unknown; code: unknown; message: string } {
  try {
    parseImageVariationRequest(fields, image);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return { param: error.details['param'], code: error.details['openaiCode'], message: error.message };
  }
  throw new Error('accepted');
}

describe('parseImageVariationRequest', () => {
  it('maps the text parts to a native image-to-image request, numbers read from their text', () => {
    const ask = parseImageVariationRequest(
      { model: 'final', n: '3', size: '256x128', response_format: 'b64_json', user: 'u1', seed: '18446744073709551615', steps: '12', scheduler: 'ddim', negative_prompt: 'blurry', guidance_scale: '5.5', prompt: 'gold', strength: '0.75' },
      IMAGE,
    );
    expect(ask).toEqual({
      generation: { prompt: 'gold', initImage: IMAGE, strength: 0.75, width: 256, height: 128, outputFormat: 'png', checkpoint: 'final', numImages: 3, seed: '18446744073709551615', steps: 12, scheduler: 'ddim', negativePrompt: 'blurry', guidanceScale: 5.5 },
      responseFormat: 'b64_json',
      outputFormat: 'png',
      width: 256,
      height: 128,
    });
  });

  it('defaults: an empty prompt, strength 0.6, the default size, URLs', () => {
    expect(parseImageVariationRequest({}, IMAGE)).toEqual({
      generation: { prompt: '', initImage: IMAGE, strength: 0.6, width: 512, height: 512, outputFormat: 'png' },
      responseFormat: 'url',
      outputFormat: 'png',
      width: 512,
      height: 512,
    });
  });

  it('passes text that is not a number on as it came, for the native rules to refuse', () => {
    expect(parseImageVariationRequest({ n: 'two', strength: 'NaN', steps: '0x10' }, IMAGE).generation).toMatchObject({ numImages: 'two', strength: 'NaN', steps: '0x10' });
  });

  it.each([
    ['no image', {}, undefined, 'image', 'missing_required_parameter', /^image: is required/],
    ['the image as text', { image: 'abc' }, IMAGE, 'image', 'invalid_type', /^image: must be a file part/],
    ['an unknown field', { mask: 'x' }, IMAGE, 'mask', 'unknown_parameter', /^mask: is not a field of image variations \(known: image, model, n, size, response_format, user, prompt, strength, seed/],
    ['a repeated field', { n: ['1', '2'] }, IMAGE, 'n', 'invalid_type', /^n: must be given once/],
    ['a bracketed field', { seed: { x: '1' } }, IMAGE, 'seed', 'invalid_type', /^seed: must be given once/],
    ['a bad size', { size: '64X64' }, IMAGE, 'size', 'invalid_value', /^size: must be WIDTHxHEIGHT/],
    ['a bad response_format', { response_format: 'png' }, IMAGE, 'response_format', 'invalid_value', /^response_format: must be one of url, b64_json/],
    ['a long user', { user: 'u'.repeat(257) }, IMAGE, 'user', 'invalid_value', /^user: must be at most 256 characters/],
  ])('refuses %s naming the param', (_name, fields, image, param, code, message) => {
    const got = refusal(fields, image);
    expect({ param: got.param, code: got.code }).toEqual({ param, code });
    expect(got.message).toMatch(message);
  });
});

import { ApiError } from '../common/error-code';
import { parseImageGenerationRequest } from './openai-image-request';

/** The refusal a body gets: its param, OpenAI code and message. */
function refusal(body: unknown): { param: unknown; code: unknown; message: string } {
  try {
    parseImageGenerationRequest(body);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return { param: error.details['param'], code: error.details['openaiCode'], message: error.message };
  }
  throw new Error('accepted');
}

describe('parseImageGenerationRequest', () => {
  it('maps OpenAI fields and the extensions to the native request', () => {
    const ask = parseImageGenerationRequest({
      prompt: 'red kente dress',
      model: 'checkpoint-40000',
      n: 3,
      size: '256x128',
      response_format: 'b64_json',
      output_format: 'jpeg',
      output_compression: 70,
      seed: '42',
      steps: 12,
      scheduler: 'ddim',
      negative_prompt: 'blurry',
      guidance_scale: 5,
    });
    expect(ask).toEqual({
      generation: { prompt: 'red kente dress', checkpoint: 'checkpoint-40000', numImages: 3, width: 256, height: 128, outputFormat: 'jpeg', quality: 70, seed: '42', steps: 12, scheduler: 'ddim', negativePrompt: 'blurry', guidanceScale: 5 },
      responseFormat: 'b64_json',
      outputFormat: 'jpeg',
      width: 256,
      height: 128,
    });
  });

  it('takes omitted, null and auto as the defaults: the default checkpoint, 512x512, PNG, URLs', () => {
    for (const body of [{ prompt: 'x' }, { prompt: 'x', model: null, size: null, n: null, response_format: null }, { prompt: 'x', size: 'auto' }]) {
      expect(parseImageGenerationRequest(body)).toEqual({ generation: { prompt: 'x', width: 512, height: 512, outputFormat: 'png' }, responseFormat: 'url', outputFormat: 'png', width: 512, height: 512 });
    }
  });

  it('accepts and ignores the OpenAI fields that change nothing here', () => {
    const plain = parseImageGenerationRequest({ prompt: 'x' });
    const ignored = { quality: 'hd', style: 'natural', moderation: 'low', complexity: 'high', background: 'opaque', stream: false, partial_images: 2, user: 'u-1', safety_identifier: 'hash' };
    expect(parseImageGenerationRequest({ prompt: 'x', ...ignored })).toEqual(plain);
    // output_compression sets the JPEG/WebP quality; PNG is lossless; 0 is the encoder's lowest, 1.
    expect(parseImageGenerationRequest({ prompt: 'x', output_compression: 10 }).generation).not.toHaveProperty('quality');
    expect(parseImageGenerationRequest({ prompt: 'x', output_format: 'webp', output_compression: 0 }).generation).toMatchObject({ quality: 1 });
  });

  it.each([
    [[], 'body', 'invalid_type', /^body: must be a JSON object/],
    [{ prompt: 'x', colour: 'red' }, 'colour', 'unknown_parameter', /^colour: is not a field of this images API \(known: prompt, model, n, size/],
    [{ prompt: 'x', checkpoint: 'final' }, 'checkpoint', 'unknown_parameter', /^checkpoint: is not a field/],
    [{ size: '64x64' }, 'prompt', 'missing_required_parameter', /^prompt: is required$/],
    [{ prompt: 'x', stream: true }, 'stream', 'invalid_value', /^stream: streamed answers are not supported.*, got true$/],
    [{ prompt: 'x', background: 'transparent' }, 'background', 'invalid_value', /^background: transparent cannot be honoured/],
    [{ prompt: 'x', background: 'clear' }, 'background', 'invalid_value', /^background: must be one of opaque, auto, got "clear"$/],
    [{ prompt: 'x', output_format: 'svg' }, 'output_format', 'invalid_value', /^output_format: svg cannot be produced here; use one of png, jpeg, webp$/],
    [{ prompt: 'x', output_format: 'bmp' }, 'output_format', 'invalid_value', /^output_format: must be one of png, jpeg, webp, got "bmp"$/],
    [{ prompt: 'x', frame_count: 4 }, 'frame_count', 'invalid_value', /^frame_count: is for GIF output/],
    [{ prompt: 'x', svg: {} }, 'svg', 'invalid_value', /^svg: is for SVG output/],
    [{ prompt: 'x', size: '512' }, 'size', 'invalid_value', /^size: must be WIDTHxHEIGHT .*, got "512"$/],
    [{ prompt: 'x', size: 512 }, 'size', 'invalid_value', /, got 512$/],
    [{ prompt: 'x', size: '123456x64' }, 'size', 'invalid_value', /^size: must be WIDTHxHEIGHT/],
    [{ prompt: 'x', size: ['64x64'] }, 'size', 'invalid_value', /, got an array$/],
    [{ prompt: 'x', response_format: 'png' }, 'response_format', 'invalid_value', /^response_format: must be one of url, b64_json, got "png"$/],
    [{ prompt: 'x', quality: 'ultra' }, 'quality', 'invalid_value', /^quality: must be one of low, medium, high, xhigh, max, auto, standard, hd/],
    [{ prompt: 'x', output_compression: 101 }, 'output_compression', 'invalid_value', /^output_compression: must be an integer from 0 to 100, got 101$/],
    [{ prompt: 'x', partial_images: 4 }, 'partial_images', 'invalid_value', /^partial_images: must be an integer from 0 to 3/],
    [{ prompt: 'x', user: { id: 1 } }, 'user', 'invalid_type', /^user: must be a string, got an object$/],
    [{ prompt: 'x', user: 'u'.repeat(257) }, 'user', 'invalid_value', /^user: must be at most 256 characters, got 257$/],
    [{ prompt: 'x', style: 'x'.repeat(10_000) }, 'style', 'invalid_value', /… \(10000 characters\)$/],
  ])('refuses %j naming %s (%s)', (body, param, code, message) => {
    const found = refusal(body);
    expect({ param: found.param, code: found.code }).toEqual({ param, code });
    expect(found.message).toMatch(message);
  });
});

import { InvalidInputError } from '../errors';
import { DEFAULT_REQUEST, parseGenerationRequest, ValidGenerationRequest, type GenerationInput } from './generation-request';

describe('parseGenerationRequest', () => {
  it('fills defaults and keeps what was given', () => {
    const request = parseGenerationRequest({ prompt: 'kente', seed: '18446744073709551615', scheduler: 'lms', width: 768 });
    expect(request).toEqual({ ...DEFAULT_REQUEST, prompt: 'kente', seed: 18446744073709551615n, scheduler: 'lms', width: 768 });
  });

  it('draws a random seed when none is given', () => {
    const a = parseGenerationRequest({ prompt: 'x' }).seed;
    const b = parseGenerationRequest({ prompt: 'x' }).seed;
    expect(a).not.toBe(b);
    expect(a).toBeLessThanOrEqual(BigInt(Number.MAX_SAFE_INTEGER));
  });

  it.each<[string, GenerationInput, RegExp]>([
    ['a missing prompt', {}, /^prompt: is required$/],
    ['a prompt that is not a string', { prompt: ['a'] }, /^prompt: must be a string, got an array$/],
    ['a huge prompt', { prompt: 'a'.repeat(5000) }, /^prompt: must be at most 4000 characters, got 5000$/],
    ['a negative prompt object', { prompt: 'a', negativePrompt: {} }, /^negativePrompt: must be a string/],
    ['a width not a multiple of 8', { prompt: 'a', width: 100 }, /^width: must be a multiple of 8/],
    ['a height too large', { prompt: 'a', height: 4096 }, /^height: must be between 64 and 1024, got 4096$/],
    ['a string width', { prompt: 'a', width: '512' }, /^width: must be a finite number, got "512"$/],
    ['NaN steps', { prompt: 'a', steps: Number.NaN }, /^steps: must be a finite number/],
    ['zero steps', { prompt: 'a', steps: 0 }, /^steps: must be between 1 and 150, got 0$/],
    ['fractional steps', { prompt: 'a', steps: 2.5 }, /^steps: must be an integer, got 2.5$/],
    ['negative guidance', { prompt: 'a', guidanceScale: -1 }, /^guidanceScale: must be between 0 and 50/],
    ['infinite guidance', { prompt: 'a', guidanceScale: Number.POSITIVE_INFINITY }, /^guidanceScale: must be a finite number/],
    ['an unknown scheduler', { prompt: 'a', scheduler: 'DPM fast' }, /^scheduler: must be one of pndm, ddim, euler, euler-a, dpm\+\+2m, lms, dpm\+\+2m-karras, .*, deis or an AUTOMATIC1111 sampler name such as "DPM\+\+ 2M Karras" \(the samplers list gives every name\), got "DPM fast"$/],
    ['a display name in the wrong case', { prompt: 'a', scheduler: 'dpm++ 2m karras' }, /^scheduler: must be one of .*got "dpm\+\+ 2m karras"$/],
    ['an unknown noise mode', { prompt: 'a', noiseMode: 'cuda' }, /^noiseMode: must be one of torch, numpy/],
    ['too many images', { prompt: 'a', numImages: 9 }, /^numImages: must be between 1 and 8, got 9$/],
    ['a negative seed', { prompt: 'a', seed: -1 }, /^seed: /],
    ['a seed above 2^64 - 1', { prompt: 'a', seed: '18446744073709551616' }, /^seed: /],
    ['a hex seed', { prompt: 'a', seed: '0x10' }, /^seed: /],
    ['a numpy seed above 2^32 - 1', { prompt: 'a', noiseMode: 'numpy', seed: 4294967295, numImages: 2 }, /^seed: with noiseMode numpy/],
    ['eta out of range', { prompt: 'a', eta: 2 }, /^eta: must be between 0 and 1/],
  ])('rejects %s, naming the field and the rule', (_label, input, message) => {
    let error: unknown;
    try {
      parseGenerationRequest(input);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as Error).message).toMatch(message);
  });

  it('rejects a body that is not an object', () => {
    expect(() => parseGenerationRequest(null as unknown as GenerationInput)).toThrow(/^request: must be an object$/);
    expect(() => parseGenerationRequest([] as unknown as GenerationInput)).toThrow(/^request: must be an object$/);
  });

  it('honours configured limits', () => {
    const limits = { minSize: 8, maxSize: 128, maxSteps: 10, maxImages: 2, maxGuidanceScale: 20, maxPromptLength: 10 };
    expect(parseGenerationRequest({ prompt: 'a', width: 8, height: 128, steps: 10 }, limits)).toMatchObject({ width: 8, height: 128 });
    expect(() => parseGenerationRequest({ prompt: 'a', steps: 11 }, limits)).toThrow(/^steps: must be between 1 and 10/);
    expect(parseGenerationRequest({ prompt: 'a' }, limits)).toMatchObject({ width: 128, height: 128, steps: 10 });
  });

  it.each<[string, string, string, string]>([
    ['NUL', 'prompt', 'red\u0000kente', 'U+0000 at index 3'],
    ['an escape', 'prompt', '\u001b[31mred', 'U+001B at index 0'],
    ['a carriage return', 'negativePrompt', 'blurry\r', 'U+000D at index 6'],
    ['DEL', 'negativePrompt', 'x\u007f', 'U+007F at index 1'],
    ['a C1 control', 'prompt', 'red \u0085 dress', 'U+0085 at index 4'],
    ['a vertical tab', 'prompt', 'a\u000bb', 'U+000B at index 1'],
  ])('refuses %s in %s, naming the field and the character', (_name, field, value, where) => {
    expect(() => parseGenerationRequest({ prompt: 'ok', [field]: value })).toThrow(
      new InvalidInputError(field, `must not contain control characters other than tab and newline, got ${where}`),
    );
  });

  it('keeps tab, newline and other unusual but printable text', () => {
    const prompt = 'red\tkente\ndress 👗 فستان \u00a0\u2028';
    expect(parseGenerationRequest({ prompt, negativePrompt: 'a\nb' })).toMatchObject({ prompt, negativePrompt: 'a\nb' });
  });

  it('echoes at most a short head of an unknown scheduler name', () => {
    expect(() => parseGenerationRequest({ prompt: 'x', scheduler: 'h'.repeat(100_000) })).toThrow(/got "h{40}…"$/);
  });
});

describe('ValidGenerationRequest: validity as a type', () => {
  it('is what parseGenerationRequest returns, frozen, with the fields as plain own properties', () => {
    const request = parseGenerationRequest({ prompt: 'kente', seed: 3 });
    expect(ValidGenerationRequest.isValid(request)).toBe(true);
    expect(Object.isFrozen(request)).toBe(true);
    expect([ValidGenerationRequest.isValid({ ...request }), ValidGenerationRequest.isValid(structuredClone(request)), ValidGenerationRequest.isValid(null)]).toEqual([false, false, false]);
    // A spread copy (e.g. for a PNG's parameters) keeps every field, and only those.
    expect({ ...request }).toEqual({ ...DEFAULT_REQUEST, prompt: 'kente', seed: 3n });
    // What crosses to a worker thread is the fields, as before.
    expect(structuredClone(request)).toEqual({ ...DEFAULT_REQUEST, prompt: 'kente', seed: 3n });
  });

  it('cannot be made outside parseGenerationRequest', () => {
    const fields = { ...parseGenerationRequest({ prompt: 'kente' }), width: 65 };
    // @ts-expect-error -- the issuer token is private to generation-request.ts
    expect(() => new ValidGenerationRequest(Symbol('parseGenerationRequest'), fields)).toThrow(TypeError);
    // @ts-expect-error -- a copy with a field changed has lost the proof
    const forged: ValidGenerationRequest = fields;
    expect(ValidGenerationRequest.isValid(forged)).toBe(false);
  });
});

describe('parseGenerationRequest: image to image fields', () => {
  const image = { width: 2, height: 1, data: new Uint8Array(6) };

  it('takes an init image with diffusers’ default strength, or the strength asked for', () => {
    expect(parseGenerationRequest({ prompt: 'kente', initImage: image })).toMatchObject({ initImage: image, strength: 0.8 });
    expect(parseGenerationRequest({ prompt: 'kente', initImage: image, strength: 1 }).strength).toBe(1);
    expect(parseGenerationRequest({ prompt: 'kente' })).not.toHaveProperty('initImage');
  });

  it.each([
    [0, /strength: must be greater than 0 and at most 1, got 0/],
    [1.5, /strength: must be between 0 and 1, got 1.5/],
    [Number.NaN, /strength: must be a finite number/],
    ['0.5', /strength: must be a finite number/],
  ])('refuses strength %p naming the field', (strength, message) => {
    expect(() => parseGenerationRequest({ prompt: 'kente', initImage: image, strength })).toThrow(message);
  });

  it('refuses a strength that runs no step (diffusers: floor(steps × strength) steps)', () => {
    expect(() => parseGenerationRequest({ prompt: 'kente', initImage: image, strength: 0.03, steps: 25 })).toThrow(/strength: times steps must be at least 1 .* 0.03 × 25 steps runs none/);
    expect(parseGenerationRequest({ prompt: 'kente', initImage: image, strength: 0.04, steps: 25 }).strength).toBe(0.04);
  });

  it('refuses a strength without an init image, and an init image that is not decoded pixels', () => {
    expect(() => parseGenerationRequest({ prompt: 'kente', strength: 0.5 })).toThrow(/strength: applies only with initImage/);
    expect(() => parseGenerationRequest({ prompt: 'kente', initImage: { width: 2, height: 2, data: new Uint8Array(6) } })).toThrow(/initImage: must be an image/);
    expect(() => parseGenerationRequest({ prompt: 'kente', initImage: 'aGVsbG8=' })).toThrow(/initImage: must be an image/);
  });
});

import { z } from 'zod';
import { InvalidInputError } from '../engine/errors';
import { parseGenerationRequest } from '../engine/pipeline/generation-request';
import { describeGenerationField, GENERATION_FIELDS, GenerateRequestSchema } from './generation.schemas';

/**
 * The schema states the engine's rules to clients; the engine checks them. For each field, values at
 * and around every limit must be accepted or refused by both alike, or the document would lie.
 */
const ENGINE_FIELDS: Record<string, readonly unknown[]> = {
  // A null or missing prompt is the domain's cross-field rule (attributes may stand in), not the schema's.
  prompt: ['', 'red dress', 'x'.repeat(4000), 'x'.repeat(4001), 42],
  negativePrompt: ['', 'blurry', 'x'.repeat(4001), [], null],
  seed: [0, 1, 2 ** 53 - 1, 2 ** 53, -1, 1.5, '0', '01', '18446744073709551615', '18446744073709551616', '99999999999999999999', ' 1', 'abc', true, null],
  steps: [0, 1, 150, 151, 1.5, '2', null],
  guidanceScale: [-0.1, 0, 7.5, 50, 50.5, '7', null],
  width: [56, 64, 100, 512, 1024, 1032, 64.5, null],
  height: [0, 64, 1016, 1024, 2000],
  scheduler: ['pndm', 'ddim', 'euler', 'euler-a', 'dpm++2m', 'lms', 'heun', 'deis', 'PNDM', 'DPM++ 2M Karras', 'Euler a', 'euler A', 'DPM fast', 'dpm', 42, null],
  noiseMode: ['torch', 'numpy', 'jax', null],
  numImages: [0, 1, 8, 9, 2.5, null],
  eta: [-0.5, 0, 0.5, 1, 1.5, null],
  emphasis: ['original', 'no-norm', 'Original', 'no norm', '', 1, null],
};

function engineAccepts(field: string, value: unknown): boolean {
  try {
    parseGenerationRequest({ prompt: 'p', seed: 1, [field]: value });
    return true;
  } catch (error) {
    if (error instanceof InvalidInputError) return false;
    throw error;
  }
}

describe('GenerateRequestSchema', () => {
  it('accepts and refuses strength as the engine does (with an init image)', () => {
    const initImage = { width: 1, height: 1, data: new Uint8Array(3) };
    for (const value of [-0.1, 0, 1e-9, 0.5, 0.8, 1, 1.0001, 2, '0.5', null]) {
      let engine = true;
      try {
        parseGenerationRequest({ prompt: 'p', seed: 1, initImage, strength: value });
      } catch (error) {
        if (!(error instanceof InvalidInputError)) throw error;
        engine = false;
      }
      const schema = GenerateRequestSchema.safeParse({ prompt: 'p', seed: 1, initImage: 'iVBORw0KGgo=', strength: value }).success;
      expect({ value, schema }).toEqual({ value, schema: engine });
    }
  });

  for (const [field, values] of Object.entries(ENGINE_FIELDS)) {
    it(`accepts and refuses ${field} as the engine does`, () => {
      for (const value of values) {
        // The engine reads null as "the default"; so does the schema.
        const schemaAccepts = GenerateRequestSchema.safeParse({ prompt: 'p', seed: 1, [field]: value }).success;
        expect({ value, accepted: schemaAccepts }).toEqual({ value, accepted: engineAccepts(field, value) });
      }
    });
  }

  it('refuses a field it does not define, as the service does', () => {
    expect(GenerateRequestSchema.safeParse({ prompt: 'p', seeds: 1 }).success).toBe(false);
  });

  it('lists its fields in the order error messages name them', () => {
    expect(GENERATION_FIELDS).toEqual(['prompt', 'attributes', 'negativePrompt', 'checkpoint', 'seed', 'steps', 'guidanceScale', 'width', 'height', 'scheduler', 'noiseMode', 'numImages', 'eta', 'emphasis', 'initImage', 'strength', 'outputFormat', 'quality', 'preview', 'previewInterval']);
  });

  it('describes each field with its limits (the GraphQL input reads these)', () => {
    expect(describeGenerationField('width')).toBe('Image width in pixels: a multiple of 8, 64 to 1024');
    expect(describeGenerationField('steps')).toMatch(/Denoising steps/);
    const json = z.toJSONSchema(GenerateRequestSchema, { io: 'input' }) as { properties: Record<string, { anyOf: Array<Record<string, unknown>> }> };
    expect(json.properties['width']?.anyOf[0]).toMatchObject({ type: 'integer', minimum: 64, maximum: 1024, multipleOf: 8, default: 512 });
    expect(json.properties['steps']?.anyOf[0]).toMatchObject({ minimum: 1, maximum: 150, default: 25 });
  });
});
